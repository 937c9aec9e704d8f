#include "services/fhir/message_bundle.h"

#include <map>
#include <memory>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/crypto/ed25519.h"
#include "services/crypto/encoding.h"
#include "services/delivery/message_signature.h"
#include "services/fhir/fhir_json.h"
#include "tests/fhir/fhir_samples.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"

namespace caregate::fhir {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class MessageBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const caregate::testing::PemKeyPair keys =
        caregate::testing::NewEd25519KeyPair();
    signer_ = *Ed25519Signer::FromPem(keys.private_pem);
    verifier_ = *Ed25519Verifier::FromPem(keys.public_pem);
    messages_ = samples::SampleMessages(*signer_);
  }

  Json Bundle(const v1::Message& m) {
    absl::StatusOr<Json> bundle =
        BuildMessageBundle(m, samples::SampleBundleContext());
    EXPECT_TRUE(bundle.ok()) << bundle.status();
    return bundle.ok() ? *bundle : Json();
  }

  std::unique_ptr<Ed25519Signer> signer_;
  std::unique_ptr<Ed25519Verifier> verifier_;
  std::vector<v1::Message> messages_;
};

std::vector<std::string> ResourceTypes(const Json& bundle) {
  std::vector<std::string> types;
  for (const Json& e : bundle["entry"])
    types.push_back(e["resource"]["resourceType"]);
  return types;
}

// The resource at `urn` in the bundle, or nullptr.
const Json* Resolve(const Json& bundle, const std::string& urn) {
  for (const Json& e : bundle["entry"]) {
    if (e["fullUrl"] == urn) return &e["resource"];
  }
  return nullptr;
}

// Every "reference" member anywhere below `j`.
void CollectReferences(const Json& j, std::vector<std::string>* out) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (key == "reference" && value.is_string()) {
        out->push_back(value);
      } else {
        CollectReferences(value, out);
      }
    }
  } else if (j.is_array()) {
    for (const Json& v : j) CollectReferences(v, out);
  }
}

TEST_F(MessageBundleTest, IsAMessageBundleWithTheHeaderFirst) {
  const Json b = Bundle(messages_[0]);
  EXPECT_EQ(b["resourceType"], "Bundle");
  EXPECT_EQ(b["type"], "message");
  EXPECT_EQ(b["identifier"]["system"], kMessageIdSystem);
  EXPECT_EQ(b["identifier"]["value"], "m-0001");
  EXPECT_EQ(b["timestamp"], "2024-05-03T09:30:00.123456Z");
  EXPECT_THAT(
      ResourceTypes(b),
      ElementsAre("MessageHeader", "Communication", "Provenance", "Patient",
                  "Practitioner", "Organization", "Organization",
                  "Practitioner", "Device", "Consent", "Consent"));
  std::set<std::string> urls;
  for (const Json& e : b["entry"]) {
    const std::string url = e["fullUrl"];
    EXPECT_EQ(url, "urn:uuid:" + e["resource"]["id"].get<std::string>());
    EXPECT_TRUE(urls.insert(url).second) << "duplicate " << url;
  }
}

TEST_F(MessageBundleTest, EveryInternalReferenceResolves) {
  const Json b = Bundle(messages_[0]);
  std::vector<std::string> references;
  CollectReferences(b, &references);
  ASSERT_FALSE(references.empty());
  for (const std::string& ref : references) {
    if (ref.starts_with("#")) continue;  // contained, checked by the validator
    EXPECT_NE(Resolve(b, ref), nullptr) << ref;
  }
  for (const Json& policy : b["entry"][2]["resource"]["policy"]) {
    const Json* consent = Resolve(b, policy);
    ASSERT_NE(consent, nullptr);
    EXPECT_EQ((*consent)["resourceType"], "Consent");
  }
}

TEST_F(MessageBundleTest, HeaderNamesPartiesAndFocus) {
  const Json b = Bundle(messages_[0]);
  const Json& h = b["entry"][0]["resource"];
  EXPECT_EQ(h["eventCoding"]["system"], kMessageEventSystem);
  EXPECT_EQ(h["eventCoding"]["code"], "disclosure");
  EXPECT_EQ(h["source"]["endpoint"], "https://gateway.caregate.local:7443");
  EXPECT_EQ(h["destination"][0]["endpoint"],
            "https://fhir.core-pelvic-pt.example/r4");
  EXPECT_EQ(h["destination"][0]["receiver"]["identifier"]["value"],
            "pt-lindqvist");
  EXPECT_EQ(h["sender"]["identifier"]["value"], "sunrise-therapy");
  EXPECT_EQ(h["author"]["identifier"]["value"], "dr-rivera");
  EXPECT_EQ(h["focus"][0]["reference"], b["entry"][1]["fullUrl"]);
}

