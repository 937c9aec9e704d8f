// Conversions from the gateway's plain C++ values (services/policy) to the
// caregate.v1 API protos, and the text of a denied send.
//
// Plain functions: thread-safe, no gRPC types, no errors (every value the
// policy holds has a proto form). Enum sets become repeated fields in
// ascending enum order; absl::InfinitePast()/InfiniteFuture() times and
// absent revocations become unset fields.
#ifndef CAREGATE_SERVICES_VALIDATION_PROTO_CONVERT_H_
#define CAREGATE_SERVICES_VALIDATION_PROTO_CONVERT_H_

#include <string>

#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"
#include "services/policy/consent_record.h"
#include "services/policy/consent_terms.h"

namespace caregate {

// The consent with every field, its revision, and its status at `now`:
// REVOKED when revoked, else EXPIRED when now >= expires_at, else ACTIVE
// (ACTIVE includes a consent that is not valid yet).
v1::Consent ConsentToProto(const ConsentRecord& record, absl::Time now);

// The status of `record` at `now`, as ConsentToProto sets it.
v1::ConsentStatus ConsentStatusAt(const ConsentRecord& record, absl::Time now);

// The decision; each uncovered section's one reason (the nearest miss) is the
// only entry of SectionDecision.reasons.
v1::Decision DecisionToProto(const DecisionResult& result);

// What a recipient sees of a consent a message relied on (as the index
// holds it: the summary reads only its terms).
v1::ConsentSummary ConsentSummaryOf(const IndexedConsent& consent);

// The FAILED_PRECONDITION message of a denied send, naming each uncovered
// section by its index in the disclosure (0-based, as in
// SectionDecision.index), its category and its reason, e.g.
// "disclosure denied: section 1 SEXUAL_HISTORY: NO_CONSENT_FOR_RECIPIENT;
// section 2 TRAUMA_HISTORY: CATEGORY_WITHHELD". PHI-free.
std::string DenialMessage(const DecisionResult& result);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_VALIDATION_PROTO_CONVERT_H_
