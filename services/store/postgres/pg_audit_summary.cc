#include "services/store/postgres/pg_audit_summary.h"

#include <map>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/time/civil_time.h"
#include "services/common/status_macros.h"
#include "services/store/sqlite_codec.h"

namespace caregate::pg {
namespace {

enum Kind : int32_t {
  kByAction = 1,
  kDeniedReason = 2,
  kAccessDenied = 3,
  kDisclosure = 4,
};

// The first instant of the UTC month of `day` (days since the epoch).
absl::Time MonthOf(int64_t day) {
  const absl::CivilDay civil = absl::ToCivilDay(
      absl::FromUnixSeconds(day * 86'400), absl::UTCTimeZone());
  return absl::FromCivil(absl::CivilMonth(civil), absl::UTCTimeZone());
}

}  // namespace

const char kAuditSummarySql[] =
    "SELECT 1, action::text, count(*), 0::int8 FROM audit_events"
    "  WHERE time_us >= $1 AND time_us < $2 GROUP BY action"
    " UNION ALL SELECT 2, r::text, count(*), 0::int8"
    "  FROM audit_events, unnest(reasons) AS r"
    "  WHERE action = 5 AND time_us >= $1 AND time_us < $2 GROUP BY r"
    " UNION ALL SELECT 3, actor_principal_id, count(*), 0::int8"
    "  FROM audit_events WHERE action = 9 AND time_us >= $1 AND time_us < $2"
    "  GROUP BY actor_principal_id"
    " UNION ALL SELECT 4, recipient_org_id || '/' || recipient_provider_id,"
    "  count(*), floor(created_at_us / 86400000000.0)::int8 FROM disclosures"
    "  WHERE created_at_us >= $1 AND created_at_us < $2 AND outcome IN (1, 2)"
    "  GROUP BY 2, 4";

PgParams AuditSummaryParams(absl::Time since, absl::Time until) {
  return PgParams()
      .Int64(sqlite::TimeToMicros(since))
      .Int64(sqlite::TimeToMicros(until));
}

absl::StatusOr<AuditSummary> AuditSummaryFromRows(PgResult& result) {
  std::map<int, int64_t> actions, reasons;
  std::map<std::string, int64_t> principals;
  std::map<std::pair<absl::Time, std::string>, int64_t> recipients;
  for (int i = 0; i < result.rows(); ++i) {
    PgRow row = result.row(i);
    const int32_t kind = row.Int32(0);
    const std::string key = row.Text(1);
    const int64_t count = row.Int64(2);
    const int64_t day = row.Int64(3);
    CG_RETURN_IF_ERROR(row.status());
    int number = 0;
    if ((kind == kByAction || kind == kDeniedReason) &&
        !absl::SimpleAtoi(key, &number)) {
      return absl::DataLossError("audit summary: stored action is damaged");
    }
    switch (kind) {
      case kByAction: actions[number] += count; break;
      case kDeniedReason: reasons[number] += count; break;
      case kAccessDenied: principals[key] += count; break;
      case kDisclosure: recipients[{MonthOf(day), key}] += count; break;
      default: return absl::InternalError("audit summary: unknown row kind");
    }
  }
  AuditSummary out;
  for (const auto& [action, count] : actions) {
    out.actions.push_back({static_cast<v1::AuditAction>(action), count});
  }
  for (const auto& [month_key, count] : recipients) {
    const std::string& key = month_key.second;
    const size_t slash = key.find('/');
    out.disclosures_by_month.push_back(
        {month_key.first, key.substr(0, slash),
         slash == std::string::npos ? "" : key.substr(slash + 1), count});
  }
  for (const auto& [reason, count] : reasons) {
    out.denials_by_reason.push_back(
        {static_cast<v1::DenialReason>(reason), count});
  }
  for (const auto& [principal, count] : principals) {
    out.access_denied_by_principal.push_back({principal, count});
  }
  return out;
}

}  // namespace caregate::pg
