// A small pool of read connections to one PostgreSQL database, opened on
// demand up to a maximum; Acquire() waits while all of them are leased. A
// connection that comes back lost (PgConnection::healthy() false) is closed
// instead of kept, so the next Acquire() opens a new one: that is how reads
// reconnect, e.g. to the new primary after a failover. Every read
// connection's session is read-only (default_transaction_read_only).
//
// Thread-safety: thread-safe. A Lease gives its holder sole use of one
// connection until the Lease is destroyed; every Lease must be destroyed
// before the pool.
// Errors: Acquire() returns the error of opening a new connection
// (UNAVAILABLE when the server cannot be reached).
#ifndef CAREGATE_SERVICES_STORE_POSTGRES_PG_READ_POOL_H_
#define CAREGATE_SERVICES_STORE_POSTGRES_PG_READ_POOL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/store/postgres/pg_connection.h"

namespace caregate::pg {

class PgReadPool {
 public:
  class Lease {
   public:
    Lease(PgReadPool* pool, std::unique_ptr<PgConnection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    PgConnection& connection() { return *connection_; }

   private:
    PgReadPool* pool_;
    std::unique_ptr<PgConnection> connection_;
  };

  PgReadPool(std::string conninfo, int max_connections);

  absl::StatusOr<Lease> Acquire();

 private:
  bool CanAcquire() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Release(std::unique_ptr<PgConnection> connection);
  absl::StatusOr<std::unique_ptr<PgConnection>> OpenConnection() const;

  const std::string conninfo_;
  const int max_connections_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<PgConnection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle plus leased plus being opened
};

}  // namespace caregate::pg

#endif  // CAREGATE_SERVICES_STORE_POSTGRES_PG_READ_POOL_H_
