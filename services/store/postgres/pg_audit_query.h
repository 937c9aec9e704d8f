// Builds the SQL of Store::QueryAuditEvents for the PostgreSQL Store: only
// the filters a query sets become conditions, each value a parameter
// ($1, $2, ...), so the text varies with the set of filters only (at most a
// few dozen texts, each prepared once per connection).
//
// Thread-safety: a pure function.
// Errors: INVALID_ARGUMENT for a limit below 1.
#ifndef CAREGATE_SERVICES_STORE_POSTGRES_PG_AUDIT_QUERY_H_
#define CAREGATE_SERVICES_STORE_POSTGRES_PG_AUDIT_QUERY_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/store/postgres/pg_connection.h"
#include "services/store/records.h"

namespace caregate::pg {

struct AuditQuerySql {
  std::string sql;
  PgParams params;
};

absl::StatusOr<AuditQuerySql> BuildAuditQuerySql(const AuditQuery& query);

}  // namespace caregate::pg

#endif  // CAREGATE_SERVICES_STORE_POSTGRES_PG_AUDIT_QUERY_H_
