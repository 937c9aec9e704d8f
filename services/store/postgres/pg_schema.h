// The PostgreSQL Store's schema and its migrations.
//
// The applied versions are rows of `schema_version`. MigrateSchema() takes a
// transaction-scoped advisory lock (pg_advisory_xact_lock) before it reads
// the version and applies each missing migration, one transaction per
// migration, so several processes starting at once on one database do not
// race: one migrates, the others wait and then find nothing to do. DDL is
// transactional in PostgreSQL: a failed migration leaves nothing.
//
// Thread-compatible: runs on the connection it is given, which must not be
// inside a transaction.
// Errors: FAILED_PRECONDITION when the database has a schema version newer
// than this build knows; those of pg_status.h otherwise.
#ifndef CAREGATE_SERVICES_STORE_POSTGRES_PG_SCHEMA_H_
#define CAREGATE_SERVICES_STORE_POSTGRES_PG_SCHEMA_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/store/postgres/pg_connection.h"

namespace caregate::pg {

// The advisory lock key that serializes migrations ("caregate" in ASCII).
inline constexpr int64_t kSchemaLockKey = 0x6361726567617465;

int LatestSchemaVersion();

// The highest applied version; 0 for a database without the schema.
absl::StatusOr<int> ReadSchemaVersion(PgConnection& db);

// Brings the schema up to LatestSchemaVersion().
absl::Status MigrateSchema(PgConnection& db);

}  // namespace caregate::pg

#endif  // CAREGATE_SERVICES_STORE_POSTGRES_PG_SCHEMA_H_
