// How PostgreSQL errors become absl::Status for the PostgreSQL Store, in one
// place:
//   - the connection failed or was lost, the server is shutting down or
//     starting, is a read-only standby (a failover is under way: 25006), or
//     is out of a resource (class 53: disk full, too many connections)
//     -> UNAVAILABLE: retry, possibly on a new connection;
//   - unique_violation (23505) -> ALREADY_EXISTS;
//   - serialization_failure (40001) or deadlock_detected (40P01) -> ABORTED:
//     retry the whole transaction;
//   - anything else -> INTERNAL.
// The message is "<op>: <reason> (SQLSTATE <code>[, constraint <name>])":
// never the server's message text, which may quote parameter values (and so
// PHI).
//
// Pure functions, thread-safe.
#ifndef CAREGATE_SERVICES_STORE_POSTGRES_PG_STATUS_H_
#define CAREGATE_SERVICES_STORE_POSTGRES_PG_STATUS_H_

#include <string_view>

#include "absl/status/status.h"

namespace caregate::pg {

// The code for an error the server reported with `sqlstate` (5 characters).
absl::StatusCode CodeForSqlState(std::string_view sqlstate);

// The status for a statement `op` that failed with `sqlstate` on a
// constraint named `constraint` (empty when none).
absl::Status StatusForSqlState(std::string_view op, std::string_view sqlstate,
                               std::string_view constraint);

// The status for `op` when the connection is gone; `detail` is libpq's
// message about the connection (host, port, socket: no query data).
absl::Status ConnectionLost(std::string_view op, std::string_view detail);

}  // namespace caregate::pg

#endif  // CAREGATE_SERVICES_STORE_POSTGRES_PG_STATUS_H_
