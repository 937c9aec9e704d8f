// Validation of a consent form before it is recorded (RecordConsent).
//
// Checks the elements of a valid written authorization (HIPAA 45 CFR
// 164.508(c)) like a compliance officer would, and converts the proto to the
// gateway's ConsentRecord. A plain function: thread-safe, no gRPC types.
//
// Errors name the element by its proto path within RecordConsentRequest and
// never echo free text (names, descriptions):
//  - a missing or bad element -> INVALID_ARGUMENT, e.g.
//    "consent.evidence.signed_at: required",
//    "consent.grantee.org_id: unknown organization",
//    "consent.expires_at: already expired";
//    dates are bounded by `limits`: signed_at and valid_from not before
//    limits.earliest_signed_at, signed_at not in the future (beyond
//    kMaxSignatureClockSkew), expires_at at most limits.max_consent_term
//    after `now`; the grantee must be a partner clinic (a therapy practice
//    has no inbox); free text may hold no control characters but newline
//    and tab;
//  - an id or text over its length limit -> RESOURCE_EXHAUSTED.
// The first problem found is reported, in field order.
//
// Repeated purposes and categories are sets: duplicates are collapsed, not
// refused. Output-only fields of the proto (consent_id, practice_org_id,
// status, revision, recorded_*, revoked_*) are ignored.
#ifndef CAREGATE_SERVICES_VALIDATION_CONSENT_VALIDATION_H_
#define CAREGATE_SERVICES_VALIDATION_CONSENT_VALIDATION_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"
#include "services/config/gateway_config.h"
#include "services/policy/consent_record.h"

namespace caregate {

// How far in the future a form's signed_at may be (clock skew).
inline constexpr absl::Duration kMaxSignatureClockSkew = absl::Minutes(5);

// Validates `consent` as of `now` and returns it as a ConsentRecord with every
// recordable field set; valid_from defaults to `now`, document_sha256 is
// lowercased. The caller sets consent_id, practice_org_id, recorded_by,
// recorded_at and request_id.
absl::StatusOr<ConsentRecord> ValidateConsentForRecording(
    const v1::Consent& consent, const Directory& directory,
    const InputLimits& limits, absl::Time now);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_VALIDATION_CONSENT_VALIDATION_H_
