// Moves SQLite's WAL checkpoints off the writer thread.
//
// By default SQLite checkpoints inside the COMMIT that pushes the WAL past
// 1000 pages: the committing thread copies the WAL into the database file and
// fsyncs both. For the Store that thread is the ledger's single writer, so
// every few groups one group stalled for milliseconds (the send latency's
// p99). The checkpointer turns automatic checkpoints off on the writer
// connection and runs PASSIVE checkpoints (which never block the writer or
// readers) on a connection and thread of its own whenever a commit leaves
// `wake_pages` or more in the WAL.
//
// Under steady writes the thread's checkpoints never catch up completely
// (the writer commits while one runs), and SQLite starts the WAL over from
// its beginning only once every frame is in the database: the WAL would grow
// without end, every page a new block of the file. So once the WAL holds
// `restart_pages` and the thread has copied all but `wake_pages` of them, the
// writer checkpoints PASSIVE itself: it copies only that remainder, nothing is
// committed meanwhile, and its next transaction starts the WAL over.
//
// Should checkpoints fall far behind (a long-lived reader pinning the WAL),
// the writer checkpoints PASSIVE itself once the WAL holds `inline_pages`, so
// the WAL stays bounded.
//
// Durability is unchanged: a checkpoint only copies committed frames, syncing
// the WAL before and the database after; SQLite recovers an interrupted one.
//
// Thread-safety: constructed and destroyed by the owner of the writer
// connection while no transaction is open; the WAL hook runs on the writer
// thread.
#ifndef CAREGATE_SERVICES_STORE_SQLITE_WAL_CHECKPOINTER_H_
#define CAREGATE_SERVICES_STORE_SQLITE_WAL_CHECKPOINTER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/store/sqlite_connection.h"

namespace caregate::sqlite {

class WalCheckpointer {
 public:
  struct Options {
    int wake_pages = 1000;      // SQLite's own automatic threshold
    int restart_pages = 4000;   // ~16 MB of WAL with 4 KiB pages
    int inline_pages = 100000;  // ~400 MB of WAL with 4 KiB pages
  };

  // Opens a connection of its own to `path`, turns automatic checkpoints off
  // on `writer` and installs the WAL hook there. `writer` must outlive this
  // object.
  static absl::StatusOr<std::unique_ptr<WalCheckpointer>> Start(
      const std::string& path, SqliteConnection* writer, Options options);
  // Restores automatic checkpoints on the writer and joins the thread.
  ~WalCheckpointer();

  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Checkpoints run so far (by the thread and inline), for tests.
  int checkpoints_run() const;
  // Of those, the ones the writer ran to start the WAL over, for tests.
  int restarts_run() const;

 private:
  WalCheckpointer(SqliteConnection* writer,
                  std::unique_ptr<SqliteConnection> own, Options options);
  static int OnWalCommit(void* self, sqlite3* db, const char* schema,
                         int wal_pages);
  // Runs a PASSIVE checkpoint of `db` and records how far it got.
  void Checkpoint(sqlite3* db);
  // Whether the writer should copy the rest of a WAL of `wal_pages` itself.
  bool ShouldRestart(int wal_pages) const;
  void Loop();
  bool HasWork() const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return requested_ || stopping_;
  }

  SqliteConnection* const writer_;
  const std::unique_ptr<SqliteConnection> own_;
  const Options options_;
  mutable absl::Mutex mu_;
  bool requested_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int checkpoints_run_ ABSL_GUARDED_BY(mu_) = 0;
  int restarts_run_ ABSL_GUARDED_BY(mu_) = 0;
  // WAL frames in the database after the latest checkpoint (of the WAL as it
  // was then: a restarted WAL numbers its frames from 1 again).
  int backfilled_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace caregate::sqlite

#endif  // CAREGATE_SERVICES_STORE_SQLITE_WAL_CHECKPOINTER_H_
