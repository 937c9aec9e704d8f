// For tests only: realistic, PHI-free audit events and chains of them.
//
// Ids follow the dev-init sample directory (docs in API.md); patient ids are
// opaque practice-assigned ids, as in production.
#ifndef CAREGATE_SERVICES_AUDIT_TEST_EVENTS_H_
#define CAREGATE_SERVICES_AUDIT_TEST_EVENTS_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/audit/audit_chain.h"
#include "services/audit/audit_event.h"
#include "services/crypto/sha256.h"

namespace caregate::testing {

// The i-th event of a plausible day at sunrise-therapy: mostly permitted
// disclosures, with denials, acknowledgements and a refused call mixed in.
// Its time has a sub-microsecond part, which AuditChain::Append truncates.
inline AuditEvent MakeTestEvent(int i) {
  AuditEvent e;
  e.time = absl::FromUnixSeconds(1717405200) + absl::Seconds(37 * i) +
           absl::Nanoseconds(123456789);
  e.actor_principal_id = "dr-rivera";
  e.actor_role = v1::ROLE_THERAPIST;
  e.actor_org_id = "sunrise-therapy";
  e.practice_org_id = "sunrise-therapy";
  e.patient_id = absl::StrCat("p-", 1001 + i % 13);
  e.recipient_org_id = i % 2 == 0 ? "lakeside-obgyn" : "core-pelvic-pt";
  e.purpose = v1::PURPOSE_REFERRAL;
  e.request_id = absl::StrCat("req-7f3a", 1000 + i);
  e.subject_id = absl::StrCat("dsc-01hzx4q8k2m", 100 + i);
  e.content_sha256 = Sha256Hex(absl::StrCat("sealed disclosure ", i));
  e.detail = "SendDisclosure";
  switch (i % 5) {
    case 3:  // denied: the patient withheld trauma history
      e.action = v1::AUDIT_ACTION_DISCLOSURE_DENIED;
      e.outcome = v1::DECISION_OUTCOME_DENIED;
      e.categories = {v1::CATEGORY_TRAUMA_HISTORY};
      e.reasons = {v1::DENIAL_REASON_CATEGORY_WITHHELD};
      break;
    case 4:  // the clinic acknowledges a message
      e.actor_principal_id = "lakeside-obgyn-inbox";
      e.actor_role = v1::ROLE_CLINIC;
      e.actor_org_id = "lakeside-obgyn";
      e.action = v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED;
      e.subject_id = absl::StrCat("msg-4tq9c2w7hn", 100 + i);
      e.detail = "AcknowledgeMessage";
      break;
    default:
      e.action = v1::AUDIT_ACTION_DISCLOSURE_PERMITTED;
      e.outcome = v1::DECISION_OUTCOME_PERMITTED;
      e.categories = {v1::CATEGORY_SESSION_ATTENDANCE,
                      v1::CATEGORY_TREATMENT_SUMMARY};
      e.consent_ids = {absl::StrCat("cns-9d2k", 10 + i % 13)};
      break;
  }
  return e;
}

// Events 1..n appended to a fresh chain; events[k] has seq k + 1.
inline std::vector<AuditEvent> BuildTestChain(int n) {
  AuditChain chain;
  std::vector<AuditEvent> events;
  events.reserve(n);
  for (int i = 0; i < n; ++i) {
    events.push_back(MakeTestEvent(i));
    chain.Append(&events.back());
  }
  return events;
}

}  // namespace caregate::testing

#endif  // CAREGATE_SERVICES_AUDIT_TEST_EVENTS_H_
