// Validation of a disclosure request (CheckDisclosure, SendDisclosure) against
// the directory and the input limits, before the policy decides on it.
//
// A plain function: thread-safe, no gRPC types. Errors name the field by its
// proto path within the request and never echo titles or bodies:
//  - missing or bad field -> INVALID_ARGUMENT ("disclosure.purpose: required",
//    "disclosure.sections[2].category: required",
//    "disclosure.recipient_provider_id: provider does not belong to <org_id>");
//  - unknown recipient organization or provider -> NOT_FOUND
//    ("disclosure.recipient_org_id: unknown organization");
//  - more than limits.max_sections sections, a body over
//    limits.max_section_body_bytes, a title over kMaxTitleBytes or an id over
//    limits.max_id_length -> RESOURCE_EXHAUSTED naming the field.
// The first problem found is reported, in field order.
#ifndef CAREGATE_SERVICES_VALIDATION_DISCLOSURE_VALIDATION_H_
#define CAREGATE_SERVICES_VALIDATION_DISCLOSURE_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "caregate/v1/types.pb.h"
#include "services/config/gateway_config.h"
#include "services/policy/consent_record.h"
#include "services/validation/request_fields.h"  // IWYU pragma: export

namespace caregate {

// A disclosure that passed validation, resolved against the directory.
struct ValidatedDisclosure {
  std::string patient_id;
  Recipient recipient;  // provider_specialty from the directory
  Purpose purpose = v1::PURPOSE_UNSPECIFIED;
  std::vector<Category> section_categories;  // one per section, in order
  bool redact_uncovered = false;
};

absl::StatusOr<ValidatedDisclosure> ValidateDisclosure(
    const v1::Disclosure& disclosure, const Directory& directory,
    const InputLimits& limits);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_VALIDATION_DISCLOSURE_VALIDATION_H_
