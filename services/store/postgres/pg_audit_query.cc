#include "services/store/postgres/pg_audit_query.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/store/postgres/pg_rows.h"
#include "services/store/sqlite_codec.h"

namespace caregate::pg {
namespace {

class Builder {
 public:
  // Appends "<condition>$N<suffix>"; the caller adds parameter N.
  PgParams& Where(const char* condition, const char* suffix = "") {
    absl::StrAppend(&out_.sql, out_.params.size() == 0 ? " WHERE " : " AND ",
                    condition, "$", out_.params.size() + 1, suffix);
    return out_.params;
  }
  void WhereText(const char* condition, const std::string& value) {
    if (!value.empty()) Where(condition).Text(value);
  }
  AuditQuerySql& out() { return out_; }

 private:
  AuditQuerySql out_{kSelectAuditEventsSql, {}};
};

}  // namespace

absl::StatusOr<AuditQuerySql> BuildAuditQuerySql(const AuditQuery& query) {
  if (query.limit < 1) {
    return absl::InvalidArgumentError("query audit events: limit must be >= 1");
  }
  Builder b;
  b.Where("seq > ").Int64(query.after_seq);
  if (!query.patient.empty()) {
    b.WhereText("practice_org_id = ", query.patient.practice_org_id);
    b.WhereText("patient_id = ", query.patient.patient_id);
  }
  b.WhereText("actor_principal_id = ", query.actor_principal_id);
  b.WhereText("recipient_org_id = ", query.recipient_org_id);
  if (!query.actions.empty()) {
    b.Where("action = ANY(", ")")
        .Int32Array(
            std::vector<int>(query.actions.begin(), query.actions.end()));
  }
  if (query.outcome != v1::DECISION_OUTCOME_UNSPECIFIED) {
    b.Where("outcome = ").Int32(query.outcome);
  }
  if (query.since.has_value()) {
    b.Where("time_us >= ").Int64(sqlite::TimeToMicros(*query.since));
  }
  if (query.until.has_value()) {
    b.Where("time_us < ").Int64(sqlite::TimeToMicros(*query.until));
  }
  AuditQuerySql& out = b.out();
  absl::StrAppend(&out.sql, " ORDER BY seq LIMIT $", out.params.size() + 1);
  out.params.Int64(query.limit);
  return std::move(out);
}

}  // namespace caregate::pg
