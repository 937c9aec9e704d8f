// PgConnection and PgReadPool against a real server (the test cluster).
#include "services/store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/store/postgres/pg_codec.h"
#include "services/store/postgres/pg_read_pool.h"
#include "tests/testing/postgres_test_database.h"
#include "tests/testing/status_matchers.h"

namespace caregate::pg {
namespace {

using ::caregate::testing::CreateTestDatabase;
using ::caregate::testing::DropTestDatabase;
using ::caregate::testing::ExecSql;
using ::caregate::testing::IsOk;
using ::caregate::testing::QueryText;
using ::caregate::testing::StatusIs;
using ::caregate::testing::TestDatabase;
using ::testing::_;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The value of `key` in `conninfo` ("" when absent).
std::string ConninfoValue(const std::string& conninfo, const char* key) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  std::string value;
  for (PQconninfoOption* o = options; o && o->keyword; ++o) {
    if (std::string(o->keyword) == key && o->val) value = o->val;
  }
  PQconninfoFree(options);
  PQfreemem(error);
  return value;
}

class PgConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestDatabase> db = CreateTestDatabase();
    CG_ASSERT_OK(db);
    db_ = *db;
  }
  void TearDown() override { DropTestDatabase(db_).IgnoreError(); }

  std::unique_ptr<PgConnection> Open() {
    auto conn = PgConnection::Open(db_.conninfo);
    EXPECT_THAT(conn, IsOk());
    return conn.ok() ? *std::move(conn) : nullptr;
  }
  std::string BackendPid(PgConnection& conn) {
    auto result = conn.Query("pid", "SELECT pg_backend_pid()::int8", {});
    EXPECT_THAT(result, IsOk());
    return result.ok() ? absl::StrCat(result->row(0).Int64(0)) : "0";
  }
  void Terminate(const std::string& pid) {
    CG_ASSERT_OK(
        ExecSql(db_.conninfo,
                absl::StrCat("SELECT pg_terminate_backend(", pid, ", 10000)")));
  }

  TestDatabase db_;
};

TEST_F(PgConnectionTest, ParametersAndResultsRoundTripInBinary) {
  std::unique_ptr<PgConnection> conn = Open();
  ASSERT_NE(conn, nullptr);
  const std::string bytes("\x00\xff\x01", 3);
  auto result =
      conn->Query("round trip", "SELECT $1, $2, $3, $4, $5, $6, $7, $8",
                  PgParams()
                      .Int64(-1'700'000'000'123'456)
                      .Int32(-7)
                      .Bool(true)
                      .Text("pat-\xc3\xa9")
                      .Bytes(bytes)
                      .Int32Array({3, 1})
                      .TextArray({"c-1", "", ":c-2"})
                      .Null(kInt8Oid));
  CG_ASSERT_OK(result);
  ASSERT_EQ(result->rows(), 1);
  PgRow row = result->row(0);
  EXPECT_EQ(row.Int64(0), -1'700'000'000'123'456);
  EXPECT_EQ(row.Int32(1), -7);
  EXPECT_TRUE(row.Bool(2));
  EXPECT_EQ(row.Text(3), "pat-\xc3\xa9");
  EXPECT_EQ(row.Bytes(4), bytes);
  EXPECT_THAT(row.Int32Array(5), ElementsAre(3, 1));
  EXPECT_THAT(row.TextArray(6), ElementsAre("c-1", "", ":c-2"));
  EXPECT_EQ(row.NullableInt64(7), std::nullopt);
  CG_EXPECT_OK(row.status());
}

TEST_F(PgConnectionTest, ReadingAColumnAsTheWrongTypeIsAnError) {
  std::unique_ptr<PgConnection> conn = Open();
  ASSERT_NE(conn, nullptr);
  auto result =
      conn->Query("types", "SELECT 1::int4 AS n, NULL::text AS t", PgParams());
  CG_ASSERT_OK(result);
  PgRow row = result->row(0);
  EXPECT_EQ(row.Int64(0), 0);
  EXPECT_THAT(row.status(), StatusIs(absl::StatusCode::kInternal,
                                     HasSubstr("read column n")));
  PgRow null_row = result->row(0);
  null_row.Text(1);
  EXPECT_THAT(null_row.status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("t")));
}

TEST_F(PgConnectionTest, ErrorsNameSqlStateButNeverValues) {
  std::unique_ptr<PgConnection> conn = Open();
  ASSERT_NE(conn, nullptr);
  CG_ASSERT_OK(conn->Exec("create", "CREATE TABLE t (name text UNIQUE)"));
  const std::string secret = "Jane Patient-Name";
  CG_ASSERT_OK(conn->Query("insert", "INSERT INTO t VALUES ($1)",
                           PgParams().Text(secret))
                   .status());
  EXPECT_THAT(conn->Query("insert", "INSERT INTO t VALUES ($1)",
                          PgParams().Text(secret)),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       AllOf(HasSubstr("insert: duplicate key (SQLSTATE "
                                       "23505, constraint t_name_key)"),
                             Not(HasSubstr("Jane")))));
  EXPECT_THAT(
      conn->Query("cast", "SELECT $1::int8", PgParams().Text("Jane 42")),
      StatusIs(absl::StatusCode::kInternal,
               AllOf(HasSubstr("cast: database error (SQLSTATE 22P02)"),
                     Not(HasSubstr("Jane")))));
  EXPECT_THAT(conn->Exec("syntax", "SELEC 1"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("42601")));
  EXPECT_TRUE(conn->healthy());
}

