#include "services/validation/disclosure_validation.h"

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/status_macros.h"
#include "services/validation/field_errors.h"

namespace caregate {
namespace {

using validation_internal::CheckRequiredEnum;
using validation_internal::FieldError;
using validation_internal::Indexed;
using validation_internal::InvalidField;

absl::StatusOr<Recipient> ValidateRecipient(const v1::Disclosure& d,
                                            const Directory& directory,
                                            const InputLimits& limits) {
  constexpr std::string_view kOrg = "disclosure.recipient_org_id";
  constexpr std::string_view kProvider = "disclosure.recipient_provider_id";
  CG_RETURN_IF_ERROR(ValidateIdField(d.recipient_org_id(), kOrg, limits));
  const OrganizationInfo* org =
      directory.FindOrganization(d.recipient_org_id());
  if (org == nullptr) {
    return FieldError(absl::StatusCode::kNotFound, kOrg,
                      "unknown organization");
  }
  if (org->kind != v1::ORGANIZATION_KIND_PARTNER_CLINIC) {
    return InvalidField(kOrg,
                        "is a therapy practice, not a partner clinic; "
                        "disclosures go to partner clinics");
  }
  CG_RETURN_IF_ERROR(
      ValidateIdField(d.recipient_provider_id(), kProvider, limits));
  const ProviderInfo* provider =
      directory.FindProvider(d.recipient_provider_id());
  if (provider == nullptr) {
    return FieldError(absl::StatusCode::kNotFound, kProvider,
                      "unknown provider");
  }
  if (provider->org_id != d.recipient_org_id()) {
    return InvalidField(kProvider, absl::StrCat("provider does not belong to ",
                                                d.recipient_org_id()));
  }
  return Recipient{provider->org_id, provider->provider_id,
                   provider->specialty};
}

// Checks one section; errors name its fields under `path`.
absl::Status ValidateSectionAt(const v1::Section& section,
                               std::string_view path,
                               const InputLimits& limits) {
  CG_RETURN_IF_ERROR(
      CheckRequiredEnum(section.category(), v1::Category_IsValid,
                        absl::StrCat(AsAbsl(path), ".category")));
  CG_RETURN_IF_ERROR(ValidateTextField(section.title(),
                                       absl::StrCat(AsAbsl(path), ".title"),
                                       kMaxTitleBytes, /*required=*/false));
  if (static_cast<int64_t>(section.body().size()) >
      limits.max_section_body_bytes) {
    return FieldError(
        absl::StatusCode::kResourceExhausted,
        absl::StrCat(AsAbsl(path), ".body"),
        absl::StrCat("larger than ", limits.max_section_body_bytes, " bytes"));
  }
  return ValidateTextContent(section.body(),
                             absl::StrCat(AsAbsl(path), ".body"));
}

// The common case (a valid section) builds no field path: the check runs
// under a placeholder first, and again under the real path
// ("disclosure.sections[i]") only to word a failure.
absl::Status ValidateSection(const v1::Section& section, int index,
                             const InputLimits& limits) {
  if (ValidateSectionAt(section, "", limits).ok()) return absl::OkStatus();
  return ValidateSectionAt(section, Indexed("disclosure.sections", index),
                           limits);
}

absl::StatusOr<std::vector<Category>> ValidateSections(
    const v1::Disclosure& d, const InputLimits& limits) {
  constexpr std::string_view kSections = "disclosure.sections";
  if (d.sections().empty()) {
    return InvalidField(kSections, "at least one required");
  }
  if (d.sections_size() > limits.max_sections) {
    return FieldError(
        absl::StatusCode::kResourceExhausted, kSections,
        absl::StrCat("more than ", limits.max_sections, " sections"));
  }
  std::vector<Category> categories;
  categories.reserve(d.sections_size());
  for (int i = 0; i < d.sections_size(); ++i) {
    CG_RETURN_IF_ERROR(ValidateSection(d.sections(i), i, limits));
    categories.push_back(d.sections(i).category());
  }
  return categories;
}

}  // namespace

absl::StatusOr<ValidatedDisclosure> ValidateDisclosure(
    const v1::Disclosure& disclosure, const Directory& directory,
    const InputLimits& limits) {
  ValidatedDisclosure v;
  CG_RETURN_IF_ERROR(ValidateIdField(disclosure.patient_id(),
                                     "disclosure.patient_id", limits));
  v.patient_id = disclosure.patient_id();
  CG_ASSIGN_OR_RETURN(v.recipient,
                      ValidateRecipient(disclosure, directory, limits));
  CG_RETURN_IF_ERROR(CheckRequiredEnum(
      disclosure.purpose(), v1::Purpose_IsValid, "disclosure.purpose"));
  v.purpose = disclosure.purpose();
  CG_ASSIGN_OR_RETURN(v.section_categories,
                      ValidateSections(disclosure, limits));
  v.redact_uncovered = disclosure.redact_uncovered();
  return v;
}

}  // namespace caregate
