#include "tests/testing/postgres_test_database.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "tests/testing/postgres_cluster.h"

namespace caregate::testing {
namespace {

constexpr char kStateEnv[] = "CAREGATE_TEST_POSTGRES_STATE";

struct OwnCluster {
  absl::Mutex mu;
  std::unique_ptr<PostgresCluster> cluster ABSL_GUARDED_BY(mu);
};

// Destroyed at exit, which stops the cluster this process started.
OwnCluster& ProcessCluster() {
  static OwnCluster own;
  return own;
}

struct ConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
using Result = std::unique_ptr<PGresult, ResultDeleter>;

absl::StatusOr<Conn> Connect(const std::string& conninfo) {
  Conn conn(PQconnectdb(conninfo.c_str()));
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("connect to the test server: ",
                     conn ? PQerrorMessage(conn.get()) : "out of memory"));
  }
  return conn;
}

absl::StatusOr<Result> Run(const std::string& conninfo,
                           const std::string& sql) {
  absl::StatusOr<Conn> conn = Connect(conninfo);
  if (!conn.ok()) return conn.status();
  Result result(PQexec(conn->get(), sql.c_str()));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return absl::InternalError(absl::StrCat(
        "test SQL failed: ", PQerrorMessage(conn->get()), " in: ", sql));
  }
  return result;
}

std::string UniqueName() {
  static std::atomic<int> counter{0};
  return absl::StrCat("cg_test_", getpid(), "_", counter++, "_",
                      absl::ToUnixMicros(absl::Now()) % 1000000000);
}

}  // namespace

absl::StatusOr<std::string> TestServerConninfo() {
  if (const char* state = std::getenv(kStateEnv); state && *state) {
    return ConninfoFromStateFile(state);
  }
  OwnCluster& own = ProcessCluster();
  absl::MutexLock lock(&own.mu);
  if (own.cluster == nullptr) {
    auto cluster = PostgresCluster::Start({});
    if (!cluster.ok()) return cluster.status();
    own.cluster = *std::move(cluster);
  }
  return own.cluster->Conninfo();
}

absl::StatusOr<TestDatabase> CreateTestDatabase() {
  absl::StatusOr<std::string> server = TestServerConninfo();
  if (!server.ok()) return server.status();
  TestDatabase db{UniqueName(), ""};
  db.conninfo = absl::StrCat(*server, " dbname=", db.name);
  absl::Status status = ExecSql(absl::StrCat(*server, " dbname=postgres"),
                                absl::StrCat("CREATE DATABASE ", db.name));
  if (!status.ok()) return status;
  return db;
}

absl::Status DropTestDatabase(const TestDatabase& database) {
  absl::StatusOr<std::string> server = TestServerConninfo();
  if (!server.ok()) return server.status();
  return ExecSql(
      absl::StrCat(*server, " dbname=postgres"),
      absl::StrCat("DROP DATABASE IF EXISTS ", database.name, " WITH (FORCE)"));
}

absl::Status ExecSql(const std::string& conninfo, const std::string& sql) {
  return Run(conninfo, sql).status();
}

absl::StatusOr<std::string> QueryText(const std::string& conninfo,
                                      const std::string& sql) {
  absl::StatusOr<Result> result = Run(conninfo, sql);
  if (!result.ok()) return result.status();
  PGresult* r = result->get();
  if (PQntuples(r) == 0 || PQnfields(r) == 0 || PQgetisnull(r, 0, 0)) {
    return std::string();
  }
  return std::string(PQgetvalue(r, 0, 0));
}

}  // namespace caregate::testing
