// The embedded SQLite implementation of Store (store.h): one database file in
// WAL mode with synchronous=NORMAL. Commit() makes a transaction visible;
// Sync() fsyncs the WAL, after which it survives a power loss too (a process
// crash loses nothing either way). WAL checkpoints run on a thread and
// connection of their own (sqlite_wal_checkpointer.h). See ADR 4.
//
// Writes go through one dedicated read-write connection (the one
// WriteTransaction at a time); reads use a pool of up to 4 read-only
// connections, opened on demand, so readers never wait for the writer and see
// the last committed state. Every connection keeps its prepared statements.
//
// Threading: as Store. The store must outlive its WriteTransaction, and every
// read call must have returned before the store is destroyed. A callback of
// ForEachConsent/ScanAuditEvents holds a read connection while it runs; it
// may call other read methods (they use another connection) but should not
// nest more than the pool's size.
//
// Files: the parent directory is created (mode 0700) when missing, the
// database file is created with mode 0600; SQLite adds "<path>-wal" and
// "<path>-shm" beside it, and the store holds an exclusive lock on
// "<path>.lock" while open: a second store (in this or another process) on the
// same database is refused with FAILED_PRECONDITION.
//
// Errors: besides those of store.h, OpenSqliteStore returns UNAVAILABLE when
// the file or its directory cannot be created or opened, DATA_LOSS when the
// file is not a database, and FAILED_PRECONDITION when the database was
// written by a newer schema version than this build knows. ListMessages and
// QueryAuditEvents return INVALID_ARGUMENT for a limit below 1.
#ifndef CAREGATE_SERVICES_STORE_SQLITE_STORE_H_
#define CAREGATE_SERVICES_STORE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/store/store.h"

namespace caregate {

// Opens (creating if needed) the database at `path` and brings its schema up
// to date.
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_STORE_SQLITE_STORE_H_
