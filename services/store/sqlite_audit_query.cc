#include "services/store/sqlite_audit_query.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/store/sqlite_codec.h"
#include "services/store/sqlite_rows.h"

namespace caregate::sqlite {
namespace {

class Builder {
 public:
  // Adds "<condition> ?N<suffix>" with `value` as parameter N.
  template <typename T>
  void Where(const char* condition, T value, const char* suffix = "") {
    absl::StrAppend(&sql_.sql, sql_.params.empty() ? " WHERE " : " AND ",
                    condition, " ?", sql_.params.size() + 1, suffix);
    sql_.params.emplace_back(std::move(value));
  }
  void WhereText(const char* condition, const std::string& value) {
    if (!value.empty()) Where(condition, value);
  }
  AuditQuerySql& sql() { return sql_; }

 private:
  AuditQuerySql sql_{kSelectAuditEventsSql, {}};
};

}  // namespace

void AuditQuerySql::Bind(SqliteStatement& stmt) const {
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (const auto* n = std::get_if<int64_t>(&params[i])) {
      stmt.BindInt64(index, *n);
    } else {
      stmt.BindText(index, std::get<std::string>(params[i]));
    }
  }
}

absl::StatusOr<AuditQuerySql> BuildAuditQuerySql(const AuditQuery& query) {
  if (query.limit < 1) {
    return absl::InvalidArgumentError("query audit events: limit must be >= 1");
  }
  Builder b;
  b.Where("seq >", query.after_seq);
  if (!query.patient.empty()) {
    b.WhereText("practice_org_id =", query.patient.practice_org_id);
    b.WhereText("patient_id =", query.patient.patient_id);
  }
  b.WhereText("actor_principal_id =", query.actor_principal_id);
  b.WhereText("recipient_org_id =", query.recipient_org_id);
  if (!query.actions.empty()) {
    const std::vector<int> actions(query.actions.begin(), query.actions.end());
    b.Where("action IN (SELECT value FROM json_each(",
            absl::StrCat("[", absl::StrJoin(actions, ","), "]"), "))");
  }
  if (query.outcome != v1::DECISION_OUTCOME_UNSPECIFIED) {
    b.Where("outcome =", static_cast<int64_t>(query.outcome));
  }
  if (query.since.has_value()) {
    b.Where("time_us >=", TimeToMicros(*query.since));
  }
  if (query.until.has_value()) {
    b.Where("time_us <", TimeToMicros(*query.until));
  }
  AuditQuerySql& out = b.sql();
  absl::StrAppend(&out.sql, " ORDER BY seq LIMIT ?", out.params.size() + 1);
  out.params.emplace_back(static_cast<int64_t>(query.limit));
  return std::move(out);
}

}  // namespace caregate::sqlite
