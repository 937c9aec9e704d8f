#include "services/fhir/consent_export.h"

#include <string>
#include <utility>

#include "services/common/proto_time.h"
#include "services/fhir/cat.h"
#include "services/fhir/fhir_json.h"

namespace caregate::fhir {
namespace {

// Consent.provision.actor for the grantee. An organization alone is a
// logical reference; a provider or specialty at it is the contained
// PractitionerRole `*contained_role` (set only then).
Json GranteeActor(const v1::Grantee& grantee, Json* contained_role) {
  Json reference;
  if (grantee.provider_id().empty() &&
      grantee.specialty() == v1::SPECIALTY_UNSPECIFIED) {
    reference =
        LogicalReference("Organization", kOrgIdSystem, grantee.org_id());
  } else {
    Json role = {{"resourceType", "PractitionerRole"},
                 {"id", kGranteeContainedId}};
    if (!grantee.provider_id().empty()) {
      role["practitioner"] = LogicalReference("Practitioner", kProviderIdSystem,
                                              grantee.provider_id());
    }
    role["organization"] =
        LogicalReference("Organization", kOrgIdSystem, grantee.org_id());
    if (grantee.specialty() != v1::SPECIALTY_UNSPECIFIED) {
      role["specialty"] = Json::array({Concept(CodingOf(grantee.specialty()))});
    }
    *contained_role = std::move(role);
    reference = {{"reference", Cat("#", kGranteeContainedId)},
                 {"type", "PractitionerRole"}};
  }
  return Json{{"role", Concept(Coding(kParticipationTypeSystem, kRecipientRole,
                                      kRecipientRoleDisplay))},
              {"reference", std::move(reference)}};
}

template <typename Repeated>
Json CategoryConcepts(const Repeated& categories) {
  Json codes = Json::array();
  for (const int c : categories) {
    codes.push_back(Concept(CodingOf(static_cast<v1::Category>(c))));
  }
  return codes;
}

// The permit provision shared by consents and consent summaries.
template <typename Purposes, typename Categories>
Json PermitProvision(const google::protobuf::Timestamp& valid_from,
                     const google::protobuf::Timestamp& expires_at, Json actor,
                     const Purposes& purposes, const Categories& categories) {
  Json provision = {{"type", "permit"}};
  Json period = Json::object();
  if (!IsUnset(valid_from)) period["start"] = FhirInstant(valid_from);
  if (!IsUnset(expires_at)) period["end"] = FhirInstant(expires_at);
  if (!period.empty()) provision["period"] = std::move(period);
  provision["actor"] = Json::array({std::move(actor)});
  provision["action"] = Json::array(
      {Concept(Coding(kConsentActionSystem, kDiscloseAction, "Disclose"))});
  Json purpose_codings = Json::array();
  for (const int p : purposes) {
    purpose_codings.push_back(CodingOf(static_cast<v1::Purpose>(p)));
  }
  if (!purpose_codings.empty())
    provision["purpose"] = std::move(purpose_codings);
  if (!categories.empty()) provision["code"] = CategoryConcepts(categories);
  return provision;
}

// The fixed head of every caregate Consent: status, scope, category, patient.
Json ConsentHead(std::string_view status, Json patient) {
  return Json{
      {"resourceType", "Consent"},
      {"status", status},
      {"scope", Concept(Coding(kConsentScopeSystem, kPatientPrivacyScope,
                               "Privacy Consent"))},
      {"category",
       Json::array({Concept(
           Coding(kLoincSystem, kPatientConsentLoinc, "Patient Consent"))})},
      {"patient", std::move(patient)}};
}

Json HipaaAuthorizationRule() {
  return Concept(
      Coding(kConsentPolicySystem, kHipaaAuthPolicy, "HIPAA Authorization"));
}

Json SubExtension(std::string_view url, std::string_view value_key,
                  Json value) {
  return Json{{"url", url}, {value_key, std::move(value)}};
}

Json EvidenceExtension(const v1::ConsentEvidence& e) {
  Json parts = Json::array();
  if (!e.information_description().empty()) {
    parts.push_back(SubExtension(kEvidenceInformationDescription, "valueString",
                                 e.information_description()));
  }
  if (!e.representative_authority().empty()) {
    parts.push_back(SubExtension(kEvidenceRepresentativeAuthority,
                                 "valueString", e.representative_authority()));
  }
  if (!e.witness().empty()) {
    parts.push_back(SubExtension(kEvidenceWitness, "valueString", e.witness()));
  }
  parts.push_back(SubExtension(kEvidenceStatesRightToRevoke, "valueBoolean",
                               e.states_right_to_revoke()));
  parts.push_back(SubExtension(kEvidenceStatesTreatmentNotConditioned,
                               "valueBoolean",
                               e.states_treatment_not_conditioned()));
  parts.push_back(SubExtension(kEvidenceStatesRedisclosureRisk, "valueBoolean",
                               e.states_redisclosure_risk()));
  if (e.capture_method() != v1::CAPTURE_METHOD_UNSPECIFIED) {
    parts.push_back(SubExtension(kEvidenceCaptureMethod, "valueCoding",
                                 CodingOf(e.capture_method())));
  }
  return Json{{"url", kConsentEvidenceExtension},
              {"extension", std::move(parts)}};
}

Json RevocationExtension(const v1::Consent& c) {
  Json parts = Json::array();
  if (!IsUnset(c.revoked_at())) {
    parts.push_back(SubExtension(kRevocationRevokedAt, "valueDateTime",
                                 FhirInstant(c.revoked_at())));
  }
  if (!c.revoked_by().empty()) {
    parts.push_back(
        SubExtension(kRevocationRevokedBy, "valueString", c.revoked_by()));
  }
  if (!c.revocation_reason().empty()) {
    parts.push_back(
        SubExtension(kRevocationReason, "valueString", c.revocation_reason()));
  }
  return Json{{"url", kConsentRevocationExtension},
              {"extension", std::move(parts)}};
}

// Consent.performer for the signer; sets `*contained_signer` when the signer
// is a representative (a contained RelatedPerson).
Json SignerPerformer(const v1::Consent& c, Json* contained_signer) {
  const v1::ConsentEvidence& e = c.evidence();
  Json performer;
  switch (e.signer_relationship()) {
    case v1::SIGNER_RELATIONSHIP_SELF:
      performer = LogicalReference("Patient",
                                   PatientIdentifierSystem(c.practice_org_id()),
                                   c.patient_id(), e.signer_name());
      break;
    case v1::SIGNER_RELATIONSHIP_UNSPECIFIED:
      if (e.signer_name().empty()) return Json();
      performer = {{"display", e.signer_name()}};
      break;
    default: {
      Json relationship = Json::array({CodingOf(e.signer_relationship())});
      if (e.signer_relationship() == v1::SIGNER_RELATIONSHIP_GUARDIAN) {
        relationship.push_back(Coding(kRoleCodeSystem, "GUARD", "guardian"));
      }
      Json person = {
          {"resourceType", "RelatedPerson"},
          {"id", kSignerContainedId},
          {"patient",
           LogicalReference("Patient",
                            PatientIdentifierSystem(c.practice_org_id()),
                            c.patient_id())},
          {"relationship",
           Json::array({Json{{"coding", std::move(relationship)}}})}};
      if (!e.signer_name().empty()) {
        person["name"] = Json::array({Json{{"text", e.signer_name()}}});
      }
      *contained_signer = std::move(person);
      performer = {{"reference", Cat("#", kSignerContainedId)},
                   {"type", "RelatedPerson"}};
      if (!e.signer_name().empty()) performer["display"] = e.signer_name();
    }
  }
  return performer;
}

std::string_view FhirStatus(v1::ConsentStatus status) {
  return status == v1::CONSENT_STATUS_REVOKED ||
                 status == v1::CONSENT_STATUS_EXPIRED
             ? "inactive"
             : "active";
}

Json Meta(const v1::Consent& c) {
  Json meta = Json::object();
  if (c.revision() > 0) meta["versionId"] = Cat(c.revision());
  const google::protobuf::Timestamp& updated =
      IsUnset(c.revoked_at()) ? c.recorded_at() : c.revoked_at();
  if (!IsUnset(updated)) meta["lastUpdated"] = FhirInstant(updated);
  return meta;
}

}  // namespace

Json ConsentToFhir(const v1::Consent& c) {
  Json contained_role;
  Json contained_signer;
  Json actor = GranteeActor(c.grantee(), &contained_role);
  Json performer = SignerPerformer(c, &contained_signer);

  Json head = ConsentHead(
      FhirStatus(c.status()),
      LogicalReference("Patient", PatientIdentifierSystem(c.practice_org_id()),
                       c.patient_id()));
  Json consent = {{"resourceType", "Consent"}};
  if (IsFhirId(c.consent_id())) consent["id"] = c.consent_id();
  if (Json meta = Meta(c); !meta.empty()) consent["meta"] = std::move(meta);
  Json contained = Json::array();
  if (!contained_role.is_null()) contained.push_back(std::move(contained_role));
  if (!contained_signer.is_null()) {
    contained.push_back(std::move(contained_signer));
  }
  if (!contained.empty()) consent["contained"] = std::move(contained);
  Json extensions = Json::array();
  if (c.has_evidence()) extensions.push_back(EvidenceExtension(c.evidence()));
  if (c.status() == v1::CONSENT_STATUS_REVOKED) {
    extensions.push_back(RevocationExtension(c));
  }
  if (!extensions.empty()) consent["extension"] = std::move(extensions);
  if (!c.consent_id().empty()) {
    consent["identifier"] =
        Json::array({Identifier(kConsentIdSystem, c.consent_id())});
  }
  for (auto& [key, value] : head.items()) {
    if (key != "resourceType") consent[key] = std::move(value);
  }
  if (!IsUnset(c.evidence().signed_at())) {
    consent["dateTime"] = FhirInstant(c.evidence().signed_at());
  }
  if (!performer.is_null()) consent["performer"] = Json::array({performer});
  if (!c.practice_org_id().empty()) {
    consent["organization"] = Json::array(
        {LogicalReference("Organization", kOrgIdSystem, c.practice_org_id())});
  }
  if (!c.evidence().document_sha256().empty()) {
    consent["sourceAttachment"] = {
        {"extension",
         Json::array({Json{{"url", kDocumentSha256Extension},
                           {"valueString", c.evidence().document_sha256()}}})},
        {"title", kSignedFormTitle}};
  }
  consent["policyRule"] = HipaaAuthorizationRule();
  Json provision =
      PermitProvision(c.valid_from(), c.expires_at(), std::move(actor),
                      c.purposes(), c.categories());
  if (!c.withheld_categories().empty()) {
    provision["provision"] = Json::array(
        {Json{{"type", "deny"},
              {"code", CategoryConcepts(c.withheld_categories())}}});
  }
  consent["provision"] = std::move(provision);
  return consent;
}

Json ConsentSummaryToFhir(const v1::ConsentSummary& summary,
                          std::string_view practice_org_id, Json patient) {
  Json contained_role;
  Json actor = GranteeActor(summary.grantee(), &contained_role);
  Json consent = {{"resourceType", "Consent"}};
  if (!contained_role.is_null()) {
    consent["contained"] = Json::array({std::move(contained_role)});
  }
  consent["identifier"] =
      Json::array({Identifier(kConsentIdSystem, summary.consent_id())});
  Json head = ConsentHead("active", std::move(patient));
  for (auto& [key, value] : head.items()) {
    if (key != "resourceType") consent[key] = std::move(value);
  }
  if (!IsUnset(summary.signed_at())) {
    consent["dateTime"] = FhirInstant(summary.signed_at());
  }
  if (!practice_org_id.empty()) {
    consent["organization"] = Json::array(
        {LogicalReference("Organization", kOrgIdSystem, practice_org_id)});
  }
  consent["policyRule"] = HipaaAuthorizationRule();
  consent["provision"] = PermitProvision(
      google::protobuf::Timestamp(), summary.expires_at(), std::move(actor),
      summary.purposes(), summary.categories());
  return consent;
}

}  // namespace caregate::fhir
