// Store::SummarizeAuditEvents for the PostgreSQL Store: one statement that
// groups the period's events and disclosures on the server (by action, by
// each listed denial reason, by the refused actor, and permitted or redacted
// disclosures by UTC day and recipient), and the fold of its rows into an
// AuditSummary (days into months).
//
// Unlike the SQLite store, which keeps per-day counts, this reads the period's
// rows through the (action, time) and (created_at) indexes; a summary of a
// long period over a large log costs a scan of that period.
//
// Thread-safety: pure functions.
#ifndef CAREGATE_SERVICES_STORE_POSTGRES_PG_AUDIT_SUMMARY_H_
#define CAREGATE_SERVICES_STORE_POSTGRES_PG_AUDIT_SUMMARY_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/store/postgres/pg_connection.h"
#include "services/store/records.h"

namespace caregate::pg {

// Parameters: $1 since, $2 until (microseconds). Rows: kind int4, key text,
// count int8, day int8 (days since the epoch, kind 4 only).
extern const char kAuditSummarySql[];

PgParams AuditSummaryParams(absl::Time since, absl::Time until);

// Errors: INTERNAL for a row of an unexpected shape, DATA_LOSS for a stored
// action that is not a number.
absl::StatusOr<AuditSummary> AuditSummaryFromRows(PgResult& result);

}  // namespace caregate::pg

#endif  // CAREGATE_SERVICES_STORE_POSTGRES_PG_AUDIT_SUMMARY_H_
