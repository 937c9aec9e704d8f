#include "services/fhir/message_bundle.h"

#include <string>
#include <utility>
#include <vector>

#include "services/common/proto_time.h"
#include "services/crypto/encoding.h"
#include "services/fhir/cat.h"
#include "services/fhir/consent_export.h"
#include "services/fhir/fhir_json.h"

namespace caregate::fhir {
namespace {

constexpr std::string_view kV3ConfidentialitySystem =
    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
constexpr std::string_view kSignatureTypeSystem = "urn:iso-astm:E1762-95:2013";
constexpr std::string_view kSourceSignature = "1.2.840.10065.1.12.1.14";
constexpr std::string_view kProvenanceAgentTypeSystem =
    "http://terminology.hl7.org/CodeSystem/provenance-participant-type";

// One entry of the bundle: its urn:uuid and resource.
struct Entry {
  std::string uuid;
  Json resource;
};

class BundleBuilder {
 public:
  BundleBuilder(const v1::Message& m, const MessageBundleContext& c)
      : m_(m), c_(c) {}

  Json Build();

 private:
  std::string Uuid(std::string_view kind) const {
    return NameBasedUuid(Cat(kind, "\n", m_.message_id()));
  }
  std::string Urn(std::string_view kind) const {
    return Cat("urn:uuid:", Uuid(kind));
  }
  std::string ConsentUuid(std::string_view consent_id) const {
    return NameBasedUuid(Cat("Consent\n", m_.message_id(), "\n", consent_id));
  }
  // A literal reference to the entry of `kind` that also names its
  // identifier, so a receiver can match it without resolving.
  Json Ref(std::string_view kind, std::string_view type, Json identifier,
           std::string_view display = {}) const {
    Json ref = {{"reference", Urn(kind)}, {"type", type}};
    if (!identifier.is_null()) ref["identifier"] = std::move(identifier);
    if (!display.empty()) ref["display"] = display;
    return ref;
  }
  Json PatientRef() const {
    return Ref("Patient", "Patient",
               PatientIdentifier(m_.sender_org_id(), m_.patient_id()));
  }
  Json SenderRef() const {
    return Ref("Sender", "Practitioner",
               Identifier(kPrincipalIdSystem, m_.sender_principal_id()),
               c_.sender.display_name);
  }
  Json PracticeRef() const {
    return Ref("SenderPractice", "Organization",
               Identifier(kOrgIdSystem, m_.sender_org_id()),
               c_.sender_practice.display_name);
  }
  Json RecipientOrgRef() const {
    return Ref("RecipientOrganization", "Organization",
               Identifier(kOrgIdSystem, m_.recipient_org_id()),
               c_.recipient_org.display_name);
  }
  Json RecipientProviderRef() const {
    return Ref("RecipientProvider", "Practitioner",
               Identifier(kProviderIdSystem, m_.recipient_provider_id()),
               c_.recipient_provider.display_name);
  }
  Json GatewayRef() const {
    return Ref("Gateway", "Device", Identifier(kGatewaySystem, c_.gateway_id));
  }

  Json MessageHeader() const;
  Json Communication() const;
  Json Provenance() const;
  Json Party(std::string_view type, std::string_view system,
             std::string_view id, const PartyDetails& details) const;
  Json Gateway() const;

