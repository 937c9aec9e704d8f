#include "services/store/sqlite_read_pool.h"

#include <utility>

namespace caregate::sqlite {

SqliteReadPool::Lease::~Lease() {
  if (connection_ != nullptr) pool_->Release(std::move(connection_));
}

SqliteReadPool::SqliteReadPool(std::string path, int max_connections,
                               int busy_timeout_ms)
    : path_(std::move(path)),
      max_connections_(max_connections),
      busy_timeout_ms_(busy_timeout_ms) {}

bool SqliteReadPool::CanAcquire() const {
  return !idle_.empty() || open_ < max_connections_;
}

absl::StatusOr<SqliteReadPool::Lease> SqliteReadPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &SqliteReadPool::CanAcquire));
    if (!idle_.empty()) {
      std::unique_ptr<SqliteConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++open_;  // reserves a slot; the connection is opened without the lock
  }
  absl::StatusOr<std::unique_ptr<SqliteConnection>> connection =
      SqliteConnection::Open(path_, SQLITE_OPEN_READONLY, busy_timeout_ms_);
  if (!connection.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
    return connection.status();
  }
  return Lease(this, *std::move(connection));
}

void SqliteReadPool::Release(std::unique_ptr<SqliteConnection> connection) {
  absl::MutexLock lock(&mu_);
  idle_.push_back(std::move(connection));
}

}  // namespace caregate::sqlite
