// Consent.extension -> the evidence FHIR has no element for.
#include <string>

#include "services/common/status_macros.h"
#include "services/fhir/cat.h"
#include "services/fhir/consent_import_parts.h"
#include "services/fhir/fhir_reader.h"

namespace caregate::fhir::consent_import {
namespace {

absl::StatusOr<bool> ReadBoolean(const Json& ext, std::string_view path) {
  CG_RETURN_IF_ERROR(CheckObject(ext, path, {"url", "valueBoolean"}));
  const Json* value = Find(ext, "valueBoolean");
  if (value == nullptr || !value->is_boolean()) {
    return Refuse(Member(path, "valueBoolean"), "must be true or false");
  }
  return value->get<bool>();
}

absl::StatusOr<std::string> ReadText(const Json& ext, std::string_view path) {
  CG_RETURN_IF_ERROR(CheckObject(ext, path, {"url", "valueString"}));
  return RequiredString(ext, "valueString", path, "the extension's value");
}

// One sub-extension of the evidence extension.
absl::Status ReadEvidencePart(const Json& ext, std::string_view path,
                              v1::ConsentEvidence* e) {
  CG_ASSIGN_OR_RETURN(std::string url, RequiredString(ext, "url", path,
                                                      "extensions have a url"));
  if (url == kEvidenceInformationDescription) {
    CG_ASSIGN_OR_RETURN(*e->mutable_information_description(),
                        ReadText(ext, path));
  } else if (url == kEvidenceRepresentativeAuthority) {
    CG_ASSIGN_OR_RETURN(*e->mutable_representative_authority(),
                        ReadText(ext, path));
  } else if (url == kEvidenceWitness) {
    CG_ASSIGN_OR_RETURN(*e->mutable_witness(), ReadText(ext, path));
  } else if (url == kEvidenceStatesRightToRevoke) {
    CG_ASSIGN_OR_RETURN(bool b, ReadBoolean(ext, path));
    e->set_states_right_to_revoke(b);
  } else if (url == kEvidenceStatesTreatmentNotConditioned) {
    CG_ASSIGN_OR_RETURN(bool b, ReadBoolean(ext, path));
    e->set_states_treatment_not_conditioned(b);
  } else if (url == kEvidenceStatesRedisclosureRisk) {
    CG_ASSIGN_OR_RETURN(bool b, ReadBoolean(ext, path));
    e->set_states_redisclosure_risk(b);
  } else if (url == kEvidenceCaptureMethod) {
    CG_RETURN_IF_ERROR(CheckObject(ext, path, {"url", "valueCoding"}));
    const Json* coding = Find(ext, "valueCoding");
    if (coding == nullptr)
      return Refuse(Member(path, "valueCoding"), "missing");
    CG_ASSIGN_OR_RETURN(v1::CaptureMethod method,
                        ReadCaregateCoding<v1::CaptureMethod>(
                            *coding, Member(path, "valueCoding")));
    e->set_capture_method(method);
  } else {
    return Refuse(Member(path, "url"), Cat("unknown part \"", url, "\" of ",
                                           kConsentEvidenceExtension));
  }
  return absl::OkStatus();
}

absl::Status ReadEvidence(const Json& ext, std::string_view path,
                          v1::ConsentEvidence* e) {
  CG_RETURN_IF_ERROR(CheckObject(ext, path, {"url", "extension"}));
  CG_ASSIGN_OR_RETURN(const Json* parts, OptionalArray(ext, "extension", path));
  for (size_t i = 0; parts != nullptr && i < parts->size(); ++i) {
    CG_RETURN_IF_ERROR(
        ReadEvidencePart((*parts)[i], Item(Member(path, "extension"), i), e));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadConsentExtensions(const Json& consent, v1::Consent* out) {
  if (const Json* modifiers = Find(consent, "modifierExtension");
      modifiers != nullptr) {
    return Refuse(Member(kRoot, "modifierExtension"),
                  "caregate cannot honour modifier extensions");
  }
  CG_ASSIGN_OR_RETURN(const Json* list,
                      OptionalArray(consent, "extension", kRoot));
  for (size_t i = 0; list != nullptr && i < list->size(); ++i) {
    const std::string path = Item(Member(kRoot, "extension"), i);
    const Json& ext = (*list)[i];
    CG_ASSIGN_OR_RETURN(
        std::string url,
        RequiredString(ext, "url", path, "extensions have a url"));
    if (url == kConsentEvidenceExtension) {
      CG_RETURN_IF_ERROR(ReadEvidence(ext, path, out->mutable_evidence()));
    } else if (url == kConsentRevocationExtension) {
      return Refuse(path,
                    "the consent was revoked; a revoked consent cannot "
                    "be recorded");
    } else {
      return Refuse(Member(path, "url"),
                    Cat("unknown extension \"", url,
                        "\"; caregate cannot tell whether it "
                        "changes what the consent permits"));
    }
  }
  return absl::OkStatus();
}

}  // namespace caregate::fhir::consent_import