TEST_F(MessageBundleTest, OnePayloadPerSectionWithExactBodyTitleAndCategory) {
  const v1::Message& m = messages_[0];
  const Json c = Bundle(m)["entry"][1]["resource"];
  ASSERT_EQ(c["payload"].size(), static_cast<size_t>(m.sections_size()));
  for (int i = 0; i < m.sections_size(); ++i) {
    const Json& p = c["payload"][i];
    EXPECT_EQ(p["extension"][0]["url"], kSectionCategoryExtension);
    EXPECT_EQ(p["extension"][0]["valueCoding"]["code"],
              CodeOf(m.sections(i).category()));
    EXPECT_EQ(p["contentAttachment"]["title"], m.sections(i).title());
    EXPECT_EQ(Base64Decode(p["contentAttachment"]["data"].get<std::string>()),
              m.sections(i).body());
  }
  EXPECT_EQ(c["status"], "completed");
  EXPECT_EQ(c["subject"]["identifier"]["system"],
            PatientIdentifierSystem("sunrise-therapy"));
  EXPECT_EQ(c["subject"]["identifier"]["value"], "p-1");
  EXPECT_EQ(c["reasonCode"][0]["coding"][0]["code"], "treatment-coordination");
  EXPECT_EQ(c["note"][0]["text"], m.redisclosure_notice());
  EXPECT_EQ(c["sent"], "2024-05-03T09:30:00.123456Z");
}

TEST_F(MessageBundleTest, RedactedAndSparseMessages) {
  const Json redacted = Bundle(messages_[1])["entry"][1]["resource"];
  EXPECT_EQ(redacted["payload"].size(), 1u);
  const Json sparse = Bundle(messages_[2])["entry"][1]["resource"];
  // An empty title and body are left out (FHIR forbids ""), never invented.
  EXPECT_FALSE(sparse["payload"][0]["contentAttachment"].contains("data"));
  EXPECT_FALSE(sparse["payload"][0]["contentAttachment"].contains("title"));
  EXPECT_FALSE(sparse.contains("note"));
}

TEST_F(MessageBundleTest, ProvenanceCarriesTheGatewaySignature) {
  const v1::Message& m = messages_[0];
  const Json b = Bundle(m);
  const Json& p = b["entry"][2]["resource"];
  EXPECT_EQ(p["target"][0]["reference"], b["entry"][1]["fullUrl"]);
  EXPECT_EQ(p["extension"][0]["url"], kContentSha256Extension);
  EXPECT_EQ(p["extension"][0]["valueString"], m.content_sha256());
  const Json& s = p["signature"][0];
  EXPECT_EQ(Base64Decode(s["data"].get<std::string>()), m.signature());
  EXPECT_EQ(s["sigFormat"], kSignatureSigFormat);
  EXPECT_EQ(s["targetFormat"], kSignatureTargetFormat);
  EXPECT_EQ(s["type"][0]["code"], "1.2.840.10065.1.12.1.14");
  EXPECT_EQ(s["extension"][0]["valueString"], m.signing_key_id());
  const Json* device = Resolve(b, s["who"]["reference"]);
  ASSERT_NE(device, nullptr);
  EXPECT_EQ((*device)["resourceType"], "Device");
  EXPECT_EQ((*device)["identifier"][0]["value"], "caregate.local/audit");
}

TEST_F(MessageBundleTest, DeterministicUuidsFromTheMessageId) {
  EXPECT_EQ(Bundle(messages_[0]).dump(), Bundle(messages_[0]).dump());
  const Json b = Bundle(messages_[0]);
  EXPECT_EQ(b["entry"][0]["fullUrl"], UrnUuid("MessageHeader\nm-0001"));
  EXPECT_EQ(b["entry"][1]["fullUrl"], UrnUuid("Communication\nm-0001"));
  EXPECT_EQ(b["entry"][9]["fullUrl"], UrnUuid("Consent\nm-0001\nc-0001"));
  EXPECT_NE(Bundle(messages_[1])["entry"][0]["fullUrl"],
            b["entry"][0]["fullUrl"]);
}

