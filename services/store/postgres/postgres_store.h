// The PostgreSQL implementation of Store (store.h), on libpq, for one or
// several gateway processes (replicas) sharing one database.
//
// Durability: Commit() returns once PostgreSQL has made the commit durable:
// the writer's session runs with synchronous_commit on (raised from `off`
// if the server is configured so; `local`, `remote_write` and
// `remote_apply` are kept), which with synchronous_standby_names set also
// waits for the standby. So Sync() has nothing left to do and is a no-op.
//
// Connections: one writer connection per store, used by the one
// WriteTransaction at a time (pg_write_transaction.h says how writers of
// other processes interleave); reads use a pool of up to
// `max_read_connections` read-only connections opened on demand
// (pg_read_pool.h), each read one autocommit statement that sees the last
// committed state. ForEachConsent, ScanAuditEvents and ScanCheckpoints read
// in pages of a few hundred rows and hold no connection while their callback
// runs, so a callback may call any read method.
//
// Reconnection: a lost connection fails the call in progress with
// UNAVAILABLE. The next BeginWrite() opens a new writer connection (a
// BEGIN that finds its connection dead is retried once on a new one); a read
// that finds its pooled connection dead is retried once on a new one. With
// a multi-host conninfo and target_session_attrs=read-write, the new
// connection goes to whichever server is the primary now.
//
// Schema: created or migrated by OpenPostgresStore under an advisory lock
// (pg_schema.h), so replicas may start together. The role needs to create
// tables in the first schema of its search_path (e.g. own the database).
//
// Threading: as Store. The store must outlive its WriteTransaction, and
// every read call must have returned before the store is destroyed.
//
// Errors: besides those of store.h and pg_status.h, OpenPostgresStore
// returns UNAVAILABLE when no server in the conninfo accepts a connection
// (also for a database that does not exist), and FAILED_PRECONDITION when
// the database has a newer schema version than this build knows.
// ListMessages and QueryAuditEvents return INVALID_ARGUMENT for a limit
// below 1.
#ifndef CAREGATE_SERVICES_STORE_POSTGRES_POSTGRES_STORE_H_
#define CAREGATE_SERVICES_STORE_POSTGRES_POSTGRES_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/store/store.h"

namespace caregate {

struct PostgresStoreOptions {
  int max_read_connections = 4;
};

// Connects with the libpq `conninfo` and brings the schema up to date.
absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(
    const std::string& conninfo, const PostgresStoreOptions& options = {});

}  // namespace caregate

#endif  // CAREGATE_SERVICES_STORE_POSTGRES_POSTGRES_STORE_H_
