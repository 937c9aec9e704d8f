#include "services/store/sqlite_wal_checkpointer.h"

#include <sys/stat.h>

#include <string>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace caregate::sqlite {
namespace {

using ::caregate::testing::IsOk;

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/t.db";
    auto db = SqliteConnection::Open(
        path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
    ASSERT_THAT(db, IsOk());
    writer_ = *std::move(db);
    ASSERT_THAT(writer_->QueryText("wal", "PRAGMA journal_mode=WAL"), IsOk());
    CG_ASSERT_OK(writer_->Exec("create", "CREATE TABLE t (b BLOB)"));
  }

  // `n` transactions of one 4 KiB row each: at least one WAL page apiece.
  void Insert(int n) {
    for (int i = 0; i < n; ++i) {
      auto stmt = writer_->Prepare("insert", "INSERT INTO t VALUES (?1)");
      ASSERT_THAT(stmt, IsOk());
      stmt->BindBlob(1, std::string(4096, static_cast<char>(i)));
      CG_ASSERT_OK(stmt->Run());
    }
  }
  int64_t WalBytes() const { return FileBytes(path_ + "-wal"); }
  int64_t DatabaseBytes() const { return FileBytes(path_); }
  static int64_t FileBytes(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
  }
  std::string Rows() {
    return *writer_->QueryText("count", "SELECT count(*) FROM t");
  }

  ::caregate::testing::TempDir dir_;
  std::string path_;
  std::unique_ptr<SqliteConnection> writer_;
};

TEST_F(WalCheckpointerTest, ThreadCheckpointsOnceTheWalPassesTheThreshold) {
  auto checkpointer = WalCheckpointer::Start(
      path_, writer_.get(), {.wake_pages = 20, .inline_pages = 1000000});
  ASSERT_THAT(checkpointer, IsOk());
  Insert(100);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while ((*checkpointer)->checkpoints_run() == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_GT((*checkpointer)->checkpoints_run(), 0);
  // The rows reached the database file (a checkpoint run on a connection that
  // had not yet read the database used to do nothing, and say OK).
  while (DatabaseBytes() < 50 * 4096 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_GE(DatabaseBytes(), 50 * 4096);
  EXPECT_EQ(Rows(), "100");
}

TEST_F(WalCheckpointerTest, WalStartsOverUnderSteadyWrites) {
  // The thread checkpoints from 20 pages on while the writer goes on
  // committing, so it never copies the last commits; past 100 pages the
  // writer copies what is left itself and the WAL starts over, instead of
  // growing with every commit.
  auto checkpointer = WalCheckpointer::Start(
      path_, writer_.get(),
      {.wake_pages = 20, .restart_pages = 100, .inline_pages = 1000000});
  ASSERT_THAT(checkpointer, IsOk());
  Insert(3000);
  // 3,000 commits of a page each: ~12 MB of WAL that never starts over.
  EXPECT_LT(WalBytes(), 1000 * 4120);
  EXPECT_EQ(Rows(), "3000");
  std::printf("WAL %lld bytes, %d checkpoints, %d restarts\n",
              static_cast<long long>(WalBytes()),
              (*checkpointer)->checkpoints_run(),
              (*checkpointer)->restarts_run());
}

TEST_F(WalCheckpointerTest, AutomaticCheckpointsReturnWhenItStops) {
  {
    auto checkpointer = WalCheckpointer::Start(
        path_, writer_.get(), {.wake_pages = 1000000, .inline_pages = 1000000});
    ASSERT_THAT(checkpointer, IsOk());
  }
  Insert(1500);  // SQLite's automatic checkpoint runs at 1000 pages
  EXPECT_LT(WalBytes(), 1200 * 4120);
  EXPECT_EQ(Rows(), "1500");
}

}  // namespace
}  // namespace caregate::sqlite
