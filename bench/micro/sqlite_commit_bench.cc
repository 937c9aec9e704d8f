// sqlite_commit/batching_vfs and sqlite_commit/default_vfs: the CPU time of
// one group commit's writes through the batching VFS the store opens its
// database with (services/store/sqlite_batching_vfs.h), and through SQLite's
// default VFS. A commit is shaped like a group of sends: 35 rows, each with
// a 4 KiB body and four random 16-byte keys, each key in an index of 50,000
// entries, so every insert also changes a leaf page of its own (about 240
// pages a commit). WAL, synchronous=NORMAL, savepoints off: what differs is
// only how the WAL's frames reach the kernel. The thread's CPU time includes
// the kernel's, so the write() calls count. Every 20 commits the WAL is
// checkpointed outside the timing.
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/micro/micro_benchmarks.h"
#include "services/store/sqlite_batching_vfs.h"

namespace caregate::bench {
namespace {

constexpr int kRowsPerCommit = 35;
constexpr int kIndexedRows = 50'000;
constexpr int kBodyBytes = 4096;
constexpr int kCommitsPerCheckpoint = 20;
constexpr char kSchemaSql[] =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
    "PRAGMA wal_autocheckpoint=0; PRAGMA cache_size=-65536; "
    "CREATE TABLE t (id INTEGER PRIMARY KEY, k1 BLOB, k2 BLOB, k3 BLOB, "
    "k4 BLOB, body BLOB); "
    "CREATE INDEX t1 ON t (k1); CREATE INDEX t2 ON t (k2); "
    "CREATE INDEX t3 ON t (k3); CREATE INDEX t4 ON t (k4);";
constexpr char kInsertSql[] =
    "INSERT INTO t (k1, k2, k3, k4, body) VALUES (?1, ?2, ?3, ?4, ?5)";

// A database in a directory of its own, removed at the end.
class CommitDatabase {
 public:
  ~CommitDatabase() {
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  // Creates the table, its indexes and their kIndexedRows entries, through
  // `vfs` (null: SQLite's default). False when any step fails.
  bool Open(const char* vfs) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp",
                     "/caregate-commit-bench-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) return false;
    dir_ = pattern;
    const std::string path = dir_ + "/commit.db";
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        vfs) != SQLITE_OK) {
      return false;
    }
    const std::string fill = absl::StrCat(
        "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s "
        "WHERE i < ",
        kIndexedRows,
        ") INSERT INTO t (k1, k2, k3, k4, body) SELECT randomblob(16), "
        "randomblob(16), randomblob(16), randomblob(16), x'' FROM s");
    return Exec(kSchemaSql) && Exec(fill) && Checkpoint() &&
           sqlite3_prepare_v2(db_, kInsertSql, -1, &insert_, nullptr) ==
               SQLITE_OK;
  }

  // One transaction of kRowsPerCommit rows with random keys.
  bool Commit(std::mt19937_64& random, const std::string& body) {
    if (!Exec("BEGIN")) return false;
    for (int row = 0; row < kRowsPerCommit; ++row) {
      for (int column = 1; column <= 4; ++column) {
        const uint64_t key[2] = {random(), random()};
        sqlite3_bind_blob(insert_, column, key, sizeof(key), SQLITE_TRANSIENT);
      }
      sqlite3_bind_blob(insert_, 5, body.data(), static_cast<int>(body.size()),
                        SQLITE_STATIC);
      const int rc = sqlite3_step(insert_);
      sqlite3_reset(insert_);
      if (rc != SQLITE_DONE) return false;
    }
    return Exec("COMMIT");
  }

  bool Checkpoint() { return Exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

 private:
  bool Exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) ==
           SQLITE_OK;
  }

  std::string dir_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

void BM_SqliteCommit(benchmark::State& state, bool batching) {
  const char* vfs = nullptr;
  if (batching) {
    absl::StatusOr<const char*> name = sqlite::BatchingVfsName();
    if (!name.ok()) {
      state.SkipWithError("the batching VFS is not registered");
      return;
    }
    vfs = *name;
  }
  CommitDatabase db;
  if (!db.Open(vfs)) {
    state.SkipWithError("cannot set up the database");
    return;
  }
  std::mt19937_64 random(7);
  const std::string body(kBodyBytes, 'b');
  int64_t commits = 0;
  for (auto _ : state) {
    if (!db.Commit(random, body)) {
      state.SkipWithError("commit failed");
      return;
    }
    if (++commits % kCommitsPerCheckpoint == 0) {
      state.PauseTiming();
      const bool checkpointed = db.Checkpoint();
      state.ResumeTiming();
      if (!checkpointed) {
        state.SkipWithError("checkpoint failed");
        return;
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kRowsPerCommit);
}

}  // namespace

void RegisterSqliteCommitBenchmarks() {
  benchmark::RegisterBenchmark("sqlite_commit/batching_vfs", BM_SqliteCommit,
                               true)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("sqlite_commit/default_vfs", BM_SqliteCommit,
                               false)
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace caregate::bench