// A receiver can rebuild the signed message from the bundle alone, as
// docs/fhir.md describes, and verify the gateway's signature.
v1::Message MessageFromBundle(const Json& b) {
  v1::Message m;
  const Json& header = b["entry"][0]["resource"];
  const Json& comm = *Resolve(b, header["focus"][0]["reference"]);
  const Json& prov = b["entry"][2]["resource"];
  m.set_message_id(b["identifier"]["value"]);
  for (const Json& id : comm["identifier"]) {
    if (id["system"] == kDisclosureIdSystem) m.set_disclosure_id(id["value"]);
  }
  m.set_sender_principal_id(comm["sender"]["identifier"]["value"]);
  m.set_sender_org_id(header["sender"]["identifier"]["value"]);
  m.set_patient_id(comm["subject"]["identifier"]["value"]);
  for (const Json& r : comm["recipient"]) {
    if (r["type"] == "Organization")
      m.set_recipient_org_id(r["identifier"]["value"]);
    if (r["type"] == "Practitioner") {
      m.set_recipient_provider_id(r["identifier"]["value"]);
    }
  }
  m.set_purpose(*EnumOfCode<v1::Purpose>(
      comm["reasonCode"][0]["coding"][0]["code"].get<std::string>()));
  for (const Json& p : comm["payload"]) {
    v1::Section* s = m.add_sections();
    s->set_category(*EnumOfCode<v1::Category>(
        p["extension"][0]["valueCoding"]["code"].get<std::string>()));
    const Json& a = p["contentAttachment"];
    if (a.contains("title")) s->set_title(a["title"]);
    if (a.contains("data"))
      s->set_body(*Base64Decode(a["data"].get<std::string>()));
  }
  for (const Json& policy : prov["policy"]) {
    const Json& c = *Resolve(b, policy);
    v1::ConsentSummary* s = m.add_consent_summaries();
    s->set_consent_id(c["identifier"][0]["value"]);
    *s->mutable_signed_at() =
        *ParseFhirInstant(c["dateTime"].get<std::string>(), "");
    const Json& pr = c["provision"];
    *s->mutable_expires_at() =
        *ParseFhirInstant(pr["period"]["end"].get<std::string>(), "");
    for (const Json& p : pr["purpose"]) {
      s->add_purposes(*EnumOfCode<v1::Purpose>(p["code"].get<std::string>()));
    }
    for (const Json& k : pr["code"]) {
      s->add_categories(
          *EnumOfCode<v1::Category>(k["coding"][0]["code"].get<std::string>()));
    }
    const Json& ref = pr["actor"][0]["reference"];
    if (ref.contains("identifier")) {
      s->mutable_grantee()->set_org_id(ref["identifier"]["value"]);
    } else {
      const Json& role = c["contained"][0];
      s->mutable_grantee()->set_org_id(
          role["organization"]["identifier"]["value"]);
      if (role.contains("practitioner")) {
        s->mutable_grantee()->set_provider_id(
            role["practitioner"]["identifier"]["value"]);
      }
      if (role.contains("specialty")) {
        s->mutable_grantee()->set_specialty(*EnumOfCode<v1::Specialty>(
            role["specialty"][0]["coding"][0]["code"].get<std::string>()));
      }
    }
  }
  if (comm.contains("note")) m.set_redisclosure_notice(comm["note"][0]["text"]);
  m.set_content_sha256(prov["extension"][0]["valueString"]);
  *m.mutable_created_at() =
      *ParseFhirInstant(comm["sent"].get<std::string>(), "");
  m.set_signing_key_id(prov["signature"][0]["extension"][0]["valueString"]);
  m.set_signature(
      *Base64Decode(prov["signature"][0]["data"].get<std::string>()));
  return m;
}

TEST_F(MessageBundleTest, SignatureVerifiesFromTheBundleAlone) {
  for (const v1::Message& m : messages_) {
    ASSERT_TRUE(VerifyMessage(*verifier_, m)) << m.message_id();
    const v1::Message rebuilt = MessageFromBundle(Bundle(m));
    EXPECT_EQ(CanonicalMessageBytes(rebuilt), CanonicalMessageBytes(m))
        << m.message_id();
    EXPECT_TRUE(VerifyMessage(*verifier_, rebuilt)) << m.message_id();
  }
  // And a changed body no longer verifies.
  Json tampered = Bundle(messages_[0]);
  tampered["entry"][1]["resource"]["payload"][0]["contentAttachment"]["data"] =
      Base64Encode("Attended 0 of 6 sessions.\n");
  EXPECT_FALSE(VerifyMessage(*verifier_, MessageFromBundle(tampered)));
}

TEST_F(MessageBundleTest, RefusesAnIncompleteMessageOrContext) {
  v1::Message m = messages_[0];
  m.clear_message_id();
  EXPECT_THAT(BuildMessageBundle(m, samples::SampleBundleContext()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("message.message_id: required")));
  m = messages_[0];
  m.mutable_sections(1)->clear_category();
  EXPECT_THAT(BuildMessageBundle(m, samples::SampleBundleContext()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("message.sections[1].category")));
  MessageBundleContext context = samples::SampleBundleContext();
  context.destination_endpoint.clear();
  EXPECT_THAT(BuildMessageBundle(messages_[0], context),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("context.destination_endpoint")));
}

}  // namespace
}  // namespace caregate::fhir
