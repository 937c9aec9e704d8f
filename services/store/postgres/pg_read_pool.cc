#include "services/store/postgres/pg_read_pool.h"

#include <utility>

#include "services/common/status_macros.h"

namespace caregate::pg {

PgReadPool::Lease::~Lease() {
  if (pool_ != nullptr && connection_ != nullptr) {
    pool_->Release(std::move(connection_));
  }
}

PgReadPool::PgReadPool(std::string conninfo, int max_connections)
    : conninfo_(std::move(conninfo)), max_connections_(max_connections) {}

bool PgReadPool::CanAcquire() const {
  return !idle_.empty() || open_ < max_connections_;
}

absl::StatusOr<std::unique_ptr<PgConnection>> PgReadPool::OpenConnection()
    const {
  CG_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> connection,
                      PgConnection::Open(conninfo_));
  CG_RETURN_IF_ERROR(connection->Exec(
      "configure read connection", "SET default_transaction_read_only = on"));
  return connection;
}

absl::StatusOr<PgReadPool::Lease> PgReadPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &PgReadPool::CanAcquire));
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++open_;  // reserved while it is being opened, outside the lock
  }
  absl::StatusOr<std::unique_ptr<PgConnection>> connection = OpenConnection();
  if (!connection.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
    return connection.status();
  }
  return Lease(this, *std::move(connection));
}

void PgReadPool::Release(std::unique_ptr<PgConnection> connection) {
  const bool keep = connection->healthy() && !connection->InTransaction();
  if (!keep) connection.reset();  // closed outside the lock
  absl::MutexLock lock(&mu_);
  if (keep) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
}

}  // namespace caregate::pg
