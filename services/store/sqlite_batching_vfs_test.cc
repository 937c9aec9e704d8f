// The batching VFS: a commit's WAL frames reach the file in a few write()
// calls, before the commit is visible to a connection that does not use the
// VFS (as another process would not), and transactions that spill, roll
// back or outgrow the buffer leave a database SQLite finds whole.
#include "services/store/sqlite_batching_vfs.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "services/store/sqlite_connection.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace caregate::sqlite {
namespace {

using ::caregate::testing::IsOk;

// A connection through SQLite's default VFS, as another process has.
class PlainConnection {
 public:
  explicit PlainConnection(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY,
                              /*zVfs=*/nullptr),
              SQLITE_OK);
  }
  ~PlainConnection() { sqlite3_close(db_); }

  // The first column of the first row of `sql`; "error: ..." on failure.
  std::string Query(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return absl::StrCat("error: ", sqlite3_errmsg(db_));
    }
    std::string out;
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      const auto* text =
          reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      out = text == nullptr ? "" : text;
    } else if (rc != SQLITE_DONE) {
      out = absl::StrCat("error: ", sqlite3_errmsg(db_));
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteBatchingVfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteConnection::Open(path(),
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                     /*busy_timeout_ms=*/1000);
    ASSERT_THAT(db, IsOk());
    db_ = *std::move(db);
    CG_ASSERT_OK(
        db_->Exec("set up",
                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                  "PRAGMA wal_autocheckpoint=0; "
                  "CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)"));
  }

  std::string path() const { return dir_.path() + "/t.db"; }

  // Inserts rows [first, first + n) of `bytes` random bytes each.
  absl::Status Insert(int first, int n, int bytes) {
    return db_->Exec(
        "insert",
        absl::StrCat("WITH RECURSIVE s(i) AS (SELECT ", first,
                     " UNION ALL SELECT i + 1 FROM s WHERE i < ", first + n - 1,
                     ") INSERT INTO t SELECT i, randomblob(", bytes,
                     ") FROM s"));
  }

  ::caregate::testing::TempDir dir_;
  std::unique_ptr<SqliteConnection> db_;
};

TEST_F(SqliteBatchingVfsTest, ACommitsFramesGoOutInAFewWrites) {
  const BatchingVfsCounts before = GetBatchingVfsCounts();
  // ~400 pages: two writes per frame when each went to the kernel.
  CG_ASSERT_OK(Insert(1, 400, 3000));
  const BatchingVfsCounts after = GetBatchingVfsCounts();
  const int64_t received =
      after.wal_writes_received - before.wal_writes_received;
  const int64_t issued = after.wal_writes_issued - before.wal_writes_issued;
  EXPECT_GE(received, 800);
  // 1.6 MiB in pieces of 64 KiB: some 26 writes.
  EXPECT_LE(issued, 40);
  EXPECT_GE(issued, 1);
}

TEST_F(SqliteBatchingVfsTest, CommitIsInTheFileBeforeItReturns) {
  PlainConnection plain(path());
  EXPECT_EQ(plain.Query("SELECT count(*) FROM t"), "0");
  for (int round = 0; round < 20; ++round) {
    CG_ASSERT_OK(Insert(round * 50 + 1, 50, 700));
    EXPECT_EQ(plain.Query("SELECT count(*) FROM t"),
              std::to_string((round + 1) * 50));
  }
  EXPECT_EQ(plain.Query("SELECT sum(length(b)) FROM t"),
            std::to_string(1000 * 700));
  EXPECT_EQ(plain.Query("PRAGMA integrity_check"), "ok");
}

