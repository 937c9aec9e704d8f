// A small pool of read-only connections to one SQLite database, opened lazily
// up to a maximum; Acquire() waits while all of them are in use.
//
// Thread-safety: thread-safe. A Lease gives its holder sole use of one
// connection until the Lease is destroyed. Every Lease must be destroyed
// before the pool.
// Errors: Acquire() returns the error of opening a new connection.
#ifndef CAREGATE_SERVICES_STORE_SQLITE_READ_POOL_H_
#define CAREGATE_SERVICES_STORE_SQLITE_READ_POOL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/store/sqlite_connection.h"

namespace caregate::sqlite {

class SqliteReadPool {
 public:
  // A leased connection, returned to the pool on destruction.
  class Lease {
   public:
    Lease(SqliteReadPool* pool, std::unique_ptr<SqliteConnection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    SqliteConnection& connection() { return *connection_; }

   private:
    SqliteReadPool* pool_;
    std::unique_ptr<SqliteConnection> connection_;
  };

  SqliteReadPool(std::string path, int max_connections, int busy_timeout_ms);

  absl::StatusOr<Lease> Acquire();

 private:
  bool CanAcquire() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Release(std::unique_ptr<SqliteConnection> connection);

  const std::string path_;
  const int max_connections_;
  const int busy_timeout_ms_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle plus leased
};

}  // namespace caregate::sqlite

#endif  // CAREGATE_SERVICES_STORE_SQLITE_READ_POOL_H_
