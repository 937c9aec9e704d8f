// The one place that names caregate's FHIR R4 vocabulary: the CodeSystem,
// NamingSystem (identifier system), StructureDefinition (extension) and
// ValueSet URIs of caregate, and the codes of its enums. docs/fhir.md lists
// them for other implementations.
//
// Codes are derived from the caregate.v1 enum names, so every enum value has
// one without a table to keep in step: the name without its prefix, in
// lowercase, with '-' for '_' (CATEGORY_SEXUAL_HISTORY -> "sexual-history",
// AUDIT_ACTION_MESSAGE_DELIVERED -> "message-delivered"). The display is the
// same words in sentence case ("Sexual history"). *_UNSPECIFIED has no code.
//
// Thread-safe free functions; the descriptor tables are built once.
#ifndef CAREGATE_SERVICES_FHIR_FHIR_TERMINOLOGY_H_
#define CAREGATE_SERVICES_FHIR_FHIR_TERMINOLOGY_H_

#include <optional>
#include <string>
#include <string_view>

#include "caregate/v1/types.pb.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "nlohmann/json.hpp"

namespace caregate::fhir {

// FHIR JSON with its members in insertion order (resourceType first).
using Json = nlohmann::ordered_json;

// The root of every caregate URI below. ".example" is reserved (RFC 2606):
// it marks the namespace as caregate's own and is never a real host to fetch.
inline constexpr std::string_view kBase = "https://caregate.example/fhir";

// CodeSystems (each also has a ValueSet of all its codes: replace
// "/CodeSystem/" by "/ValueSet/").
inline constexpr std::string_view kCategorySystem =
    "https://caregate.example/fhir/CodeSystem/category";
inline constexpr std::string_view kPurposeSystem =
    "https://caregate.example/fhir/CodeSystem/purpose";
inline constexpr std::string_view kSpecialtySystem =
    "https://caregate.example/fhir/CodeSystem/specialty";
inline constexpr std::string_view kRoleSystem =
    "https://caregate.example/fhir/CodeSystem/role";
inline constexpr std::string_view kAuditActionSystem =
    "https://caregate.example/fhir/CodeSystem/audit-action";
inline constexpr std::string_view kSignerRelationshipSystem =
    "https://caregate.example/fhir/CodeSystem/signer-relationship";
inline constexpr std::string_view kCaptureMethodSystem =
    "https://caregate.example/fhir/CodeSystem/capture-method";
inline constexpr std::string_view kDenialReasonSystem =
    "https://caregate.example/fhir/CodeSystem/denial-reason";
// MessageHeader.eventCoding of a push-delivered message: code "disclosure".
inline constexpr std::string_view kMessageEventSystem =
    "https://caregate.example/fhir/CodeSystem/message-event";
inline constexpr std::string_view kMessageEventDisclosure = "disclosure";

// Identifier systems.
inline constexpr std::string_view kOrgIdSystem =
    "https://caregate.example/fhir/sid/org-id";
inline constexpr std::string_view kProviderIdSystem =
    "https://caregate.example/fhir/sid/provider-id";
inline constexpr std::string_view kPrincipalIdSystem =
    "https://caregate.example/fhir/sid/principal-id";
inline constexpr std::string_view kConsentIdSystem =
    "https://caregate.example/fhir/sid/consent-id";
inline constexpr std::string_view kMessageIdSystem =
    "https://caregate.example/fhir/sid/message-id";
inline constexpr std::string_view kDisclosureIdSystem =
    "https://caregate.example/fhir/sid/disclosure-id";
inline constexpr std::string_view kSubjectIdSystem =
    "https://caregate.example/fhir/sid/subject-id";
inline constexpr std::string_view kGatewaySystem =
    "https://caregate.example/fhir/sid/gateway";
inline constexpr std::string_view kAuditSeqSystem =
    "https://caregate.example/fhir/sid/audit-seq";
inline constexpr std::string_view kAuditHashSystem =
    "https://caregate.example/fhir/sid/audit-hash";
inline constexpr std::string_view kAuditPrevHashSystem =
    "https://caregate.example/fhir/sid/audit-prev-hash";
inline constexpr std::string_view kRequestIdSystem =
    "https://caregate.example/fhir/sid/request-id";
// A patient is (practice, patient id): the system is this prefix followed by
// the practice's org id (see PatientIdentifierSystem).
inline constexpr std::string_view kPatientIdSystemPrefix =
    "https://caregate.example/fhir/sid/patient-id/";
inline constexpr std::string_view kNpiSystem = "http://hl7.org/fhir/sid/us-npi";

// Extensions.
inline constexpr std::string_view kSectionCategoryExtension =
    "https://caregate.example/fhir/StructureDefinition/section-category";
inline constexpr std::string_view kContentSha256Extension =
    "https://caregate.example/fhir/StructureDefinition/content-sha256";
inline constexpr std::string_view kSigningKeyIdExtension =
    "https://caregate.example/fhir/StructureDefinition/signing-key-id";
inline constexpr std::string_view kAuditEventIdentifierExtension =
    "https://caregate.example/fhir/StructureDefinition/audit-event-identifier";
inline constexpr std::string_view kDocumentSha256Extension =
    "https://caregate.example/fhir/StructureDefinition/document-sha256";
inline constexpr std::string_view kConsentEvidenceExtension =
    "https://caregate.example/fhir/StructureDefinition/consent-evidence";
inline constexpr std::string_view kConsentRevocationExtension =
    "https://caregate.example/fhir/StructureDefinition/consent-revocation";

// Sub-extensions (url = the name) of kConsentEvidenceExtension...
inline constexpr std::string_view kEvidenceInformationDescription =
    "informationDescription";  // valueString
inline constexpr std::string_view kEvidenceRepresentativeAuthority =
    "representativeAuthority";                                   // valueString
inline constexpr std::string_view kEvidenceWitness = "witness";  // valueString
inline constexpr std::string_view kEvidenceStatesRightToRevoke =
    "statesRightToRevoke";  // valueBoolean
inline constexpr std::string_view kEvidenceStatesTreatmentNotConditioned =
    "statesTreatmentNotConditioned";  // valueBoolean
inline constexpr std::string_view kEvidenceStatesRedisclosureRisk =
    "statesRedisclosureRisk";  // valueBoolean
inline constexpr std::string_view kEvidenceCaptureMethod =
    "captureMethod";  // valueCoding
// ... and of kConsentRevocationExtension.
inline constexpr std::string_view kRevocationRevokedAt =
    "revokedAt";  // valueDateTime
inline constexpr std::string_view kRevocationRevokedBy =
    "revokedBy";                                                 // valueString
inline constexpr std::string_view kRevocationReason = "reason";  // valueString

// Ids of the resources a caregate Consent contains: the grantee when it is
// a provider or specialty at an organization (PractitionerRole), and a
// representative who signed (RelatedPerson).
inline constexpr std::string_view kGranteeContainedId = "grantee";
inline constexpr std::string_view kSignerContainedId = "signer";
// Consent.sourceAttachment.title.
inline constexpr std::string_view kSignedFormTitle =
    "Signed written authorization";

// Standard FHIR R4 / HL7 terminology caregate uses.
inline constexpr std::string_view kConsentScopeSystem =
    "http://terminology.hl7.org/CodeSystem/consentscope";
inline constexpr std::string_view kPatientPrivacyScope = "patient-privacy";
inline constexpr std::string_view kLoincSystem = "http://loinc.org";
inline constexpr std::string_view kPatientConsentLoinc = "59284-0";
inline constexpr std::string_view kConsentPolicySystem =
    "http://terminology.hl7.org/CodeSystem/consentpolicycodes";
inline constexpr std::string_view kHipaaAuthPolicy = "hipaa-auth";
inline constexpr std::string_view kConsentActionSystem =
    "http://terminology.hl7.org/CodeSystem/consentaction";
inline constexpr std::string_view kDiscloseAction = "disclose";
inline constexpr std::string_view kParticipationTypeSystem =
    "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
inline constexpr std::string_view kRecipientRole = "IRCP";
inline constexpr std::string_view kRecipientRoleDisplay =
    "information recipient";
inline constexpr std::string_view kRoleCodeSystem =
    "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
inline constexpr std::string_view kActReasonSystem =
    "http://terminology.hl7.org/CodeSystem/v3-ActReason";
inline constexpr std::string_view kDicomSystem =
    "http://dicom.nema.org/resources/ontology/DCM";

// Media types of Provenance.signature: the signed bytes are the canonical
// message bytes of docs/message-signature.md, the signature raw Ed25519.
inline constexpr std::string_view kSignatureTargetFormat =
    "application/vnd.caregate.message.v1";
inline constexpr std::string_view kSignatureSigFormat =
    "application/vnd.caregate.ed25519";

// The identifier system of a patient of `practice_org_id`:
// kPatientIdSystemPrefix + the org id, percent-encoded where it is not a
// URI path character.
std::string PatientIdentifierSystem(std::string_view practice_org_id);
// The practice of a patient identifier system, or nullopt when `system` is
// not one.
std::optional<std::string> PracticeOfPatientSystem(std::string_view system);

// The code of enum value `value` of `descriptor` (see above); empty for 0
// (*_UNSPECIFIED) and for a value the enum does not define.
std::string CodeOf(const google::protobuf::EnumDescriptor* descriptor,
                   int value);
// Its display text; empty when CodeOf is.
std::string DisplayOf(const google::protobuf::EnumDescriptor* descriptor,
                      int value);
// The value whose code is `code`; nullopt for an unknown code.
std::optional<int> ValueOfCode(
    const google::protobuf::EnumDescriptor* descriptor, std::string_view code);

// The CodeSystem URI of a caregate.v1 enum type.
template <typename Enum>
std::string_view SystemOf();
template <>
inline std::string_view SystemOf<v1::Category>() {
  return kCategorySystem;
}
template <>
inline std::string_view SystemOf<v1::Purpose>() {
  return kPurposeSystem;
}
template <>
inline std::string_view SystemOf<v1::Specialty>() {
  return kSpecialtySystem;
}
template <>
inline std::string_view SystemOf<v1::Role>() {
  return kRoleSystem;
}
template <>
inline std::string_view SystemOf<v1::AuditAction>() {
  return kAuditActionSystem;
}
template <>
inline std::string_view SystemOf<v1::SignerRelationship>() {
  return kSignerRelationshipSystem;
}
template <>
inline std::string_view SystemOf<v1::CaptureMethod>() {
  return kCaptureMethodSystem;
}
template <>
inline std::string_view SystemOf<v1::DenialReason>() {
  return kDenialReasonSystem;
}

template <typename Enum>
std::string CodeOf(Enum value) {
  return CodeOf(google::protobuf::GetEnumDescriptor<Enum>(),
                static_cast<int>(value));
}

// {"system", "code", "display"} of a caregate enum value. The caller ensures
// the value has a code (not *_UNSPECIFIED).
template <typename Enum>
Json CodingOf(Enum value) {
  const auto* descriptor = google::protobuf::GetEnumDescriptor<Enum>();
  const int v = static_cast<int>(value);
  return Json{{"system", SystemOf<Enum>()},
              {"code", CodeOf(descriptor, v)},
              {"display", DisplayOf(descriptor, v)}};
}

// The enum value of a coding of SystemOf<Enum>() with code `code`; nullopt
// for an unknown code.
template <typename Enum>
std::optional<Enum> EnumOfCode(std::string_view code) {
  const std::optional<int> v =
      ValueOfCode(google::protobuf::GetEnumDescriptor<Enum>(), code);
  if (!v.has_value()) return std::nullopt;
  return static_cast<Enum>(*v);
}

// A purpose as a CodeableConcept: caregate's coding, then the nearest HL7
// v3-ActReason purpose of use (COC "coordination of care" for treatment
// coordination, TREAT "treatment" for referral and care planning) for
// systems that know only those.
Json PurposeConcept(v1::Purpose purpose);

}  // namespace caregate::fhir

#endif  // CAREGATE_SERVICES_FHIR_FHIR_TERMINOLOGY_H_