TEST_F(PgConnectionTest, FailedStatementLeavesTheTransactionFailed) {
  std::unique_ptr<PgConnection> conn = Open();
  ASSERT_NE(conn, nullptr);
  CG_ASSERT_OK(conn->Exec("begin", "BEGIN"));
  EXPECT_TRUE(conn->InTransaction());
  EXPECT_FALSE(conn->InFailedTransaction());
  EXPECT_THAT(conn->Exec("bad", "SELECT 1/0"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("22012")));
  EXPECT_TRUE(conn->InFailedTransaction());
  CG_ASSERT_OK(conn->Exec("rollback", "ROLLBACK"));
  EXPECT_FALSE(conn->InTransaction());
}

TEST_F(PgConnectionTest, DeferredStatementsRunAtTheFlushAndNameTheFirstError) {
  std::unique_ptr<PgConnection> conn = Open();
  ASSERT_NE(conn, nullptr);
  CG_ASSERT_OK(conn->Exec("create", "CREATE TABLE t (k int8 PRIMARY KEY)"));
  CG_ASSERT_OK(conn->Exec("begin", "BEGIN"));
  const std::string insert = "INSERT INTO t (k) VALUES ($1)";
  CG_ASSERT_OK(conn->Defer("insert one", insert, PgParams().Int64(1)));
  CG_ASSERT_OK(conn->Defer("insert two", insert, PgParams().Int64(2)));
  EXPECT_TRUE(conn->has_deferred());
  // A query joins the pipeline and sees the deferred rows.
  auto count = conn->Query("count", "SELECT count(*) FROM t", PgParams());
  CG_ASSERT_OK(count);
  EXPECT_EQ(count->row(0).Int64(0), 2);
  EXPECT_FALSE(conn->has_deferred());

  CG_ASSERT_OK(conn->DeferSimple("savepoint", "SAVEPOINT s"));
  CG_ASSERT_OK(conn->Defer("insert three", insert, PgParams().Int64(3)));
  CG_ASSERT_OK(conn->DeferSimple("divide", "SELECT 1/0"));
  CG_ASSERT_OK(conn->Defer("insert four", insert, PgParams().Int64(4)));
  // The first failure, by its op; the statement after it was skipped.
  EXPECT_THAT(conn->Flush(),
              StatusIs(absl::StatusCode::kInternal,
                       AllOf(HasSubstr("divide"), HasSubstr("22012"))));
  EXPECT_FALSE(conn->has_deferred());
  EXPECT_TRUE(conn->InFailedTransaction());
  CG_ASSERT_OK(conn->Exec("rollback to", "ROLLBACK TO SAVEPOINT s"));
  CG_ASSERT_OK(conn->Exec("commit", "COMMIT"));
  EXPECT_EQ(QueryText(db_.conninfo,
                      "SELECT string_agg(k::text, ',' ORDER BY k) FROM t")
                .value_or("error"),
            "1,2");
}

