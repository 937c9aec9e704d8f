#include "services/store/sqlite_connection.h"

#include "gmock/gmock.h"
#include "services/store/store_conformance_test.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace caregate::sqlite {
namespace {

using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

int PreparedStatements(SqliteConnection& db) {
  int n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db.handle(), nullptr); s != nullptr;
       s = sqlite3_next_stmt(db.handle(), s)) {
    ++n;
  }
  return n;
}

class SqliteConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteConnection::Open(dir_.path() + "/t.db",
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                     1000);
    ASSERT_THAT(db, IsOk());
    db_ = *std::move(db);
    CG_ASSERT_OK(db_->Exec("create", "CREATE TABLE t (a TEXT, b BLOB)"));
  }

  ::caregate::testing::TempDir dir_;
  std::unique_ptr<SqliteConnection> db_;
};

TEST_F(SqliteConnectionTest, PrepareCompilesEachSqlOnce) {
  for (int i = 0; i < 3; ++i) {
    auto stmt = db_->Prepare("insert", "INSERT INTO t VALUES (?1, ?2)");
    ASSERT_THAT(stmt, IsOk());
    stmt->BindText(1, "a");
    stmt->BindBlob(2, "b");
    CG_ASSERT_OK(stmt->Run());
  }
  EXPECT_EQ(PreparedStatements(*db_), 1);
}

TEST_F(SqliteConnectionTest, ReleasedStatementStartsOverAndForgetsBindings) {
  CG_ASSERT_OK(db_->Exec("fill",
                         "INSERT INTO t VALUES ('1', x'01'), "
                         "('2', x'02')"));
  constexpr char kSql[] = "SELECT a FROM t WHERE a >= ?1 ORDER BY a";
  {
    auto stmt = db_->Prepare("select", kSql);
    ASSERT_THAT(stmt, IsOk());
    stmt->BindText(1, "2");
    EXPECT_THAT(stmt->Step(), ::caregate::store_testing::IsOkAndHolds(true));
    EXPECT_EQ(stmt->ColumnText(0), "2");
  }  // left mid-result
  auto stmt = db_->Prepare("select", kSql);
  ASSERT_THAT(stmt, IsOk());
  EXPECT_THAT(
      stmt->Step(),
      ::caregate::store_testing::IsOkAndHolds(false));  // NULL matches none
}

TEST_F(SqliteConnectionTest, TextAndBlobsKeepEveryByte) {
  const std::string text("a\0b", 3);
  const std::string blob("\0\xff\0", 3);
  for (const auto& [a, b] :
       {std::pair(text, blob), std::pair(std::string(), std::string())}) {
    auto insert = db_->Prepare("insert", "INSERT INTO t VALUES (?1, ?2)");
    ASSERT_THAT(insert, IsOk());
    insert->BindText(1, a);
    insert->BindBlob(2, b);
    CG_ASSERT_OK(insert->Run());
  }
  auto select = db_->Prepare("select", "SELECT a, b FROM t ORDER BY rowid");
  ASSERT_THAT(select, IsOk());
  ASSERT_THAT(select->Step(), ::caregate::store_testing::IsOkAndHolds(true));
  EXPECT_EQ(select->ColumnText(0), text);
  EXPECT_EQ(select->ColumnBlob(1), blob);
  ASSERT_THAT(select->Step(), ::caregate::store_testing::IsOkAndHolds(true));
  EXPECT_FALSE(select->ColumnIsNull(0));
  EXPECT_FALSE(select->ColumnIsNull(1));
  EXPECT_EQ(select->ColumnBlob(1), "");
}

TEST_F(SqliteConnectionTest, ErrorsNameTheOperation) {
  EXPECT_THAT(db_->Prepare("bad query", "SELECT nope FROM t"),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("bad query: no such column")));
  auto stmt = db_->Prepare("bind", "SELECT ?1");
  ASSERT_THAT(stmt, IsOk());
  stmt->BindInt64(5, 1);  // out of range: reported by Step
  EXPECT_THAT(stmt->Step(),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("bind")));
}

}  // namespace
}  // namespace caregate::sqlite
