#include "services/store/sqlite_audit_query.h"

#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/common/status_macros.h"
#include "services/store/sqlite_codec.h"
#include "services/store/sqlite_day_counts.h"
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
  // Starts the WHERE clause with `condition`, whose parameters ?1..?N are
  // `values`.
  void WhereFirst(const char* condition, std::vector<int64_t> values) {
    absl::StrAppend(&sql_.sql, " WHERE ", condition);
    for (int64_t v : values) sql_.params.emplace_back(v);
  }
  void WhereText(const char* condition, const std::string& value) {
    if (!value.empty()) Where(condition, value);
  }
  AuditQuerySql& sql() { return sql_; }

 private:
  AuditQuerySql sql_{kSelectAuditEventsSql, {}};
};

// Whole days [?1, ?2) from the per-day counts.
constexpr char kDayCountsSql[] =
    "SELECT kind, key, count, day FROM audit_day_counts"
    " WHERE day >= ?1 AND day < ?2";
// The same counts of the events in [?1, ?2) microseconds, a part of one day,
// read from the events and disclosures themselves; ?3 is that day.
constexpr char kPartialDayCountsSql[] =
    "SELECT 1, CAST(action AS TEXT), COUNT(*), ?3 FROM audit_events"
    "  WHERE time_us >= ?1 AND time_us < ?2 GROUP BY action"
    " UNION ALL SELECT 2, reasons, COUNT(*), ?3 FROM audit_events"
    "  WHERE action = 5 AND time_us >= ?1 AND time_us < ?2 GROUP BY reasons"
    " UNION ALL SELECT 3, actor_principal_id, COUNT(*), ?3 FROM audit_events"
    "  WHERE action = 9 AND time_us >= ?1 AND time_us < ?2"
    "  GROUP BY actor_principal_id"
    " UNION ALL SELECT 4, recipient_org_id || '/' || recipient_provider_id,"
    "  COUNT(*), ?3 FROM disclosures WHERE created_at_us >= ?1"
    "  AND created_at_us < ?2 AND outcome IN (1, 2) GROUP BY 2";

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0 && a < 0) ? 1 : 0);
}

// Sums rows of (kind, key, count, day) into maps, then into the summary.
class SummaryBuilder {
 public:
  absl::Status Add(const SqliteStatement& row) {
    const int64_t kind = row.ColumnInt64(0);
    const std::string key = row.ColumnText(1);
    const int64_t count = row.ColumnInt64(2);
    switch (kind) {
      case kByAction: {
        int action = 0;
        if (!absl::SimpleAtoi(key, &action)) {
          return absl::DataLossError("audit_day_counts: bad action key");
        }
        actions_[action] += count;
        break;
      }
      case kDeniedReasons: {
        CG_ASSIGN_OR_RETURN(std::vector<int> set, DecodeInts("reasons", key));
        for (int reason : set) reasons_[reason] += count;
        break;
      }
      case kAccessDenied:
        principals_[key] += count;
        break;
      case kDisclosures:
        recipients_[{MonthOf(row.ColumnInt64(3)), key}] += count;
        break;
      default:
        return absl::DataLossError("audit_day_counts: unknown kind");
    }
    return absl::OkStatus();
  }

  AuditSummary Build() const {
    AuditSummary out;
    for (const auto& [action, count] : actions_) {
      out.actions.push_back({static_cast<v1::AuditAction>(action), count});
    }
    for (const auto& [key, count] : recipients_) {
      const size_t slash = key.second.find('/');
      out.disclosures_by_month.push_back(
          {key.first, key.second.substr(0, slash),
           slash == std::string::npos ? "" : key.second.substr(slash + 1),
           count});
    }
    for (const auto& [reason, count] : reasons_) {
      out.denials_by_reason.push_back(
          {static_cast<v1::DenialReason>(reason), count});
    }
    for (const auto& [principal, count] : principals_) {
      out.access_denied_by_principal.push_back({principal, count});
    }
    return out;
  }