TEST_F(PgConnectionTest, DeferredInsertThatChangesNoRowIsAlreadyExists) {
  std::unique_ptr<PgConnection> conn = Open();
  ASSERT_NE(conn, nullptr);
  CG_ASSERT_OK(conn->Exec("create", "CREATE TABLE t (k int8 PRIMARY KEY)"));
  const std::string insert =
      "INSERT INTO t (k) VALUES ($1) ON CONFLICT DO NOTHING";
  CG_ASSERT_OK(conn->Defer("insert k", insert, PgParams().Int64(7),
                           PgConnection::Expect::kChangedRow));
  CG_ASSERT_OK(conn->Flush());
  CG_ASSERT_OK(conn->Defer("insert k again", insert, PgParams().Int64(7),
                           PgConnection::Expect::kChangedRow));
  EXPECT_THAT(conn->Flush(), StatusIs(absl::StatusCode::kAlreadyExists,
                                      HasSubstr("insert k again")));
  EXPECT_TRUE(conn->healthy());
}

TEST_F(PgConnectionTest, AFailedMustSucceedStatementIsReportedOnce) {
  std::unique_ptr<PgConnection> conn = Open();
  ASSERT_NE(conn, nullptr);
  CG_ASSERT_OK(conn->Exec("begin", "BEGIN"));
  CG_ASSERT_OK(conn->DeferSimple("release", "RELEASE SAVEPOINT missing",
                                 PgConnection::Expect::kMustSucceed));
  EXPECT_THAT(conn->Flush(), Not(IsOk()));
  EXPECT_TRUE(conn->TakeMustSucceedFailure());
  EXPECT_FALSE(conn->TakeMustSucceedFailure());
  // An ordinary failure does not count.
  CG_ASSERT_OK(conn->Exec("rollback", "ROLLBACK"));
  CG_ASSERT_OK(conn->DeferSimple("divide", "SELECT 1/0"));
  EXPECT_THAT(conn->Flush(), Not(IsOk()));
  EXPECT_FALSE(conn->TakeMustSucceedFailure());
}

TEST_F(PgConnectionTest, UnreachableServerIsUnavailable) {
  EXPECT_THAT(
      PgConnection::Open("host=127.0.0.1 port=1 connect_timeout=5 dbname=x"),
      StatusIs(absl::StatusCode::kUnavailable,
               HasSubstr("connect to database: database unavailable")));
  EXPECT_THAT(
      PgConnection::Open(db_.conninfo + "_missing"),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("does not exist")));
}

TEST_F(PgConnectionTest, LostConnectionIsUnavailableAndUnhealthy) {
  std::unique_ptr<PgConnection> conn = Open();
  ASSERT_NE(conn, nullptr);
  Terminate(BackendPid(*conn));
  EXPECT_THAT(conn->Query("after loss", "SELECT 1", PgParams()),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("after loss: database unavailable")));
  EXPECT_FALSE(conn->healthy());
  EXPECT_THAT(conn->Exec("again", "SELECT 1"),
              StatusIs(absl::StatusCode::kUnavailable, _));
}

TEST_F(PgConnectionTest, MultiHostConninfoSkipsAServerThatIsDown) {
  const std::string host = ConninfoValue(db_.conninfo, "host");
  const std::string port = ConninfoValue(db_.conninfo, "port");
  ASSERT_FALSE(host.empty());
  const std::string conninfo = absl::StrCat(
      "host=127.0.0.1,", host, " port=1,", port, " dbname=", db_.name,
      " user=postgres connect_timeout=5 target_session_attrs=read-write");
  auto conn = PgConnection::Open(conninfo);
  CG_ASSERT_OK(conn);
  auto result = (*conn)->Query("read-write?", "SELECT NOT pg_is_in_recovery()",
                               PgParams());
  CG_ASSERT_OK(result);
  EXPECT_TRUE(result->row(0).Bool(0));
}

TEST_F(PgConnectionTest, ReadPoolReplacesALostConnection) {
  PgReadPool pool(db_.conninfo, 1);
  std::string pid;
  {
    auto lease = pool.Acquire();
    CG_ASSERT_OK(lease);
    pid = BackendPid(lease->connection());
    // Read connections are read-only.
    EXPECT_THAT(lease->connection().Exec("write", "CREATE TABLE x (a int)"),
                StatusIs(absl::StatusCode::kUnavailable, HasSubstr("25006")));
  }
  Terminate(pid);
  {
    auto lease = pool.Acquire();
    CG_ASSERT_OK(lease);
    EXPECT_THAT(lease->connection().Query("read", "SELECT 1", PgParams()),
                StatusIs(absl::StatusCode::kUnavailable, _));
  }
  auto lease = pool.Acquire();  // the pool holds at most one: the new one
  CG_ASSERT_OK(lease);
  EXPECT_NE(BackendPid(lease->connection()), pid);
}

}  // namespace
}  // namespace caregate::pg
