// A read-only snapshot of the gateway's SQLite file for the crash-safety
// checks, read with the sqlite3 C API in one read transaction (tables of
// services/store/sqlite_schema.cc). Safe to read while the gateway runs (WAL).
//
// The invariants that are pure SQL (joins on seq, GROUP BY duplicates) are
// evaluated here; the rest is compared in crash_checks. Thread-compatible.
// Errors: UNAVAILABLE naming the statement that failed.
#ifndef CAREGATE_TESTS_CRASH_STORE_VIEW_H_
#define CAREGATE_TESTS_CRASH_STORE_VIEW_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace caregate::crash {

struct StoredDisclosure {
  std::string disclosure_id;
  int64_t audit_seq = 0;
  std::string message_id;
  std::string content_sha256;
};

struct StoredMessage {
  std::string disclosure_id;
  int64_t seq = 0;
  int state = 0;  // v1::DeliveryState
};

struct StoreView {
  // audit_events in seq order: (seq, hash).
  std::vector<std::pair<int64_t, std::string>> event_hashes;
  // checkpoints: (seq, head_hash).
  std::vector<std::pair<int64_t, std::string>> checkpoints;
  // disclosures by (sender_principal_id, request_id); one entry per row, so
  // a duplicate shows as a second entry in the vector.
  std::map<std::pair<std::string, std::string>, std::vector<StoredDisclosure>>
      disclosures;
  // messages by message_id.
  std::map<std::string, StoredMessage> messages;
  // consent_id -> revoked.
  std::map<std::string, bool> consents_revoked;

  // SQL invariants; each entry is a PHI-free description of a violation.
  // A message whose seq has no event, or an event that is not its
  // disclosure's PERMITTED/REDACTED event.
  std::vector<std::string> messages_without_event;
  // More than one disclosure or message for one request / disclosure.
  std::vector<std::string> duplicate_rows;
  // PostgreSQL only: the log_head row is not the last audit event.
  std::vector<std::string> head_problems;
};

// Reads `db_path`. `read_only`: open with SQLITE_OPEN_READONLY (the live
// file); otherwise read-write (a scratch copy whose WAL must be recovered).
absl::StatusOr<StoreView> ReadStore(const std::string& db_path, bool read_only);

// The last (seq, hash) of the audit log in `db_path`: (0, "") when empty.
absl::StatusOr<std::pair<int64_t, std::string>> ReadStoreHead(
    const std::string& db_path, bool read_only);

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_STORE_VIEW_H_
