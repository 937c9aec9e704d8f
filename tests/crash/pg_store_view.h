// The crash-safety driver's view of a PostgreSQL store (the replicas' shared
// database, services/store/postgres/pg_schema.cc): the same StoreView that
// store_view.h reads from a SQLite file, so the same checks (crash_checks.h)
// judge both. Read with libpq in one REPEATABLE READ, READ ONLY transaction,
// so the view is one snapshot even while replicas write.
//
// Plain functions; thread-safe (each opens its own connection). Errors:
// UNAVAILABLE naming the connection or statement that failed.
#ifndef CAREGATE_TESTS_CRASH_PG_STORE_VIEW_H_
#define CAREGATE_TESTS_CRASH_PG_STORE_VIEW_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "tests/crash/store_view.h"

namespace caregate::crash {

// Reads the database of `conninfo`.
absl::StatusOr<StoreView> ReadPostgresStore(const std::string& conninfo);

// The committed head (seq, hash) of the audit log: (0, "") when empty.
absl::StatusOr<std::pair<int64_t, std::string>> ReadPostgresHead(
    const std::string& conninfo);

// Self-test only: deletes the message with the highest seq, the way a lost
// commit would; returns its message id. NOT_FOUND when there is none.
absl::StatusOr<std::string> DropNewestPostgresMessage(
    const std::string& conninfo);

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_PG_STORE_VIEW_H_
