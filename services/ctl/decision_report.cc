#include "services/ctl/decision_report.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/ctl/output.h"

namespace caregate::ctl {
namespace {

std::string Recipient(const v1::Disclosure& d) {
  return d.recipient_provider_id().empty()
             ? d.recipient_org_id()
             : absl::StrCat(d.recipient_org_id(), " (provider ",
                            d.recipient_provider_id(), ")");
}

std::string OutcomeLine(const v1::Decision& decision, bool dry_run) {
  int covered = 0;
  for (const auto& s : decision.sections()) covered += s.covered() ? 1 : 0;
  const std::string counts = absl::StrCat(
      covered, " of ", decision.sections_size(), " sections covered");
  switch (decision.outcome()) {
    case v1::DECISION_OUTCOME_PERMITTED:
      return absl::StrCat("PERMITTED: ", counts,
                          dry_run ? "; it may be sent" : "; sent");
    case v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS:
      return absl::StrCat(
          "PERMITTED_WITH_REDACTIONS: ", counts,
          dry_run ? "; only those would be sent" : "; only those were sent");
    case v1::DECISION_OUTCOME_DENIED:
      return absl::StrCat(
          "DENIED: ", counts,
          dry_run ? "; nothing would be sent" : "; nothing was sent");
    default:
      return absl::StrCat(Short(decision.outcome()), ": ", counts);
  }
}

std::string Why(const v1::SectionDecision& s, const v1::Disclosure& d) {
  if (s.covered()) return absl::StrCat("consent ", s.consent_id());
  std::vector<std::string> parts;
  for (int r : s.reasons()) {
    auto reason = static_cast<v1::DenialReason>(r);
    parts.push_back(
        absl::StrCat(Short(reason), ": ", DescribeReason(reason, d)));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, "; ");
}

// The categories of uncovered sections, split into those a new consent
// would cover and those the patient withheld.
void UncoveredCategories(const v1::Decision& decision,
                         std::vector<std::string>* askable,
                         std::vector<std::string>* withheld) {
  for (const auto& s : decision.sections()) {
    if (s.covered()) continue;
    const std::string name = Short(s.category());
    const bool is_withheld =
        s.reasons_size() > 0 &&
        s.reasons(0) == v1::DENIAL_REASON_CATEGORY_WITHHELD;
    std::vector<std::string>* list = is_withheld ? withheld : askable;
    if (std::find(list->begin(), list->end(), name) == list->end()) {
      list->push_back(name);
    }
  }
}

}  // namespace

std::string DescribeReason(v1::DenialReason reason, const v1::Disclosure& d) {
  switch (reason) {
    case v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT:
      return absl::StrCat("no consent of this patient names ", Recipient(d));
    case v1::DENIAL_REASON_CATEGORY_NOT_CONSENTED:
      return absl::StrCat("the consents for ", d.recipient_org_id(),
                          " do not list this category");
    case v1::DENIAL_REASON_PURPOSE_NOT_CONSENTED:
      return absl::StrCat("the consents for ", d.recipient_org_id(),
                          " list it, but not for ", Short(d.purpose()));
    case v1::DENIAL_REASON_CATEGORY_WITHHELD:
      return absl::StrCat("the patient withheld it from ",
                          d.recipient_org_id());
    case v1::DENIAL_REASON_CONSENT_EXPIRED:
      return "the consent that would cover it has expired";
    case v1::DENIAL_REASON_CONSENT_NOT_YET_VALID:
      return "the consent that would cover it is not in effect yet";
    case v1::DENIAL_REASON_CONSENT_REVOKED:
      return "the consent that would cover it was revoked";
    default:
      return "not covered";
  }
}

void PrintDecisionReport(const v1::Decision& decision,
                         const v1::Disclosure& disclosure, bool dry_run,
                         std::ostream& os) {
  os << OutcomeLine(decision, dry_run) << "\n";
  Table table({"SECTION", "CATEGORY", "DECISION", "CONSENT / REASON"});
  for (const auto& s : decision.sections()) {
    table.AddRow({absl::StrCat(s.index() + 1), Short(s.category()),
                  s.covered() ? "covered" : "not covered", Why(s, disclosure)});
  }
  table.Print(os);
  std::vector<std::string> askable, withheld;
  UncoveredCategories(decision, &askable, &withheld);
  if (!askable.empty()) {
    os << "To send " << (askable.size() == 1 ? "it" : "them")
       << ", ask the patient for a consent to " << Recipient(disclosure)
       << " for " << absl::StrJoin(askable, ", ") << " (purpose "
       << Short(disclosure.purpose()) << ").\n";
  }
  if (!withheld.empty()) {
    os << "The patient withheld " << absl::StrJoin(withheld, ", ") << " from "
       << disclosure.recipient_org_id()
       << ": do not send it unless the patient changes that in writing.\n";
  }
}

}  // namespace caregate::ctl
