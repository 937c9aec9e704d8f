// The parts of ConsentFromFhir (consent_import.h), split by the element they
// read. Internal to caregate_fhir.
#ifndef CAREGATE_SERVICES_FHIR_CONSENT_IMPORT_PARTS_H_
#define CAREGATE_SERVICES_FHIR_CONSENT_IMPORT_PARTS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "caregate/v1/types.pb.h"
#include "services/fhir/fhir_terminology.h"

namespace caregate::fhir::consent_import {

inline constexpr std::string_view kRoot = "Consent";

// The resources a Consent may contain, found by id while reading it.
struct Contained {
  const Json* grantee_role = nullptr;  // PractitionerRole "grantee"
  std::string grantee_path;            // its path, "Consent.contained[i]"
  const Json* signer = nullptr;        // RelatedPerson "signer"
  std::string signer_path;
};

// A Reference by identifier of `type` in `system`: returns the value. A
// literal `reference` is refused (it could point anywhere); display is
// ignored.
absl::StatusOr<std::string> ReadIdentifierReference(const Json& reference,
                                                    std::string_view path,
                                                    std::string_view type,
                                                    std::string_view system);

// Consent.provision: grantee, purposes, categories, withheld categories,
// valid_from and expires_at.
absl::Status ReadProvision(const Json& consent, const Contained& contained,
                           v1::Consent* out);

// Consent.extension: the evidence FHIR has no element for. A revocation is
// refused (a revoked consent cannot be recorded).
absl::Status ReadConsentExtensions(const Json& consent, v1::Consent* out);

}  // namespace caregate::fhir::consent_import

#endif  // CAREGATE_SERVICES_FHIR_CONSENT_IMPORT_PARTS_H_
