// The per-day counts behind Store::SummarizeAuditEvents (table
// audit_day_counts, schema version 2): per UTC day (time in microseconds /
// kDayMicros) and kind, how many audit events have each action, how many
// DISCLOSURE_DENIED events have each set of reasons, how many ACCESS_DENIED
// events each actor caused, and how many permitted or redacted disclosures
// went to each recipient.
//
// A write transaction collects its counts in a DayCounts as it appends
// events and disclosures (a map increment each) and adds them to the table
// in one upsert per (day, kind, key) just before COMMIT, so a group commit of
// many sends costs a handful of row updates. Savepoints mirror the
// transaction's: a command rolled back to its savepoint leaves no counts.
//
// Thread-compatible: belongs to its write transaction.
#ifndef CAREGATE_SERVICES_STORE_SQLITE_DAY_COUNTS_H_
#define CAREGATE_SERVICES_STORE_SQLITE_DAY_COUNTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "services/audit/audit_event.h"
#include "services/store/records.h"
#include "services/store/sqlite_connection.h"

namespace caregate::sqlite {

inline constexpr int64_t kDayMicros = 86'400'000'000;

// The kinds of rows of audit_day_counts and what their key holds.
enum CountKind : int64_t {
  kByAction = 1,       // the action's number
  kDeniedReasons = 2,  // the encoded reasons of a DISCLOSURE_DENIED event
  kAccessDenied = 3,   // the actor of an ACCESS_DENIED event
  kDisclosures = 4,    // "<recipient org>/<recipient provider>"
};

// The day of `micros` as the table counts it: truncated toward zero, as
// SQL's integer division does (the migration's backfill uses it); the same
// as the floor for every time after 1970.
inline int64_t DayOf(int64_t micros) { return micros / kDayMicros; }

class DayCounts {
 public:
  void AddEvent(const AuditEvent& event);
  void AddDisclosure(const DisclosureRow& disclosure);

  void Savepoint();
  void ReleaseSavepoint();
  void RollbackToSavepoint();

  // Adds the counts to audit_day_counts through `db` (inside the open
  // transaction) and clears them; the statement's error otherwise.
  absl::Status Flush(SqliteConnection& db);

 private:
  using Key = std::tuple<int64_t, int64_t, std::string>;  // day, kind, key
  std::map<Key, int64_t> counts_;
  std::vector<std::map<Key, int64_t>> saved_;  // one per open savepoint
};

}  // namespace caregate::sqlite

#endif  // CAREGATE_SERVICES_STORE_SQLITE_DAY_COUNTS_H_
