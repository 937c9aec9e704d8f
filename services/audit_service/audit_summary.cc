#include "services/audit_service/audit_summary.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

namespace caregate {
namespace {

v1::Specialty SpecialtyOf(const std::string& provider_id,
                          const Directory& directory) {
  const ProviderInfo* provider = directory.FindProvider(provider_id);
  return provider == nullptr ? v1::SPECIALTY_UNSPECIFIED : provider->specialty;
}

void AddDisclosuresByMonth(const AuditSummary& summary,
                           const Directory& directory,
                           v1::SummarizeAuditEventsResponse& out) {
  std::map<std::pair<absl::Time, v1::Specialty>, int64_t> merged;
  for (const AuditSummary::MonthlyRecipientCount& m :
       summary.disclosures_by_month) {
    merged[{m.month_start, SpecialtyOf(m.recipient_provider_id, directory)}] +=
        m.count;
  }
  for (const auto& [key, count] : merged) {
    v1::MonthlyDisclosureCount* row = out.add_disclosures_by_month();
    *row->mutable_month_start() = ToProtoTime(key.first);
    row->set_specialty(key.second);
    row->set_count(count);
  }
}

void AddAccessDenials(const AuditSummary& summary,
                      v1::SummarizeAuditEventsResponse& out) {
  std::vector<AuditSummary::PrincipalCount> sorted =
      summary.access_denied_by_principal;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count
                              : a.principal_id < b.principal_id;
  });
  for (const AuditSummary::PrincipalCount& p : sorted) {
    v1::PrincipalCount* row = out.add_access_denied_by_principal();
    row->set_principal_id(p.principal_id);
    row->set_count(p.count);
  }
}

}  // namespace

absl::StatusOr<SummaryPeriod> ParseSummaryRequest(
    const v1::SummarizeAuditEventsRequest& request) {
  SummaryPeriod period;
  if (!IsUnset(request.since())) {
    CG_ASSIGN_OR_RETURN(period.since, FromProtoTime(request.since(), "since"));
  }
  if (!IsUnset(request.until())) {
    CG_ASSIGN_OR_RETURN(period.until, FromProtoTime(request.until(), "until"));
  }
  if (period.until < period.since) {
    return absl::InvalidArgumentError("until: before since");
  }
  return period;
}

v1::SummarizeAuditEventsResponse SummaryToProto(const AuditSummary& summary,
                                                const Directory& directory) {
  v1::SummarizeAuditEventsResponse out;
  for (const AuditSummary::ActionCount& a : summary.actions) {
    v1::ActionCount* row = out.add_action_counts();
    row->set_action(a.action);
    row->set_count(a.count);
  }
  AddDisclosuresByMonth(summary, directory, out);
  for (const AuditSummary::ReasonCount& r : summary.denials_by_reason) {
    v1::DenialReasonCount* row = out.add_denials_by_reason();
    row->set_reason(r.reason);
    row->set_count(r.count);
  }
  AddAccessDenials(summary, out);
  return out;
}

}  // namespace caregate
