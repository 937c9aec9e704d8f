#include "services/policy/decision_engine.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "services/policy/enum_names.h"
#include "services/policy/id_table.h"

namespace caregate {
namespace {

constexpr int kMaxCategories = 64;

// The bit of a category in a CategorySet's mask (0 when it cannot be a member,
// as in EnumSet).
uint64_t CategoryBit(Category category) {
  const int v = static_cast<int>(category);
  return (v >= 0 && v < kMaxCategories) ? (uint64_t{1} << v) : 0;
}

// What one pass over the patient's consents learns, as category bit masks.
struct ConsentScan {
  // Withheld by an in-effect consent covering the recipient.
  uint64_t withheld = 0;
  // Some consent, in any state, covers the recipient.
  bool any_covering = false;
  // Listed by a covering consent (any state).
  uint64_t covering = 0;
  // ... that also lists the purpose.
  uint64_t covering_purpose = 0;
  // ... and of those, one that is revoked / has expired.
  uint64_t revoked = 0;
  uint64_t expired = 0;
  // Listed by a matching consent; first_match[i] is the first such consent of
  // category i (set only where the bit is set).
  uint64_t matched = 0;
  std::array<const ConsentTerms*, kMaxCategories> first_match{};
};

void ScanConsent(const RecipientIds& recipient, Purpose purpose, int64_t now,
                 const ConsentTerms& consent, ConsentScan& scan) {
  if (!GranteeCovers(consent, recipient)) return;
  const bool in_effect = consent.InEffectAt(now);
  const uint64_t categories = consent.categories.bits();
  scan.any_covering = true;
  scan.covering |= categories;
  if (in_effect) scan.withheld |= consent.withheld_categories.bits();
  if (!consent.purposes.Contains(purpose)) return;
  scan.covering_purpose |= categories;
  if (consent.revoked) scan.revoked |= categories;
  if (consent.expires_at <= now) scan.expired |= categories;
  if (!in_effect) return;
  uint64_t fresh = categories & ~scan.matched;
  scan.matched |= fresh;
  for (; fresh != 0; fresh &= fresh - 1) {
    scan.first_match[std::countr_zero(fresh)] = &consent;
  }
}

ConsentScan ScanConsents(const DecisionRequest& request,
                         const RecipientIds& recipient,
                         std::span<const ConsentTerms* const> consents) {
  ConsentScan scan;
  const int64_t now = ToTermsTime(request.now);
  for (const ConsentTerms* consent : consents) {
    if (consent != nullptr) {
      ScanConsent(recipient, request.purpose, now, *consent, scan);
    }
  }
  return scan;
}

// The nearest miss for an uncovered section (rule 5).
DenialReason ReasonFor(const ConsentScan& scan, uint64_t bit) {
  if (scan.withheld & bit) return v1::DENIAL_REASON_CATEGORY_WITHHELD;
  if (!scan.any_covering) return v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT;
  if (!(scan.covering & bit)) return v1::DENIAL_REASON_CATEGORY_NOT_CONSENTED;
  if (!(scan.covering_purpose & bit)) {
    return v1::DENIAL_REASON_PURPOSE_NOT_CONSENTED;
  }
  if (scan.revoked & bit) return v1::DENIAL_REASON_CONSENT_REVOKED;
  if (scan.expired & bit) return v1::DENIAL_REASON_CONSENT_EXPIRED;
  return v1::DENIAL_REASON_CONSENT_NOT_YET_VALID;
}

void AddConsentId(std::string_view consent_id,
                  std::vector<std::string>& consent_ids) {
  if (std::find(consent_ids.begin(), consent_ids.end(), consent_id) ==
      consent_ids.end()) {
    consent_ids.emplace_back(consent_id);
  }
}

DecisionOutcome OutcomeFor(size_t covered, size_t total, bool redact) {
  if (total > 0 && covered == total) return v1::DECISION_OUTCOME_PERMITTED;
  if (redact && covered > 0) {
    return v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS;
  }
  return v1::DECISION_OUTCOME_DENIED;
}

std::string Explain(const DecisionResult& result, size_t covered) {
  std::string out(ShortName(result.outcome));
  if (result.sections.empty()) return out.append(": no sections");
  out.append(": ")
      .append(std::to_string(covered))
      .append(" of ")
      .append(std::to_string(result.sections.size()))
      .append(" sections covered");
  for (const SectionVerdict& section : result.sections) {
    if (section.covered || !section.reason.has_value()) continue;
    out.append("; ")
        .append(ShortName(section.category))
        .append(": ")
        .append(ShortName(*section.reason));
  }
  return out;
}

}  // namespace

bool GranteeCovers(const ConsentTerms& consent, const RecipientIds& recipient) {
  if (consent.grantee_org != recipient.org) return false;
  if (consent.grantee_provider != 0 &&
      consent.grantee_provider != recipient.provider) {
    return false;
  }
  return consent.grantee_specialty == v1::SPECIALTY_UNSPECIFIED ||
         consent.grantee_specialty == recipient.specialty;
}

DecisionResult DecideTerms(
    const DecisionRequest& request, const RecipientIds& recipient,
    std::span<const ConsentTerms* const> patient_consents) {
  const ConsentScan scan = ScanConsents(request, recipient, patient_consents);
  DecisionResult result;
  result.sections.reserve(request.section_categories.size());
  size_t covered = 0;
  for (const Category category : request.section_categories) {
    SectionVerdict& verdict = result.sections.emplace_back();
    verdict.index = static_cast<int>(result.sections.size() - 1);
    verdict.category = category;
    const uint64_t bit = CategoryBit(category);
    if ((bit & scan.matched) && !(bit & scan.withheld)) {
      const ConsentTerms& consent = *scan.first_match[std::countr_zero(bit)];
      verdict.covered = true;
      verdict.consent_id = consent.consent_id;
      AddConsentId(consent.consent_id, result.consent_ids);
      ++covered;
    } else {
      verdict.reason = ReasonFor(scan, bit);
    }
  }
  result.outcome =
      OutcomeFor(covered, result.sections.size(), request.redact_uncovered);
  if (result.outcome == v1::DECISION_OUTCOME_DENIED) result.consent_ids.clear();
  result.explanation = Explain(result, covered);
  return result;
}

DecisionResult Decide(const DecisionRequest& request,
                      std::span<const ConsentRecord* const> patient_consents) {
  IdTable ids;
  std::vector<ConsentTerms> terms;
  terms.reserve(patient_consents.size());
  for (const ConsentRecord* consent : patient_consents) {
    if (consent == nullptr ||
        consent->practice_org_id != request.practice_org_id ||
        consent->patient_id != request.patient_id) {
      continue;  // not this patient's consent
    }
    terms.push_back(TermsOf(*consent, /*patient=*/0, consent->consent_id, ids));
  }
  std::vector<const ConsentTerms*> pointers;
  pointers.reserve(terms.size());
  for (const ConsentTerms& t : terms) pointers.push_back(&t);
  const RecipientIds recipient = RecipientIdsOf(request.recipient, ids);
  return DecideTerms(request, recipient, pointers);
}

}  // namespace caregate
