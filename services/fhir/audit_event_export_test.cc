#include "services/fhir/audit_event_export.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/crypto/encoding.h"
#include "tests/fhir/fhir_samples.h"

namespace caregate::fhir {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

v1::AuditEvent SampleOf(v1::AuditAction action) {
  for (const v1::AuditEvent& e : samples::SampleAuditEvents()) {
    if (e.action() == action) return e;
  }
  ADD_FAILURE() << "no sample for " << v1::AuditAction_Name(action);
  return v1::AuditEvent();
}

Json Export(v1::AuditAction action) {
  return AuditEventToFhir(SampleOf(action), samples::SampleAuditContext());
}

std::vector<std::string> SubtypeCodes(const Json& event) {
  std::vector<std::string> codes;
  for (const Json& s : event["subtype"]) codes.push_back(s["code"]);
  return codes;
}

const Json* AgentOfType(const Json& event, std::string_view code) {
  for (const Json& a : event["agent"]) {
    if (a.contains("type") && a["type"]["coding"][0]["code"] == code) return &a;
  }
  return nullptr;
}

// The identifier value of the audit-event-identifier extension in `system`.
std::string ChainIdentifier(const Json& event, std::string_view system) {
  for (const Json& ext : event["extension"]) {
    if (ext["url"] == kAuditEventIdentifierExtension &&
        ext["valueIdentifier"]["system"] == system) {
      return ext["valueIdentifier"]["value"];
    }
  }
  return "";
}

TEST(AuditEventExportTest, ConsentDecisionsFollowBalpAuthZConsent) {
  struct Case {
    v1::AuditAction action;
    const char* outcome;
  };
  for (const Case c : {Case{v1::AUDIT_ACTION_DISCLOSURE_PERMITTED, "0"},
                       Case{v1::AUDIT_ACTION_DISCLOSURE_REDACTED, "0"},
                       Case{v1::AUDIT_ACTION_DISCLOSURE_DENIED, "8"}}) {
    SCOPED_TRACE(v1::AuditAction_Name(c.action));
    const Json e = Export(c.action);
    EXPECT_EQ(e["type"]["system"],
              "http://dicom.nema.org/resources/ontology/DCM");
    EXPECT_EQ(e["type"]["code"], "110113");
    EXPECT_EQ(e["subtype"][0]["system"],
              "https://profiles.ihe.net/ITI/BALP/CodeSystem/AuthZsubType");
    EXPECT_EQ(e["subtype"][0]["code"], "AuthZ-Consent");
    EXPECT_EQ(e["subtype"][1]["system"], kAuditActionSystem);
    EXPECT_EQ(e["subtype"][1]["code"], CodeOf(c.action));
    EXPECT_EQ(e["action"], "E");
    EXPECT_EQ(e["outcome"], c.outcome);
    // The recipient, with the purpose of use.
    const Json* recipient = AgentOfType(e, "IRCP");
    ASSERT_NE(recipient, nullptr);
    EXPECT_EQ((*recipient)["who"]["identifier"]["value"], "core-pelvic-pt");
    EXPECT_EQ((*recipient)["purposeOfUse"][0]["coding"][0]["code"],
              "treatment-coordination");
    EXPECT_EQ((*recipient)["requestor"], false);
    // The gateway decided.
    const Json* authorizer = AgentOfType(e, "authserver");
    ASSERT_NE(authorizer, nullptr);
    EXPECT_EQ((*authorizer)["who"], e["source"]["observer"]);
    // The patient, then the consents relied on.
    EXPECT_EQ(e["entity"][0]["role"]["code"], "1");
    EXPECT_EQ(e["entity"][0]["what"]["identifier"]["value"], "p-1");
    EXPECT_EQ(e["purposeOfEvent"][0]["coding"][0]["code"],
              "treatment-coordination");
  }
  const Json permitted = Export(v1::AUDIT_ACTION_DISCLOSURE_PERMITTED);
  EXPECT_EQ(permitted["entity"][1]["type"]["code"], "Consent");
  EXPECT_EQ(permitted["entity"][1]["what"]["identifier"]["value"], "c-0001");
  const Json denied = Export(v1::AUDIT_ACTION_DISCLOSURE_DENIED);
  EXPECT_THAT(denied["outcomeDesc"].get<std::string>(),
              HasSubstr("category-withheld"));
}

TEST(AuditEventExportTest, DisclosureDataEntityHasContentHashAndCategories) {
  const v1::AuditEvent source = SampleOf(v1::AUDIT_ACTION_DISCLOSURE_REDACTED);
  const Json e = AuditEventToFhir(source, samples::SampleAuditContext());
  const Json& data = e["entity"].back();
  EXPECT_EQ(data["what"]["identifier"]["system"], kDisclosureIdSystem);
  EXPECT_EQ(data["what"]["identifier"]["value"], source.subject_id());
  EXPECT_EQ(data["detail"][0]["type"], "content-sha256");
  EXPECT_EQ(data["detail"][0]["valueString"], source.content_sha256());
  EXPECT_EQ(data["detail"][1]["valueString"], "session-attendance");
  EXPECT_EQ(data["detail"][2]["valueString"], "trauma-history");
}

TEST(AuditEventExportTest, SeqAndHashesAreIdentifiersThatTieToTheChain) {
  const std::vector<v1::AuditEvent> events = samples::SampleAuditEvents();
  for (const v1::AuditEvent& source : events) {
    const Json e = AuditEventToFhir(source, samples::SampleAuditContext());
    EXPECT_EQ(e["id"], "audit-" + std::to_string(source.seq()));
    EXPECT_EQ(ChainIdentifier(e, kAuditSeqSystem),
              std::to_string(source.seq()));
    EXPECT_EQ(ChainIdentifier(e, kAuditHashSystem), HexEncode(source.hash()));
    EXPECT_EQ(ChainIdentifier(e, kAuditPrevHashSystem),
              HexEncode(source.prev_hash()));
    EXPECT_EQ(ChainIdentifier(e, kRequestIdSystem), source.request_id());
  }
  // The link: each event's prev-hash identifier is the previous one's hash.
  const Json first = AuditEventToFhir(events[0], samples::SampleAuditContext());
  const Json second =
      AuditEventToFhir(events[1], samples::SampleAuditContext());
  EXPECT_EQ(ChainIdentifier(second, kAuditPrevHashSystem),
            ChainIdentifier(first, kAuditHashSystem));
}

TEST(AuditEventExportTest, OtherActionsMapToTheirNearestPattern) {
  struct Case {
    v1::AuditAction action;
    const char* type;
    const char* fhir_action;
    const char* outcome;
    std::vector<std::string> subtypes;
  };
  const Case cases[] = {
      {v1::AUDIT_ACTION_CONSENT_RECORDED,
       "110110",
       "C",
       "0",
       {"consent-recorded"}},
      {v1::AUDIT_ACTION_CONSENT_REVOKED,
       "110110",
       "U",
       "0",
       {"consent-revoked"}},
      {v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED,
       "110107",
       "C",
       "0",
       {"disclose", "message-acknowledged"}},
      {v1::AUDIT_ACTION_MESSAGE_WITHHELD,
       "110113",
       "E",
       "8",
       {"AuthZ-Consent", "message-withheld"}},
      {v1::AUDIT_ACTION_AUDIT_ACCESSED, "110101", "R", "0", {"audit-accessed"}},
      {v1::AUDIT_ACTION_ACCESS_DENIED,
       "110113",
       "E",
       "8",
       {"AuthZ-Role", "access-denied"}},
      {v1::AUDIT_ACTION_MESSAGE_DELIVERED,
       "110106",
       "R",
       "0",
       {"disclose", "message-delivered"}},
      {v1::AUDIT_ACTION_DELIVERY_FAILED,
       "110106",
       "R",
       "8",
       {"delivery-failed"}},
      {v1::AUDIT_ACTION_DELIVERY_RETRIED,
       "110106",
       "U",
       "0",
       {"delivery-retried"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(v1::AuditAction_Name(c.action));
    const Json e = Export(c.action);
    EXPECT_EQ(e["type"]["code"], c.type);
    EXPECT_EQ(e["action"], c.fhir_action);
    EXPECT_EQ(e["outcome"], c.outcome);
    EXPECT_EQ(SubtypeCodes(e), c.subtypes);
  }
  const Json ack = Export(v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED);
  const Json* clinic = AgentOfType(ack, "110152");
  ASSERT_NE(clinic, nullptr);
  EXPECT_EQ((*clinic)["who"]["identifier"]["value"], "core-pelvic-pt-inbox");
  EXPECT_EQ((*clinic)["role"][0]["coding"][0]["code"], "clinic");
  EXPECT_EQ((*clinic)["requestor"], true);
  const Json denied = Export(v1::AUDIT_ACTION_ACCESS_DENIED);
  EXPECT_THAT(denied["outcomeDesc"].get<std::string>(),
              HasSubstr("GetConsent: NOT_FOUND"));
  EXPECT_FALSE(denied.contains("entity"));
}

TEST(AuditEventExportTest, AnActionWithoutAPatternKeepsItsCaregateCode) {
  v1::AuditEvent e = SampleOf(v1::AUDIT_ACTION_AUDIT_ACCESSED);
  e.set_action(static_cast<v1::AuditAction>(99));
  const Json out = AuditEventToFhir(e, samples::SampleAuditContext());
  EXPECT_EQ(out["type"]["system"], kAuditActionSystem);
  EXPECT_EQ(out["type"]["code"], "unknown-99");
  EXPECT_FALSE(out.contains("subtype"));
  EXPECT_FALSE(out.contains("action"));
  EXPECT_EQ(out["outcome"], "0");
}

TEST(AuditEventExportTest, NdjsonIsOneCompactLinePerEvent) {
  std::string out;
  const std::vector<v1::AuditEvent> events = samples::SampleAuditEvents();
  for (const v1::AuditEvent& e : events) {
    AppendAuditEventNdjson(e, samples::SampleAuditContext(), &out);
  }
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl = out.find('\n'); nl != std::string::npos;
       start = nl + 1, nl = out.find('\n', start)) {
    lines.push_back(out.substr(start, nl - start));
  }
  EXPECT_EQ(start, out.size()) << "ends with a newline";
  ASSERT_EQ(lines.size(), events.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const Json parsed = Json::parse(lines[i]);
    EXPECT_EQ(parsed["resourceType"], "AuditEvent");
    EXPECT_EQ(parsed["id"], "audit-" + std::to_string(events[i].seq()));
  }
}

TEST(AuditEventExportTest, InvalidUtf8IsReplacedNotThrown) {
  v1::AuditEvent e = SampleOf(v1::AUDIT_ACTION_ACCESS_DENIED);
  e.set_detail("bad \xff byte");
  std::string out;
  AppendAuditEventNdjson(e, samples::SampleAuditContext(), &out);
  EXPECT_THAT(out, HasSubstr("bad \xef\xbf\xbd byte"));
}

TEST(AuditEventExportTest, AnUnnamedGatewayIsStillAValidObserver) {
  const Json e = AuditEventToFhir(SampleOf(v1::AUDIT_ACTION_CONSENT_RECORDED),
                                  AuditExportContext{});
  EXPECT_EQ(e["source"]["observer"]["identifier"]["value"], "caregate");
  EXPECT_EQ(e["source"]["site"], "caregate");
}

}  // namespace
}  // namespace caregate::fhir
