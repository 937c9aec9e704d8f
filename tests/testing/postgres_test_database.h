// Fresh databases for tests, on the test PostgreSQL server.
//
// Under CTest the server is the one the `postgres_cluster` fixture started
// (tests/CMakeLists.txt), found through the state file named by the
// environment variable CAREGATE_TEST_POSTGRES_STATE. Without that variable
// (a test binary run by hand), the first call starts a cluster for this
// process (postgres_cluster.h), stopped when the process exits.
//
// Each test creates its own database, so tests stay independent and can run
// in parallel against one server.
//
// Thread-safe. Errors: those of starting the cluster; INTERNAL with the
// server's message when a statement fails (test data only).
#ifndef CAREGATE_TESTS_TESTING_POSTGRES_TEST_DATABASE_H_
#define CAREGATE_TESTS_TESTING_POSTGRES_TEST_DATABASE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace caregate::testing {

// The superuser's conninfo of the test server, without a dbname.
absl::StatusOr<std::string> TestServerConninfo();

struct TestDatabase {
  std::string name;
  std::string conninfo;  // TestServerConninfo() + " dbname=<name>"
};

// Creates an empty database with a name no other test uses.
absl::StatusOr<TestDatabase> CreateTestDatabase();
// Drops it, ending the sessions still connected to it.
absl::Status DropTestDatabase(const TestDatabase& database);

// Runs `sql` (one or more statements, results ignored) on `conninfo`.
absl::Status ExecSql(const std::string& conninfo, const std::string& sql);
// The first column of the first row of `sql` as text ("" for none or NULL).
absl::StatusOr<std::string> QueryText(const std::string& conninfo,
                                      const std::string& sql);

}  // namespace caregate::testing

#endif  // CAREGATE_TESTS_TESTING_POSTGRES_TEST_DATABASE_H_
