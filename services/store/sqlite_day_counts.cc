#include "services/store/sqlite_day_counts.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/store/sqlite_codec.h"

namespace caregate::sqlite {
namespace {

constexpr char kAddDayCountSql[] =
    "INSERT INTO audit_day_counts (day, kind, key, count)"
    " VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT DO UPDATE SET count = count + excluded.count";

}  // namespace

void DayCounts::AddEvent(const AuditEvent& event) {
  const int64_t day = DayOf(TimeToMicros(event.time));
  ++counts_[{day, kByAction, absl::StrCat(static_cast<int>(event.action))}];
  if (event.action == v1::AUDIT_ACTION_DISCLOSURE_DENIED) {
    ++counts_[{day, kDeniedReasons, EncodeEnums(event.reasons)}];
  }
  if (event.action == v1::AUDIT_ACTION_ACCESS_DENIED) {
    ++counts_[{day, kAccessDenied, event.actor_principal_id}];
  }
}

void DayCounts::AddDisclosure(const DisclosureRow& d) {
  if (d.outcome != v1::DECISION_OUTCOME_PERMITTED &&
      d.outcome != v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS) {
    return;
  }
  ++counts_[{DayOf(TimeToMicros(d.created_at)), kDisclosures,
             absl::StrCat(d.recipient_org_id, "/", d.recipient_provider_id)}];
}

void DayCounts::Savepoint() { saved_.push_back(counts_); }

void DayCounts::ReleaseSavepoint() {
  if (!saved_.empty()) saved_.pop_back();
}

void DayCounts::RollbackToSavepoint() {
  if (saved_.empty()) return;
  counts_ = std::move(saved_.back());
  saved_.pop_back();
}

absl::Status DayCounts::Flush(SqliteConnection& db) {
  for (const auto& [key, count] : counts_) {
    CG_ASSIGN_OR_RETURN(SqliteStatement stmt,
                        db.Prepare("add audit day counts", kAddDayCountSql));
    stmt.BindInt64(1, std::get<0>(key));
    stmt.BindInt64(2, std::get<1>(key));
    stmt.BindText(3, std::get<2>(key));
    stmt.BindInt64(4, count);
    CG_RETURN_IF_ERROR(stmt.Run());
  }
  counts_.clear();
  return absl::OkStatus();
}

}  // namespace caregate::sqlite
