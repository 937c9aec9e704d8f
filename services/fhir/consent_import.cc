#include "services/fhir/consent_import.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "services/common/status_macros.h"
#include "services/crypto/encoding.h"
#include "services/crypto/sha256.h"
#include "services/fhir/cat.h"
#include "services/fhir/consent_import_parts.h"
#include "services/fhir/fhir_json.h"
#include "services/fhir/fhir_reader.h"

namespace caregate::fhir {
namespace consent_import {

absl::StatusOr<std::string> ReadIdentifierReference(const Json& reference,
                                                    std::string_view path,
                                                    std::string_view type,
                                                    std::string_view system) {
  CG_RETURN_IF_ERROR(
      CheckObject(reference, path, {"type", "identifier", "display"}));
  CG_ASSIGN_OR_RETURN(std::optional<std::string> declared,
                      OptionalString(reference, "type", path));
  if (declared.has_value() && *declared != type) {
    return Refuse(Member(path, "type"), Cat("must be ", type));
  }
  const Json* identifier = Find(reference, "identifier");
  const std::string id_path = Member(path, "identifier");
  if (identifier == nullptr) {
    return Refuse(id_path, Cat("missing; caregate finds the ", type,
                               " by its identifier in ", system));
  }
  CG_RETURN_IF_ERROR(
      CheckObject(*identifier, id_path, {"use", "system", "value"}));
  CG_ASSIGN_OR_RETURN(std::string got_system,
                      RequiredString(*identifier, "system", id_path,
                                     "caregate needs the identifier system"));
  if (got_system != system) {
    return Refuse(Member(id_path, "system"),
                  Cat("unknown identifier system \"", got_system,
                      "\" (caregate reads ", system, " here)"));
  }
  return RequiredString(*identifier, "value", id_path,
                        "caregate needs the identifier value");
}

}  // namespace consent_import

namespace {

using consent_import::Contained;
using consent_import::kRoot;
using consent_import::ReadIdentifierReference;

absl::StatusOr<Contained> ReadContained(const Json& consent) {
  Contained contained;
  CG_ASSIGN_OR_RETURN(const Json* list,
                      OptionalArray(consent, "contained", kRoot));
  if (list == nullptr) return contained;
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& resource = (*list)[i];
    const std::string path = Item(Member(kRoot, "contained"), i);
    const Json* type = Find(resource, "resourceType");
    const Json* id = Find(resource, "id");
    auto is = [&](std::string_view want_type, std::string_view want_id) {
      return type != nullptr && type->is_string() &&
             type->get<std::string>() == want_type && id != nullptr &&
             id->is_string() && id->get<std::string>() == want_id;
    };
    const bool is_role = is("PractitionerRole", kGranteeContainedId);
    const bool is_signer = is("RelatedPerson", kSignerContainedId);
    if (is_role && contained.grantee_role == nullptr) {
      contained.grantee_role = &resource;
      contained.grantee_path = path;
    } else if (is_signer && contained.signer == nullptr) {
      contained.signer = &resource;
      contained.signer_path = path;
    } else {
      return Refuse(path, Cat("caregate reads only a PractitionerRole \"",
                              kGranteeContainedId, "\" and a RelatedPerson \"",
                              kSignerContainedId, "\" here"));
    }
  }
  return contained;
}

// Consent.patient -> (practice, patient id).
absl::Status ReadPatient(const Json& consent, v1::Consent* out) {
  const std::string path = Member(kRoot, "patient");
  const Json* patient = Find(consent, "patient");
  if (patient == nullptr) {
    return Refuse(path, "missing; caregate records a consent for a patient");
  }
  CG_RETURN_IF_ERROR(CheckObject(
      *patient, path, {"reference", "type", "identifier", "display"}));
  const Json* identifier = Find(*patient, "identifier");
  const std::string id_path = Member(path, "identifier");
  if (identifier == nullptr) {
    return Refuse(id_path, Cat("missing; caregate needs the patient's "
                               "identifier in ",
                               kPatientIdSystemPrefix, "<practice org id>"));
  }
  CG_RETURN_IF_ERROR(
      CheckObject(*identifier, id_path, {"use", "system", "value"}));
  CG_ASSIGN_OR_RETURN(std::string system,
                      RequiredString(*identifier, "system", id_path,
                                     "caregate needs the identifier system"));
  std::optional<std::string> practice = PracticeOfPatientSystem(system);
  if (!practice.has_value()) {
    return Refuse(
        Member(id_path, "system"),
        Cat("unknown identifier system \"", system, "\" (caregate reads ",
            kPatientIdSystemPrefix, "<practice org id> here)"));
  }
  CG_ASSIGN_OR_RETURN(std::string patient_id,
                      RequiredString(*identifier, "value", id_path,
                                     "caregate needs the patient id"));
  out->set_practice_org_id(*std::move(practice));
  out->set_patient_id(std::move(patient_id));
  return absl::OkStatus();
}

// Consent.organization: when given, only the patient's practice.
absl::Status ReadOrganizations(const Json& consent, const v1::Consent& out) {
  CG_ASSIGN_OR_RETURN(const Json* list,
                      OptionalArray(consent, "organization", kRoot));
  if (list == nullptr) return absl::OkStatus();
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string path = Item(Member(kRoot, "organization"), i);
    CG_ASSIGN_OR_RETURN(std::string org,
                        ReadIdentifierReference((*list)[i], path,
                                                "Organization", kOrgIdSystem));
    if (org != out.practice_org_id()) {
      return Refuse(Member(Member(path, "identifier"), "value"),
                    Cat("\"", org, "\" is not the patient's practice \"",
                        out.practice_org_id(), "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadSignerRelationship(const Json& person, std::string_view path,
                                    v1::ConsentEvidence* evidence) {
  CG_ASSIGN_OR_RETURN(const Json* list,
                      OptionalArray(person, "relationship", path));
  const std::string list_path = Member(path, "relationship");
  if (list == nullptr || list->size() != 1) {
    return Refuse(list_path, Cat("caregate reads exactly one "
                                 "relationship with a coding of ",
                                 kSignerRelationshipSystem));
  }
  const std::string concept_path = Item(list_path, 0);
  const Json& cc = (*list)[0];
  CG_RETURN_IF_ERROR(CheckObject(cc, concept_path, {"coding", "text"}));
  CG_ASSIGN_OR_RETURN(const Json* codings,
                      OptionalArray(cc, "coding", concept_path));
  v1::SignerRelationship relationship = v1::SIGNER_RELATIONSHIP_UNSPECIFIED;
  for (size_t i = 0; codings != nullptr && i < codings->size(); ++i) {
    const std::string item = Item(Member(concept_path, "coding"), i);
    CG_ASSIGN_OR_RETURN(CodingValue value, ReadCoding((*codings)[i], item));
    if (value.system == kRoleCodeSystem && value.code == "GUARD") continue;
    CG_ASSIGN_OR_RETURN(
        relationship,
        ReadCaregateCoding<v1::SignerRelationship>((*codings)[i], item));
  }
  if (relationship == v1::SIGNER_RELATIONSHIP_UNSPECIFIED ||
      relationship == v1::SIGNER_RELATIONSHIP_SELF) {
    return Refuse(Member(concept_path, "coding"),
                  Cat("caregate needs a coding of ", kSignerRelationshipSystem,
                      " naming a representative"));
  }
  evidence->set_signer_relationship(relationship);
  return absl::OkStatus();
}

// The contained RelatedPerson who signed for the patient.
absl::Status ReadRepresentative(const Json& person, std::string_view path,
                                const v1::Consent& consent,
                                v1::ConsentEvidence* evidence) {
  CG_RETURN_IF_ERROR(CheckObject(
      person, path, {"resourceType", "id", "patient", "relationship", "name"}));
  const Json* patient = Find(person, "patient");
  if (patient == nullptr) {
    return Refuse(Member(path, "patient"), "missing");
  }
  CG_ASSIGN_OR_RETURN(std::string patient_id,
                      ReadIdentifierReference(
                          *patient, Member(path, "patient"), "Patient",
                          PatientIdentifierSystem(consent.practice_org_id())));
  if (patient_id != consent.patient_id()) {
    return Refuse(Member(path, "patient"), "is not Consent.patient");
  }
  CG_RETURN_IF_ERROR(ReadSignerRelationship(person, path, evidence));
  CG_ASSIGN_OR_RETURN(const Json* names, OptionalArray(person, "name", path));
  if (names != nullptr) {
    const std::string name_path = Item(Member(path, "name"), 0);
    if (names->size() != 1) {
      return Refuse(Member(path, "name"), "caregate records one signer name");
    }
    CG_RETURN_IF_ERROR(CheckObject((*names)[0], name_path, {"text"}));
    CG_ASSIGN_OR_RETURN(
        std::string text,
        RequiredString((*names)[0], "text", name_path,
                       "caregate records the signer's name as text"));
    evidence->set_signer_name(std::move(text));
  }
  return absl::OkStatus();
}

// Consent.performer: the patient (signed for themselves), the contained
// representative, or just a name.
absl::Status ReadPerformer(const Json& consent, const Contained& contained,
                           v1::Consent* out) {
  CG_ASSIGN_OR_RETURN(const Json* list,
                      OptionalArray(consent, "performer", kRoot));
  if (list == nullptr && contained.signer != nullptr) {
    return Refuse(Member(kRoot, "performer"),
                  "missing; the contained RelatedPerson must be the signer");
  }
  if (list == nullptr) return absl::OkStatus();
  if (list->size() != 1) {
    return Refuse(Item(Member(kRoot, "performer"), 1),
                  "caregate records one signer");
  }
  const std::string path = Item(Member(kRoot, "performer"), 0);
  const Json& performer = (*list)[0];
  v1::ConsentEvidence* evidence = out->mutable_evidence();
  CG_RETURN_IF_ERROR(CheckObject(
      performer, path, {"reference", "type", "identifier", "display"}));
  CG_ASSIGN_OR_RETURN(std::optional<std::string> display,
                      OptionalString(performer, "display", path));
  CG_ASSIGN_OR_RETURN(std::optional<std::string> literal,
                      OptionalString(performer, "reference", path));
  if (literal.has_value()) {
    if (*literal != Cat("#", kSignerContainedId) ||
        contained.signer == nullptr) {
      return Refuse(Member(path, "reference"),
                    Cat("caregate reads only \"#", kSignerContainedId,
                        "\", a contained RelatedPerson"));
    }
    CG_RETURN_IF_ERROR(ReadRepresentative(
        *contained.signer, contained.signer_path, *out, evidence));
    if (evidence->signer_name().empty() && display.has_value()) {
      evidence->set_signer_name(*display);
    }
    return absl::OkStatus();
  }
  if (contained.signer != nullptr) {
    return Refuse(Member(path, "reference"),
                  Cat("missing; the contained RelatedPerson \"",
                      kSignerContainedId, "\" must be the signer"));
  }
  if (Find(performer, "identifier") != nullptr) {
    CG_ASSIGN_OR_RETURN(std::string patient_id,
                        ReadIdentifierReference(
                            performer, path, "Patient",
                            PatientIdentifierSystem(out->practice_org_id())));
    if (patient_id != out->patient_id()) {
      return Refuse(path,
                    "a signer identified by identifier must be the "
                    "patient (Consent.patient)");
    }
    evidence->set_signer_relationship(v1::SIGNER_RELATIONSHIP_SELF);
  }
  if (display.has_value()) evidence->set_signer_name(*display);
  return absl::OkStatus();
}

// The SHA-256 of the signed form: caregate's extension, or computed from
// inline data (and then checked against the extension when both are given).
absl::Status ReadSourceAttachment(const Json& consent, v1::Consent* out) {
  const std::string path = Member(kRoot, "sourceAttachment");
  if (Find(consent, "sourceReference") != nullptr) {
    return Refuse(Member(kRoot, "sourceReference"),
                  "caregate cannot fetch the referenced form to hash it; give "
                  "sourceAttachment with its SHA-256");
  }
  const Json* attachment = Find(consent, "sourceAttachment");
  const std::string why =
      Cat("caregate needs the signed form's SHA-256 (extension ",
          kDocumentSha256Extension, ", or the form as data)");
  if (attachment == nullptr) return Refuse(path, Cat("missing; ", why));
  CG_RETURN_IF_ERROR(
      CheckObject(*attachment, path,
                  {"extension", "contentType", "language", "data", "url",
                   "size", "hash", "title", "creation"}));
  std::string from_extension;
  CG_ASSIGN_OR_RETURN(const Json* extensions,
                      OptionalArray(*attachment, "extension", path));
  for (size_t i = 0; extensions != nullptr && i < extensions->size(); ++i) {
    const std::string item = Item(Member(path, "extension"), i);
    const Json& ext = (*extensions)[i];
    CG_RETURN_IF_ERROR(CheckObject(ext, item, {"url", "valueString"}));
    CG_ASSIGN_OR_RETURN(
        std::string url,
        RequiredString(ext, "url", item, "extensions have a url"));
    if (url != kDocumentSha256Extension) {
      return Refuse(Member(item, "url"),
                    Cat("unknown extension \"", url, "\""));
    }
    CG_ASSIGN_OR_RETURN(from_extension,
                        RequiredString(ext, "valueString", item,
                                       "the SHA-256 as 64 hex digits"));
    std::optional<std::string> raw = HexDecode(from_extension);
    if (!raw.has_value() || raw->size() != 32) {
      return Refuse(Member(item, "valueString"),
                    "must be a SHA-256 as 64 hex digits");
    }
    absl::AsciiStrToLower(&from_extension);
  }
  CG_ASSIGN_OR_RETURN(std::optional<std::string> data,
                      OptionalString(*attachment, "data", path));
  std::string from_data;
  if (data.has_value()) {
    std::optional<std::string> bytes = Base64Decode(*data);
    if (!bytes.has_value()) {
      return Refuse(Member(path, "data"), "is not valid base64");
    }
    from_data = Sha256Hex(*bytes);
  }
  if (!from_extension.empty() && !from_data.empty() &&
      from_extension != from_data) {
    return Refuse(Member(path, "data"),
                  "its SHA-256 does not match the document-sha256 extension");
  }
  std::string sha256 = from_extension.empty() ? from_data : from_extension;
  if (sha256.empty()) return Refuse(path, why);
  out->mutable_evidence()->set_document_sha256(std::move(sha256));
  return absl::OkStatus();
}

absl::Status ReadStatus(const Json& consent) {
  CG_ASSIGN_OR_RETURN(
      std::string status,
      RequiredString(consent, "status", kRoot,
                     "caregate records only an active consent"));
  if (status != "active") {
    return Refuse(Member(kRoot, "status"),
                  Cat("\"", status,
                      "\" cannot be recorded; caregate records only "
                      "an active consent"));
  }
  return absl::OkStatus();
}

// scope patient-privacy, category LOINC 59284-0 and, when given, policyRule
// hipaa-auth: the kind of consent caregate records.
absl::Status ReadKind(const Json& consent) {
  const Json* scope = Find(consent, "scope");
  if (scope == nullptr) {
    return Refuse(Member(kRoot, "scope"),
                  Cat("missing; caregate records ", kConsentScopeSystem, "#",
                      kPatientPrivacyScope, " consents"));
  }
  CG_RETURN_IF_ERROR(ExpectConcept(*scope, Member(kRoot, "scope"),
                                   kConsentScopeSystem, kPatientPrivacyScope));
  CG_ASSIGN_OR_RETURN(const Json* categories,
                      OptionalArray(consent, "category", kRoot));
  if (categories == nullptr) {
    return Refuse(Member(kRoot, "category"),
                  Cat("missing; caregate expects ", kLoincSystem, "#",
                      kPatientConsentLoinc));
  }
  for (size_t i = 0; i < categories->size(); ++i) {
    CG_RETURN_IF_ERROR(ExpectConcept((*categories)[i],
                                     Item(Member(kRoot, "category"), i),
                                     kLoincSystem, kPatientConsentLoinc));
  }
  if (const Json* rule = Find(consent, "policyRule"); rule != nullptr) {
    CG_RETURN_IF_ERROR(ExpectConcept(*rule, Member(kRoot, "policyRule"),
                                     kConsentPolicySystem, kHipaaAuthPolicy));
  }
  return absl::OkStatus();
}

absl::Status ReadSignedAt(const Json& consent, v1::Consent* out) {
  CG_ASSIGN_OR_RETURN(
      std::string text,
      RequiredString(consent, "dateTime", kRoot,
                     "caregate needs the date the form was signed"));
  CG_ASSIGN_OR_RETURN(*out->mutable_evidence()->mutable_signed_at(),
                      ParseFhirInstant(text, Member(kRoot, "dateTime")));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Consent> ConsentFromFhir(const Json& resource) {
  if (!resource.is_object()) {
    return absl::InvalidArgumentError("not a JSON object");
  }
  const Json* type = Find(resource, "resourceType");
  if (type == nullptr || !type->is_string()) {
    return Refuse("resourceType", "missing; expected \"Consent\"");
  }
  if (*type != "Consent") {
    return Refuse("resourceType", Cat("expected \"Consent\", got \"",
                                      type->get<std::string>(), "\""));
  }
  CG_RETURN_IF_ERROR(CheckObject(resource, kRoot,
                                 {"resourceType",
                                  "id",
                                  "meta",
                                  "text",
                                  "language",
                                  "contained",
                                  "extension",
                                  "identifier",
                                  "status",
                                  "scope",
                                  "category",
                                  "patient",
                                  "modifierExtension",
                                  "dateTime",
                                  "performer",
                                  "organization",
                                  "sourceAttachment",
                                  "sourceReference",
                                  "policyRule",
                                  "provision"}));
  v1::Consent out;
  CG_RETURN_IF_ERROR(ReadStatus(resource));
  CG_RETURN_IF_ERROR(ReadKind(resource));
  CG_ASSIGN_OR_RETURN(const Contained contained, ReadContained(resource));
  CG_RETURN_IF_ERROR(ReadPatient(resource, &out));
  CG_RETURN_IF_ERROR(ReadOrganizations(resource, out));
  CG_RETURN_IF_ERROR(ReadSignedAt(resource, &out));
  CG_RETURN_IF_ERROR(ReadPerformer(resource, contained, &out));
  CG_RETURN_IF_ERROR(ReadSourceAttachment(resource, &out));
  CG_RETURN_IF_ERROR(consent_import::ReadConsentExtensions(resource, &out));
  CG_RETURN_IF_ERROR(consent_import::ReadProvision(resource, contained, &out));
  return out;
}

absl::StatusOr<v1::Consent> ConsentFromFhirJson(std::string_view json_text) {
  // FHIR JSON forbids repeated member names; a repeat would leave which one
  // counts to the parser.
  std::vector<std::set<std::string>> keys_per_object;
  bool repeated_key = false;
  const Json::parser_callback_t check_keys =
      [&](int, nlohmann::detail::parse_event_t event, Json& parsed) {
        using Event = nlohmann::detail::parse_event_t;
        if (event == Event::object_start) {
          keys_per_object.emplace_back();
        } else if (event == Event::object_end) {
          if (!keys_per_object.empty()) keys_per_object.pop_back();
        } else if (event == Event::key && !keys_per_object.empty() &&
                   parsed.is_string() &&
                   !keys_per_object.back()
                        .insert(parsed.get<std::string>())
                        .second) {
          repeated_key = true;
        }
        return true;
      };
  Json resource;
  try {
    resource = Json::parse(json_text, check_keys);
  } catch (const Json::parse_error& e) {
    // The byte, never the input: it may hold patient data.
    return absl::InvalidArgumentError(
        Cat("not valid JSON (syntax error at byte ", e.byte, ")"));
  }
  if (repeated_key) {
    return absl::InvalidArgumentError(
        "not valid FHIR JSON: an object repeats a member name");
  }
  return ConsentFromFhir(resource);
}

}  // namespace caregate::fhir
