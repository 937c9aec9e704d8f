// The decision engine: whether a disclosure's sections are covered by the
// patient's consents, per DESIGN.md "Decision rules" 2-5 (withheld, covered,
// outcome, and the reason ladder for each uncovered section).
//
// Plain functions of their arguments: no I/O, no locks, no clock (the request
// carries `now`). Thread-safe as long as the consents are not mutated during
// the call; nothing is retained. Never fails: a request nothing covers is
// DENIED with a reason per section.
#ifndef CAREGATE_SERVICES_POLICY_DECISION_ENGINE_H_
#define CAREGATE_SERVICES_POLICY_DECISION_ENGINE_H_

#include <span>

#include "services/policy/consent_record.h"
#include "services/policy/consent_terms.h"

namespace caregate {

// Whether the grantee of `consent` covers `recipient`: same org and, when
// named, the same provider and the same specialty.
bool GranteeCovers(const ConsentTerms& consent, const RecipientIds& recipient);

// Decides `request` against `patient_consents`: every consent, in any state,
// of request's patient, in recording order (the order breaks ties: a section
// names the first matching consent), with `recipient` the request's
// recipient in the ids the consents use. The caller (ConsentIndex) passes
// only that patient's consents; null pointers are ignored.
//
// The explanation is PHI-free: enum names and counts only, e.g.
// "DENIED: 1 of 2 sections covered; SEXUAL_HISTORY: NO_CONSENT_FOR_RECIPIENT".
//
// Cost: one pass over the consents plus one over the sections, with no heap
// allocation beyond the result itself.
DecisionResult DecideTerms(
    const DecisionRequest& request, const RecipientIds& recipient,
    std::span<const ConsentTerms* const> patient_consents);

// The same decision over full records, for callers without an index (tests,
// tools): consents of another patient or practice, and null pointers, are
// ignored. Allocates a small id table per call.
DecisionResult Decide(const DecisionRequest& request,
                      std::span<const ConsentRecord* const> patient_consents);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_POLICY_DECISION_ENGINE_H_
