#include "services/fhir/audit_event_export.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "services/crypto/encoding.h"
#include "services/fhir/cat.h"
#include "services/fhir/fhir_json.h"

namespace caregate::fhir {
namespace {

constexpr std::string_view kBalpAuthZSystem =
    "https://profiles.ihe.net/ITI/BALP/CodeSystem/AuthZsubType";
constexpr std::string_view kLifecycleSystem =
    "http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle";
constexpr std::string_view kSecurityRoleSystem =
    "http://terminology.hl7.org/CodeSystem/extra-security-role-type";
constexpr std::string_view kRoleClassSystem =
    "http://terminology.hl7.org/CodeSystem/v3-RoleClass";
constexpr std::string_view kEntityTypeSystem =
    "http://terminology.hl7.org/CodeSystem/audit-entity-type";
constexpr std::string_view kObjectRoleSystem =
    "http://terminology.hl7.org/CodeSystem/object-role";
constexpr std::string_view kResourceTypeSystem =
    "http://hl7.org/fhir/resource-types";
constexpr std::string_view kSourceTypeSystem =
    "http://terminology.hl7.org/CodeSystem/security-source-type";

struct Code {
  std::string_view system;
  std::string_view code;
  std::string_view display;
};

constexpr Code kSecurityAlert = {kDicomSystem, "110113", "Security Alert"};
constexpr Code kPatientRecord = {kDicomSystem, "110110", "Patient Record"};
constexpr Code kAuditLogUsed = {kDicomSystem, "110101", "Audit Log Used"};
constexpr Code kExport = {kDicomSystem, "110106", "Export"};
constexpr Code kImport = {kDicomSystem, "110107", "Import"};
constexpr Code kAuthZConsent = {
    kBalpAuthZSystem, "AuthZ-Consent",
    "Authorization Decision using Roles and Consent"};
constexpr Code kAuthZRole = {kBalpAuthZSystem, "AuthZ-Role",
                             "Authorization Decision using only Roles"};
constexpr Code kDisclose = {kLifecycleSystem, "disclose",
                            "Disclose Record Lifecycle Event"};
constexpr Code kSourceRole = {kDicomSystem, "110153", "Source Role ID"};
constexpr Code kDestinationRole = {kDicomSystem, "110152",
                                   "Destination Role ID"};
constexpr Code kNone = {};

// How one caregate action maps (docs/fhir.md has the same table).
struct Pattern {
  std::string_view action;       // caregate audit-action code
  Code type;                     // AuditEvent.type
  Code subtype;                  // a standard subtype, beside caregate's
  std::string_view fhir_action;  // C R U D E
  Code actor_type;               // the acting principal's agent type
  bool deny;                     // outcome 8 (serious failure), else 0
  bool authorizer;               // the gateway as agent authserver
  bool gateway_source;           // the gateway as agent Source Role ID
  std::string_view subject_system;
};

constexpr Pattern kPatterns[] = {
    {"consent-recorded", kPatientRecord, kNone, "C", kNone, false, false, false,
     kConsentIdSystem},
    {"consent-revoked", kPatientRecord, kNone, "U", kNone, false, false, false,
     kConsentIdSystem},
    {"disclosure-permitted", kSecurityAlert, kAuthZConsent, "E", kSourceRole,
     false, true, false, kDisclosureIdSystem},
    {"disclosure-redacted", kSecurityAlert, kAuthZConsent, "E", kSourceRole,
     false, true, false, kDisclosureIdSystem},
    {"disclosure-denied", kSecurityAlert, kAuthZConsent, "E", kSourceRole, true,
     true, false, kDisclosureIdSystem},
    {"message-acknowledged", kImport, kDisclose, "C", kDestinationRole, false,
     false, true, kMessageIdSystem},
    {"message-withheld", kSecurityAlert, kAuthZConsent, "E", kNone, true, true,
     false, kMessageIdSystem},
    {"audit-accessed", kAuditLogUsed, kNone, "R", kNone, false, false, false,
     kSubjectIdSystem},
    {"access-denied", kSecurityAlert, kAuthZRole, "E", kNone, true, true, false,
     kSubjectIdSystem},
    // Push delivery (API.md "Push delivery").
    {"message-delivered", kExport, kDisclose, "R", kNone, false, false, true,
     kMessageIdSystem},
    {"delivery-failed", kExport, kNone, "R", kNone, true, false, true,
     kMessageIdSystem},
    // Compliance put a failed message back in the outbox: no disclosure yet,
    // an update of the export the gateway will make.
    {"delivery-retried", kExport, kNone, "U", kNone, false, false, true,
     kMessageIdSystem},
};

Json CodingJson(const Code& c) { return Coding(c.system, c.code, c.display); }

const Pattern* FindPattern(std::string_view action_code) {
  for (const Pattern& p : kPatterns) {
    if (p.action == action_code) return &p;
  }
  return nullptr;
}

std::string OutcomeDescription(const v1::AuditEvent& e) {
  std::string text = DisplayOf(v1::AuditAction_descriptor(), e.action());
  if (text.empty()) text = Cat("Audit action ", static_cast<int>(e.action()));
  if (!e.reasons().empty()) {
    text += ": ";
    for (int i = 0; i < e.reasons_size(); ++i) {
      if (i > 0) text += ", ";
      text += CodeOf(static_cast<v1::DenialReason>(e.reasons(i)));
    }
  }
  if (!e.detail().empty()) text += Cat(" (", e.detail(), ")");
  return text;
}

Json ChainIdentifiers(const v1::AuditEvent& e) {
  auto ext = [](std::string_view system, std::string_view value) {
    return Json{{"url", kAuditEventIdentifierExtension},
                {"valueIdentifier", Identifier(system, value)}};
  };
  Json list = Json::array({ext(kAuditSeqSystem, Cat(e.seq()))});
  if (!e.hash().empty())
    list.push_back(ext(kAuditHashSystem, HexEncode(e.hash())));
  if (!e.prev_hash().empty()) {
    list.push_back(ext(kAuditPrevHashSystem, HexEncode(e.prev_hash())));
  }
  if (!e.request_id().empty()) {
    list.push_back(ext(kRequestIdSystem, e.request_id()));
  }
  return list;
}

Json Agents(const v1::AuditEvent& e, const Pattern* p, const Json& gateway) {
  Json agents = Json::array();
  if (!e.actor_principal_id().empty()) {
    Json actor = Json::object();
    if (p != nullptr && !p->actor_type.code.empty()) {
      actor["type"] = Concept(CodingJson(p->actor_type));
    }
    if (e.actor_role() != v1::ROLE_UNSPECIFIED) {
      actor["role"] = Json::array({Concept(CodingOf(e.actor_role()))});
    }
    actor["who"] = {
        {"identifier", Identifier(kPrincipalIdSystem, e.actor_principal_id())}};
    actor["requestor"] = true;
    agents.push_back(std::move(actor));
  }
  if (!e.actor_org_id().empty()) {
    agents.push_back(Json{{"type", Concept(Coding(kRoleClassSystem, "PROV",
                                                  "healthcare provider"))},
                          {"who", LogicalReference("Organization", kOrgIdSystem,
                                                   e.actor_org_id())},
                          {"requestor", false}});
  }
  if (!e.recipient_org_id().empty()) {
    Json recipient = {
        {"type", Concept(Coding(kParticipationTypeSystem, kRecipientRole,
                                kRecipientRoleDisplay))},
        {"who",
         LogicalReference("Organization", kOrgIdSystem, e.recipient_org_id())},
        {"requestor", false}};
    if (e.purpose() != v1::PURPOSE_UNSPECIFIED) {
      recipient["purposeOfUse"] = Json::array({PurposeConcept(e.purpose())});
    }
    agents.push_back(std::move(recipient));
  }
  if (p != nullptr && (p->authorizer || p->gateway_source)) {
    const Json type = p->authorizer
                          ? Concept(Coding(kSecurityRoleSystem, "authserver",
                                           "authorization server"))
                          : Concept(CodingJson(kSourceRole));
    agents.push_back(
        Json{{"type", type}, {"who", gateway}, {"requestor", false}});
  }
  if (agents.empty()) {
    // R4 requires an agent: the gateway acted alone.
    agents.push_back(Json{{"who", gateway}, {"requestor", false}});
  }
  return agents;
}

Json Entities(const v1::AuditEvent& e, const Pattern* p) {
  Json entities = Json::array();
  if (!e.patient_id().empty()) {
    entities.push_back(
        Json{{"what",
              {{"type", "Patient"},
               {"identifier",
                PatientIdentifier(e.practice_org_id(), e.patient_id())}}},
             {"type", Coding(kEntityTypeSystem, "1", "Person")},
             {"role", Coding(kObjectRoleSystem, "1", "Patient")}});
  }
  for (const std::string& consent_id : e.consent_ids()) {
    if (consent_id.empty()) continue;
    entities.push_back(Json{
        {"what", LogicalReference("Consent", kConsentIdSystem, consent_id)},
        {"type", Coding(kResourceTypeSystem, "Consent", "Consent")}});
  }
  Json data = Json::object();
  const bool subject_is_consent =
      std::find(e.consent_ids().begin(), e.consent_ids().end(),
                e.subject_id()) != e.consent_ids().end();
  if (!e.subject_id().empty() && !subject_is_consent) {
    data["what"] = {{"identifier", Identifier(p != nullptr ? p->subject_system
                                                           : kSubjectIdSystem,
                                              e.subject_id())}};
  }
  Json details = Json::array();
  if (!e.content_sha256().empty()) {
    details.push_back(
        Json{{"type", "content-sha256"}, {"valueString", e.content_sha256()}});
  }
  for (const int c : e.categories()) {
    details.push_back(
        Json{{"type", "category"},
             {"valueString", CodeOf(static_cast<v1::Category>(c))}});
  }
  if (!data.empty() || !details.empty()) {
    data["type"] = Coding(kEntityTypeSystem, "2", "System Object");
    data["role"] = Coding(kObjectRoleSystem, "4", "Domain Resource");
    if (!details.empty()) data["detail"] = std::move(details);
    entities.push_back(std::move(data));
  }
  return entities;
}

}  // namespace

Json AuditEventToFhir(const v1::AuditEvent& e,
                      const AuditExportContext& context) {
  const std::string action_code = CodeOf(e.action());
  const Pattern* p = FindPattern(action_code);
  // FHIR forbids empty strings; an unnamed gateway is just "caregate".
  const std::string gateway_id =
      context.gateway_id.empty() ? "caregate" : context.gateway_id;
  const Json gateway = LogicalReference("Device", kGatewaySystem, gateway_id);

  Json event = {{"resourceType", "AuditEvent"},
                {"id", Cat("audit-", e.seq())},
                {"extension", ChainIdentifiers(e)}};
  Json subtypes = Json::array();
  if (p != nullptr) {
    event["type"] = CodingJson(p->type);
    if (!p->subtype.code.empty()) subtypes.push_back(CodingJson(p->subtype));
  }
  Json own = action_code.empty()
                 ? Coding(kAuditActionSystem,
                          Cat("unknown-", static_cast<int>(e.action())))
                 : CodingOf(e.action());
  if (p == nullptr) {
    event["type"] = own;
  } else {
    subtypes.push_back(own);
  }
  event["subtype"] = std::move(subtypes);
  if (p != nullptr) event["action"] = p->fhir_action;
  event["recorded"] = FhirInstant(e.time());
  event["outcome"] = p != nullptr && p->deny ? "8" : "0";
  event["outcomeDesc"] = OutcomeDescription(e);
  if (e.purpose() != v1::PURPOSE_UNSPECIFIED) {
    event["purposeOfEvent"] = Json::array({PurposeConcept(e.purpose())});
  }
  event["agent"] = Agents(e, p, gateway);
  event["source"] = {
      {"site", gateway_id},
      {"observer", gateway},
      {"type",
       Json::array({Coding(kSourceTypeSystem, "4", "Application Server")})}};
  if (Json entities = Entities(e, p); !entities.empty()) {
    event["entity"] = std::move(entities);
  }
  if (event["subtype"].empty()) event.erase("subtype");
  return event;
}

void AppendAuditEventNdjson(const v1::AuditEvent& event,
                            const AuditExportContext& context,
                            std::string* out) {
  out->append(AuditEventToFhir(event, context)
                  .dump(-1, ' ', false, Json::error_handler_t::replace));
  out->push_back('\n');
}

}  // namespace caregate::fhir
