// The SQLite Store's schema and its versioned migrations.
//
// The schema version is the database's PRAGMA user_version: 0 for a new
// file, then the version of the last migration applied. Migrations are a
// list in code (sqlite_schema.cc), each applied in its own IMMEDIATE
// transaction together with the new user_version, so a crash leaves the
// database at one version or the next, never between.
//
// Thread-safety: MigrateSchema() uses the given connection only.
#ifndef CAREGATE_SERVICES_STORE_SQLITE_SCHEMA_H_
#define CAREGATE_SERVICES_STORE_SQLITE_SCHEMA_H_

#include "absl/status/status.h"
#include "services/store/sqlite_connection.h"

namespace caregate::sqlite {

// The version this build's schema has (the last migration's).
int LatestSchemaVersion();

// Brings the database of `db` to LatestSchemaVersion(). FAILED_PRECONDITION
// when the database is newer than this build (written by a later release);
// otherwise the error of the failed migration, which is rolled back.
absl::Status MigrateSchema(SqliteConnection& db);

}  // namespace caregate::sqlite

#endif  // CAREGATE_SERVICES_STORE_SQLITE_SCHEMA_H_