 private:
  // The first instant of the UTC month of `day` (days since the epoch).
  static absl::Time MonthOf(int64_t day) {
    const absl::CivilDay civil = absl::ToCivilDay(
        absl::FromUnixSeconds(day * 86'400), absl::UTCTimeZone());
    return absl::FromCivil(absl::CivilMonth(civil), absl::UTCTimeZone());
  }

  std::map<int, int64_t> actions_;
  std::map<int, int64_t> reasons_;
  std::map<std::string, int64_t> principals_;
  std::map<std::pair<absl::Time, std::string>, int64_t> recipients_;
};

absl::Status AddRows(SqliteStatement& stmt, SummaryBuilder& builder) {
  while (true) {
    CG_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return absl::OkStatus();
    CG_RETURN_IF_ERROR(builder.Add(stmt));
  }
}

// Adds the whole days [first_day, end_day).
absl::Status AddDays(SqliteConnection& db, int64_t first_day, int64_t end_day,
                     SummaryBuilder& builder) {
  if (first_day >= end_day) return absl::OkStatus();
  CG_ASSIGN_OR_RETURN(SqliteStatement stmt,
                      db.Prepare("read audit day counts", kDayCountsSql));
  stmt.BindInt64(1, first_day);
  stmt.BindInt64(2, end_day);
  return AddRows(stmt, builder);
}

// Adds [from_us, to_us), a part of one day, counted from the events.
absl::Status AddPartialDay(SqliteConnection& db, int64_t from_us, int64_t to_us,
                           SummaryBuilder& builder) {
  if (from_us >= to_us) return absl::OkStatus();
  CG_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db.Prepare("count audit events of a partial day", kPartialDayCountsSql));
  stmt.BindInt64(1, from_us);
  stmt.BindInt64(2, to_us);
  stmt.BindInt64(3, DayOf(from_us));
  return AddRows(stmt, builder);
}

// The period [since, until) as whole days from the day counts plus the
// partial days at either end from the events. Infinite ends take every day.
absl::Status ReadSummary(SqliteConnection& db, absl::Time since,
                         absl::Time until, SummaryBuilder& builder) {
  const bool from_start = since == absl::InfinitePast();
  const bool to_end = until == absl::InfiniteFuture();
  const int64_t since_us = TimeToMicros(since);
  const int64_t until_us = TimeToMicros(until);
  // The first whole day and the day after the last.
  const int64_t first_day = from_start
                                ? std::numeric_limits<int64_t>::min()
                                : -FloorDiv(-since_us, kDayMicros);  // ceiling
  const int64_t end_day = to_end ? std::numeric_limits<int64_t>::max()
                                 : FloorDiv(until_us, kDayMicros);
  if (first_day > end_day) {  // within one day
    return AddPartialDay(db, since_us, until_us, builder);
  }
  CG_RETURN_IF_ERROR(AddDays(db, first_day, end_day, builder));
  if (!from_start) {
    CG_RETURN_IF_ERROR(
        AddPartialDay(db, since_us, first_day * kDayMicros, builder));
  }
  if (!to_end) {
    CG_RETURN_IF_ERROR(
        AddPartialDay(db, end_day * kDayMicros, until_us, builder));
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
  if (query.since.has_value()) {
    // Starts the scan in seq order at the first event of the period (the
    // smallest seq in the time index's range) rather than at seq 1, so a
    // period far back in a large log is not reached by walking every event
    // before it. An empty period gives NULL, which matches nothing.
    const int64_t until = query.until.has_value()
                              ? TimeToMicros(*query.until)
                              : std::numeric_limits<int64_t>::max();
    b.WhereFirst(
        "seq > MAX(?1, (SELECT MIN(seq) FROM audit_events"
        " WHERE time_us >= ?2 AND time_us < ?3) - 1)",
        {query.after_seq, TimeToMicros(*query.since), until});
  } else {
    b.Where("seq >", query.after_seq);
  }
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

absl::StatusOr<AuditSummary> SummarizeAuditEvents(SqliteConnection& db,
                                                  absl::Time since,
                                                  absl::Time until) {
  CG_RETURN_IF_ERROR(db.Exec("begin summary read", "BEGIN"));
  SummaryBuilder builder;
  absl::Status status = ReadSummary(db, since, until, builder);
  // Ends the read transaction either way; a read-only one has nothing to keep.
  absl::Status ended = db.Exec("end summary read", "ROLLBACK");
  CG_RETURN_IF_ERROR(status);
  CG_RETURN_IF_ERROR(ended);
  return builder.Build();
}

}  // namespace caregate::sqlite
