// Turns an AuditQuery into one SELECT over audit_events and its parameters,
// and reads the GROUP BY counts of Store::SummarizeAuditEvents.
//
// Only the filters that are set appear in the SQL, so each kind of query can
// use the index of its most selective column; the set of actions is one
// parameter (a JSON array read with json_each), so there are at most 2^7
// distinct statements to cache. BuildAuditQuerySql is pure and thread-safe;
// SummarizeAuditEvents uses the connection it is given (one thread at a time).
#ifndef CAREGATE_SERVICES_STORE_SQLITE_AUDIT_QUERY_H_
#define CAREGATE_SERVICES_STORE_SQLITE_AUDIT_QUERY_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "services/store/records.h"
#include "services/store/sqlite_connection.h"

namespace caregate::sqlite {

struct AuditQuerySql {
  std::string sql;
  std::vector<std::variant<int64_t, std::string>> params;  // ?1, ?2, ...

  void Bind(SqliteStatement& stmt) const;
};

// INVALID_ARGUMENT when `query.limit` is below 1.
absl::StatusOr<AuditQuerySql> BuildAuditQuerySql(const AuditQuery& query);

// The counts of Store::SummarizeAuditEvents, read in one read transaction of
// `db` (so from one snapshot): the whole UTC days of the period from the
// per-day counts that write transactions keep (sqlite_day_counts.h), so
// a year of a million events is a few thousand rows; the partial days at
// either end with GROUP BY queries over the events' time indexes. Events
// before 1970 (none are written) would be counted in the day toward zero.
// UNAVAILABLE for a failed read, DATA_LOSS for a count row that does not
// decode.
absl::StatusOr<AuditSummary> SummarizeAuditEvents(SqliteConnection& db,
                                                  absl::Time since,
                                                  absl::Time until);

}  // namespace caregate::sqlite

#endif  // CAREGATE_SERVICES_STORE_SQLITE_AUDIT_QUERY_H_