// A transaction of 12 MiB: more than the 4 MiB gathered at most, and with a
// page cache of 50 pages SQLite writes frames before the commit, reads them
// back and writes some again.
TEST_F(SqliteBatchingVfsTest, TransactionThatSpillsAndOutgrowsTheBuffer) {
  CG_ASSERT_OK(db_->Exec("small cache", "PRAGMA cache_size=50"));
  CG_ASSERT_OK(db_->Exec("begin", "BEGIN"));
  CG_ASSERT_OK(Insert(1, 3000, 4000));
  CG_ASSERT_OK(db_->Exec("update",
                         "UPDATE t SET b = zeroblob(100) "
                         "WHERE id % 7 = 0"));
  CG_ASSERT_OK(db_->Exec("commit", "COMMIT"));

  PlainConnection plain(path());
  EXPECT_EQ(plain.Query("SELECT count(*) FROM t"), "3000");
  EXPECT_EQ(plain.Query("SELECT count(*) FROM t WHERE length(b) = 100"), "428");
  EXPECT_EQ(plain.Query("PRAGMA integrity_check"), "ok");
}

TEST_F(SqliteBatchingVfsTest, RolledBackSpillLeavesTheCommittedState) {
  CG_ASSERT_OK(Insert(1, 100, 500));
  CG_ASSERT_OK(db_->Exec("small cache", "PRAGMA cache_size=50"));
  CG_ASSERT_OK(db_->Exec("begin", "BEGIN"));
  CG_ASSERT_OK(Insert(101, 2000, 4000));
  CG_ASSERT_OK(db_->Exec("roll back", "ROLLBACK"));
  CG_ASSERT_OK(Insert(101, 10, 500));

  PlainConnection plain(path());
  EXPECT_EQ(plain.Query("SELECT count(*) FROM t"), "110");
  EXPECT_EQ(plain.Query("SELECT max(length(b)) FROM t"), "500");
  EXPECT_EQ(plain.Query("PRAGMA integrity_check"), "ok");
}

TEST_F(SqliteBatchingVfsTest, CheckpointCopiesWhatWasGathered) {
  CG_ASSERT_OK(Insert(1, 500, 2000));
  CG_ASSERT_OK(db_->Exec("checkpoint", "PRAGMA wal_checkpoint(TRUNCATE)"));
  CG_ASSERT_OK(Insert(501, 500, 2000));
  db_.reset();  // the last connection checkpoints and removes the WAL

  PlainConnection plain(path());
  EXPECT_EQ(plain.Query("SELECT count(*) FROM t"), "1000");
  EXPECT_EQ(plain.Query("PRAGMA integrity_check"), "ok");
}

// Limits the size of the files this process writes while it lives; writes
// past it fail with EFBIG instead of raising SIGXFSZ.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    EXPECT_EQ(getrlimit(RLIMIT_FSIZE, &saved_), 0);
    old_handler_ = signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    EXPECT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
  }
  ~FileSizeLimit() {
    EXPECT_EQ(setrlimit(RLIMIT_FSIZE, &saved_), 0);
    signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  sighandler_t old_handler_ = SIG_DFL;
};

// The frames are written when the commit frame is complete, inside the
// COMMIT: a write that fails there fails the COMMIT, and nothing of it
// becomes visible.
TEST_F(SqliteBatchingVfsTest, AFailedWriteFailsTheCommit) {
  CG_ASSERT_OK(Insert(1, 100, 500));
  const auto wal_size = std::filesystem::file_size(path() + "-wal");
  {
    FileSizeLimit limit(wal_size + 64 * 1024);
    EXPECT_THAT(Insert(101, 200, 3000), ::testing::Not(IsOk()));
  }
  db_.reset();
  PlainConnection plain(path());
  EXPECT_EQ(plain.Query("SELECT count(*) FROM t"), "100");
  EXPECT_EQ(plain.Query("PRAGMA integrity_check"), "ok");

  auto db = SqliteConnection::Open(path(), SQLITE_OPEN_READWRITE, 1000);
  ASSERT_THAT(db, IsOk());
  db_ = *std::move(db);
  CG_ASSERT_OK(Insert(101, 200, 3000));
  EXPECT_EQ(plain.Query("SELECT count(*) FROM t"), "300");
  EXPECT_EQ(plain.Query("PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace caregate::sqlite
