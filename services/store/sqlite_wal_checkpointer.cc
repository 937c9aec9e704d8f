#include "services/store/sqlite_wal_checkpointer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/thread_name.h"

namespace caregate::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;

}  // namespace

absl::StatusOr<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(
    const std::string& path, SqliteConnection* writer, Options options) {
  absl::StatusOr<std::unique_ptr<SqliteConnection>> own =
      SqliteConnection::Open(path, SQLITE_OPEN_READWRITE, kBusyTimeoutMs);
  if (!own.ok()) return own.status();
  // A connection learns that the database is in WAL mode when it first reads
  // it; until then sqlite3_wal_checkpoint_v2 does nothing and says OK.
  absl::StatusOr<std::string> mode =
      (*own)->QueryText("open the WAL to checkpoint", "PRAGMA journal_mode");
  if (!mode.ok()) return mode.status();
  if (*mode != "wal") {
    return absl::FailedPreconditionError(absl::StrCat(
        "checkpoint the WAL: the database is in '", *mode, "' mode, not WAL"));
  }
  return std::unique_ptr<WalCheckpointer>(
      new WalCheckpointer(writer, *std::move(own), options));
}

WalCheckpointer::WalCheckpointer(SqliteConnection* writer,
                                 std::unique_ptr<SqliteConnection> own,
                                 Options options)
    : writer_(writer), own_(std::move(own)), options_(options) {
  // Replaces SQLite's automatic checkpoint hook (also a WAL hook).
  sqlite3_wal_hook(writer_->handle(), &WalCheckpointer::OnWalCommit, this);
  thread_ = std::thread([this] {
    SetCurrentThreadName("wal-checkpoint");
    Loop();
  });
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_autocheckpoint(writer_->handle(), 1000);  // SQLite's default
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

int WalCheckpointer::checkpoints_run() const {
  absl::MutexLock lock(&mu_);
  return checkpoints_run_;
}

int WalCheckpointer::restarts_run() const {
  absl::MutexLock lock(&mu_);
  return restarts_run_;
}

// A failure (a busy database, another checkpoint running) is left for the
// next one, as SQLite's automatic checkpoints do.
void WalCheckpointer::Checkpoint(sqlite3* db) {
  int log_frames = 0;
  int copied_frames = 0;
  const int rc = sqlite3_wal_checkpoint_v2(
      db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied_frames);
  absl::MutexLock lock(&mu_);
  ++checkpoints_run_;
  if (rc == SQLITE_OK && copied_frames >= 0) backfilled_ = copied_frames;
}

bool WalCheckpointer::ShouldRestart(int wal_pages) const {
  if (wal_pages < options_.restart_pages) return false;
  absl::MutexLock lock(&mu_);
  // A WAL smaller than what was copied has started over since.
  const int copied = backfilled_ <= wal_pages ? backfilled_ : 0;
  return wal_pages - copied <= options_.wake_pages;
}

int WalCheckpointer::OnWalCommit(void* self, sqlite3* db, const char*,
                                 int wal_pages) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  if (wal_pages >= checkpointer->options_.inline_pages) {
    checkpointer->Checkpoint(db);
  } else if (checkpointer->ShouldRestart(wal_pages)) {
    checkpointer->Checkpoint(db);
    absl::MutexLock lock(&checkpointer->mu_);
    ++checkpointer->restarts_run_;
  } else if (wal_pages >= checkpointer->options_.wake_pages) {
    absl::MutexLock lock(&checkpointer->mu_);
    checkpointer->requested_ = true;
  }
  return SQLITE_OK;
}

void WalCheckpointer::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &WalCheckpointer::HasWork));
      if (stopping_) return;
      requested_ = false;
    }
    Checkpoint(own_->handle());
  }
}

}  // namespace caregate::sqlite
