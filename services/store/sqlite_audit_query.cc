#include "services/store/sqlite_audit_query.h"

#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/status_macros.h"
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

// ?1 and ?2 are the period [since, until) in microseconds.
constexpr char kCountByActionSql[] =
    "SELECT action, COUNT(*) FROM audit_events INDEXED BY audit_by_action_time"
    " WHERE time_us >= ?1 AND time_us < ?2 GROUP BY action ORDER BY action";
constexpr char kDisclosuresByMonthSql[] =
    "SELECT CAST(strftime('%s', created_at_us / 1000000, 'unixepoch',"
    " 'start of month') AS INTEGER) AS month, recipient_org_id,"
    " recipient_provider_id, COUNT(*) FROM disclosures"
    " WHERE created_at_us >= ?1 AND created_at_us < ?2 AND outcome IN (?3, ?4)"
    " GROUP BY month, recipient_org_id, recipient_provider_id"
    " ORDER BY month, recipient_org_id, recipient_provider_id";
// ?3 is the action.
constexpr char kReasonSetsSql[] =
    "SELECT reasons, COUNT(*) FROM audit_events"
    " WHERE action = ?3 AND time_us >= ?1 AND time_us < ?2 GROUP BY reasons";
constexpr char kCountByActorSql[] =
    "SELECT actor_principal_id, COUNT(*) FROM audit_events"
    " WHERE action = ?3 AND time_us >= ?1 AND time_us < ?2"
    " GROUP BY actor_principal_id ORDER BY actor_principal_id";

// Prepares `sql` on `db` with the period bound; ?3 and ?4 get `extra`.
absl::StatusOr<SqliteStatement> PreparePeriod(
    SqliteConnection& db, std::string_view op, std::string_view sql,
    absl::Time since, absl::Time until, std::vector<int64_t> extra = {}) {
  CG_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare(op, sql));
  stmt.BindInt64(1, TimeToMicros(since));
  stmt.BindInt64(2, TimeToMicros(until));
  for (size_t i = 0; i < extra.size(); ++i) {
    stmt.BindInt64(static_cast<int>(i) + 3, extra[i]);
  }
  return stmt;
}

absl::Status ReadSummary(SqliteConnection& db, absl::Time since,
                         absl::Time until, AuditSummary& out) {
  CG_ASSIGN_OR_RETURN(SqliteStatement actions,
                      PreparePeriod(db, "count audit events by action",
                                    kCountByActionSql, since, until));
  while (true) {
    CG_ASSIGN_OR_RETURN(bool row, actions.Step());
    if (!row) break;
    out.actions.push_back({static_cast<v1::AuditAction>(actions.ColumnInt64(0)),
                           actions.ColumnInt64(1)});
  }
  CG_ASSIGN_OR_RETURN(
      SqliteStatement months,
      PreparePeriod(db, "count disclosures by month", kDisclosuresByMonthSql,
                    since, until,
                    {v1::DECISION_OUTCOME_PERMITTED,
                     v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS}));
  while (true) {
    CG_ASSIGN_OR_RETURN(bool row, months.Step());
    if (!row) break;
    out.disclosures_by_month.push_back(
        {absl::FromUnixSeconds(months.ColumnInt64(0)), months.ColumnText(1),
         months.ColumnText(2), months.ColumnInt64(3)});
  }
  CG_ASSIGN_OR_RETURN(
      SqliteStatement reasons,
      PreparePeriod(db, "count denials by reason", kReasonSetsSql, since, until,
                    {v1::AUDIT_ACTION_DISCLOSURE_DENIED}));
  std::map<int, int64_t> by_reason;
  while (true) {
    CG_ASSIGN_OR_RETURN(bool row, reasons.Step());
    if (!row) break;
    CG_ASSIGN_OR_RETURN(std::vector<int> set,
                        DecodeInts("reasons", reasons.ColumnText(0)));
    for (int reason : set) by_reason[reason] += reasons.ColumnInt64(1);
  }
  for (const auto& [reason, count] : by_reason) {
    out.denials_by_reason.push_back(
        {static_cast<v1::DenialReason>(reason), count});
  }
  CG_ASSIGN_OR_RETURN(
      SqliteStatement actors,
      PreparePeriod(db, "count access denials by principal", kCountByActorSql,
                    since, until, {v1::AUDIT_ACTION_ACCESS_DENIED}));
  while (true) {
    CG_ASSIGN_OR_RETURN(bool row, actors.Step());
    if (!row) break;
    out.access_denied_by_principal.push_back(
        {actors.ColumnText(0), actors.ColumnInt64(1)});
  }
  return absl::OkStatus();
}

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
  b.WhereText("patient_id =", query.patient_id);
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

absl::StatusOr<AuditSummary> SummarizeAuditEvents(SqliteConnection& db,
                                                  absl::Time since,
                                                  absl::Time until) {
  CG_RETURN_IF_ERROR(db.Exec("begin summary read", "BEGIN"));
  AuditSummary summary;
  absl::Status status = ReadSummary(db, since, until, summary);
  // Ends the read transaction either way; a read-only one has nothing to keep.
  absl::Status ended = db.Exec("end summary read", "ROLLBACK");
  CG_RETURN_IF_ERROR(status);
  CG_RETURN_IF_ERROR(ended);
  return summary;
}

}  // namespace caregate::sqlite