  const v1::Message& m_;
  const MessageBundleContext& c_;
};

Json BundleBuilder::MessageHeader() const {
  Json destination = {{"endpoint", c_.destination_endpoint},
                      {"receiver", RecipientProviderRef()}};
  if (!c_.recipient_org.display_name.empty()) {
    destination["name"] = c_.recipient_org.display_name;
  }
  return Json{
      {"resourceType", "MessageHeader"},
      {"eventCoding", Coding(kMessageEventSystem, kMessageEventDisclosure,
                             "Consent-gated disclosure")},
      {"destination", Json::array({std::move(destination)})},
      {"sender", PracticeRef()},
      {"author", SenderRef()},
      {"source",
       {{"name", "caregate"},
        {"software", "caregate"},
        {"endpoint", c_.source_endpoint}}},
      {"focus", Json::array({Ref("Communication", "Communication", Json())})}};
}

// A section: the body as exact bytes (base64), the title, the category.
Json Payload(const v1::Section& section) {
  Json attachment = {{"contentType", "text/plain; charset=utf-8"}};
  if (!section.body().empty())
    attachment["data"] = Base64Encode(section.body());
  if (!section.title().empty()) attachment["title"] = section.title();
  return Json{
      {"extension",
       Json::array({Json{{"url", kSectionCategoryExtension},
                         {"valueCoding", CodingOf(section.category())}}})},
      {"contentAttachment", std::move(attachment)}};
}

Json BundleBuilder::Communication() const {
  Json payloads = Json::array();
  for (const v1::Section& section : m_.sections()) {
    payloads.push_back(Payload(section));
  }
  Json identifiers =
      Json::array({Identifier(kMessageIdSystem, m_.message_id())});
  if (!m_.disclosure_id().empty()) {
    identifiers.push_back(Identifier(kDisclosureIdSystem, m_.disclosure_id()));
  }
  Json communication = {
      {"resourceType", "Communication"},
      {"meta",
       {{"security",
         Json::array({Coding(kV3ConfidentialitySystem, "R", "restricted")})}}},
      {"identifier", std::move(identifiers)},
      {"status", "completed"},
      {"subject", PatientRef()},
      {"sent", FhirInstant(m_.created_at())},
      {"recipient", Json::array({RecipientProviderRef(), RecipientOrgRef()})},
      {"sender", SenderRef()},
      {"reasonCode", Json::array({PurposeConcept(m_.purpose())})},
      {"payload", std::move(payloads)}};
  if (!m_.redisclosure_notice().empty()) {
    communication["note"] =
        Json::array({Json{{"text", m_.redisclosure_notice()}}});
  }
  return communication;
}

Json BundleBuilder::Provenance() const {
  Json signature = {
      {"extension", Json::array({Json{{"url", kSigningKeyIdExtension},
                                      {"valueString", m_.signing_key_id()}}})},
      {"type", Json::array({Coding(kSignatureTypeSystem, kSourceSignature,
                                   "Source Signature")})},
      {"when", FhirInstant(m_.created_at())},
      {"who", GatewayRef()},
      {"targetFormat", kSignatureTargetFormat},
      {"sigFormat", kSignatureSigFormat},
      {"data", Base64Encode(m_.signature())}};
  Json provenance = {
      {"resourceType", "Provenance"},
      {"extension", Json::array({Json{{"url", kContentSha256Extension},
                                      {"valueString", m_.content_sha256()}}})},
      {"target", Json::array({Ref("Communication", "Communication", Json())})},
      {"recorded", FhirInstant(m_.created_at())}};
  Json policies = Json::array();
  for (const v1::ConsentSummary& s : m_.consent_summaries()) {
    policies.push_back(Cat("urn:uuid:", ConsentUuid(s.consent_id())));
  }
  if (!policies.empty()) provenance["policy"] = std::move(policies);
  provenance["agent"] = Json::array(
      {Json{{"type",
             Concept(Coding(kProvenanceAgentTypeSystem, "author", "Author"))},
            {"who", SenderRef()},
            {"onBehalfOf", PracticeRef()}},
       Json{{"type", Concept(Coding(kProvenanceAgentTypeSystem, "assembler",
                                    "Assembler"))},
            {"who", GatewayRef()}}});
  provenance["signature"] = Json::array({std::move(signature)});
  return provenance;
}

Json BundleBuilder::Party(std::string_view type, std::string_view system,
                          std::string_view id,
                          const PartyDetails& details) const {
  Json identifiers = Json::array({Identifier(system, id)});
  if (!details.npi.empty()) {
    identifiers.push_back(Identifier(kNpiSystem, details.npi));
  }
  Json party = {{"resourceType", type}, {"identifier", std::move(identifiers)}};
  if (!details.display_name.empty()) {
    if (type == "Organization") {
      party["name"] = details.display_name;
    } else {
      party["name"] = Json::array({Json{{"text", details.display_name}}});
    }
  }
  return party;
}

Json BundleBuilder::Gateway() const {
  return Json{
      {"resourceType", "Device"},
      {"identifier", Json::array({Identifier(kGatewaySystem, c_.gateway_id)})},
      {"deviceName", Json::array({Json{{"name", "caregate gateway"},
                                       {"type", "user-friendly-name"}}})}};
}

Json BundleBuilder::Build() {
  std::vector<Entry> entries;
  auto add = [&](std::string_view kind, Json resource) {
    // id right after resourceType, so every resource reads the same way.
    Json with_id = {{"resourceType", resource["resourceType"]},
                    {"id", Uuid(kind)}};
    for (auto& [key, value] : resource.items()) {
      if (key != "resourceType" && key != "id") with_id[key] = std::move(value);
    }
    entries.push_back(Entry{Uuid(kind), std::move(with_id)});
  };
  add("MessageHeader", MessageHeader());
  add("Communication", Communication());
  add("Provenance", Provenance());
  add("Patient",
      Json{{"resourceType", "Patient"},
           {"identifier", Json::array({PatientIdentifier(m_.sender_org_id(),
                                                         m_.patient_id())})}});
  add("Sender", Party("Practitioner", kPrincipalIdSystem,
                      m_.sender_principal_id(), c_.sender));
  add("SenderPractice", Party("Organization", kOrgIdSystem, m_.sender_org_id(),
                              c_.sender_practice));
  add("RecipientOrganization", Party("Organization", kOrgIdSystem,
                                     m_.recipient_org_id(), c_.recipient_org));
  add("RecipientProvider",
      Party("Practitioner", kProviderIdSystem, m_.recipient_provider_id(),
            c_.recipient_provider));
  add("Gateway", Gateway());
  for (const v1::ConsentSummary& s : m_.consent_summaries()) {
    Json consent = ConsentSummaryToFhir(s, m_.sender_org_id(), PatientRef());
    const std::string uuid = ConsentUuid(s.consent_id());
    Json with_id = {{"resourceType", "Consent"}, {"id", uuid}};
    for (auto& [key, value] : consent.items()) {
      if (key != "resourceType") with_id[key] = std::move(value);
    }
    entries.push_back(Entry{uuid, std::move(with_id)});
  }
  Json entry_list = Json::array();
  for (Entry& e : entries) {
    entry_list.push_back(Json{{"fullUrl", Cat("urn:uuid:", e.uuid)},
                              {"resource", std::move(e.resource)}});
  }
  return Json{{"resourceType", "Bundle"},
              {"id", Uuid("Bundle")},
              {"identifier", Identifier(kMessageIdSystem, m_.message_id())},
              {"type", "message"},
              {"timestamp", FhirInstant(m_.created_at())},
              {"entry", std::move(entry_list)}};
}

absl::Status Require(bool present, std::string_view field) {
  if (present) return absl::OkStatus();
  return absl::InvalidArgumentError(Cat(field, ": required for a FHIR bundle"));
}

absl::Status CheckInputs(const v1::Message& m, const MessageBundleContext& c) {
  const std::pair<bool, std::string_view> required[] = {
      {!m.message_id().empty(), "message.message_id"},
      {!m.sender_principal_id().empty(), "message.sender_principal_id"},
      {!m.sender_org_id().empty(), "message.sender_org_id"},
      {!m.patient_id().empty(), "message.patient_id"},
      {!m.recipient_org_id().empty(), "message.recipient_org_id"},
      {!m.recipient_provider_id().empty(), "message.recipient_provider_id"},
      {m.purpose() != v1::PURPOSE_UNSPECIFIED, "message.purpose"},
      {!m.sections().empty(), "message.sections"},
      {!m.content_sha256().empty(), "message.content_sha256"},
      {!m.signature().empty(), "message.signature"},
      {!m.signing_key_id().empty(), "message.signing_key_id"},
      {!IsUnset(m.created_at()), "message.created_at"},
      {!c.gateway_id.empty(), "context.gateway_id"},
      {!c.source_endpoint.empty(), "context.source_endpoint"},
      {!c.destination_endpoint.empty(), "context.destination_endpoint"},
  };
  for (const auto& [present, field] : required) {
    if (absl::Status s = Require(present, field); !s.ok()) return s;
  }
  for (int i = 0; i < m.sections_size(); ++i) {
    if (m.sections(i).category() == v1::CATEGORY_UNSPECIFIED) {
      return absl::InvalidArgumentError(Cat(
          "message.sections[", i, "].category: required for a FHIR bundle"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Json> BuildMessageBundle(const v1::Message& message,
                                        const MessageBundleContext& context) {
  if (absl::Status s = CheckInputs(message, context); !s.ok()) return s;
  return BundleBuilder(message, context).Build();
}

}  // namespace caregate::fhir
