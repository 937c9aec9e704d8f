#include "services/store/sqlite_wal_checkpointer.h"

#include <utility>

namespace caregate::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// A PASSIVE checkpoint of `db`; a failure (a busy database) is left for the
// next one, as SQLite's automatic checkpoints do.
void CheckpointPassive(sqlite3* db) {
  sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                            nullptr);
}

}  // namespace

absl::StatusOr<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(
    const std::string& path, SqliteConnection* writer, Options options) {
  absl::StatusOr<std::unique_ptr<SqliteConnection>> own =
      SqliteConnection::Open(path, SQLITE_OPEN_READWRITE, kBusyTimeoutMs);
  if (!own.ok()) return own.status();
  return std::unique_ptr<WalCheckpointer>(
      new WalCheckpointer(writer, *std::move(own), options));
}

WalCheckpointer::WalCheckpointer(SqliteConnection* writer,
                                 std::unique_ptr<SqliteConnection> own,
                                 Options options)
    : writer_(writer), own_(std::move(own)), options_(options) {
  // Replaces SQLite's automatic checkpoint hook (also a WAL hook).
  sqlite3_wal_hook(writer_->handle(), &WalCheckpointer::OnWalCommit, this);
  thread_ = std::thread([this] { Loop(); });
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

int WalCheckpointer::OnWalCommit(void* self, sqlite3* db, const char*,
                                 int wal_pages) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  if (wal_pages >= checkpointer->options_.inline_pages) {
    CheckpointPassive(db);
    absl::MutexLock lock(&checkpointer->mu_);
    ++checkpointer->checkpoints_run_;
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
    CheckpointPassive(own_->handle());
    absl::MutexLock lock(&mu_);
    ++checkpoints_run_;
  }
}

}  // namespace caregate::sqlite
