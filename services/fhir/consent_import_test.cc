#include "services/fhir/consent_import.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/crypto/encoding.h"
#include "services/crypto/sha256.h"
#include "services/fhir/consent_export.h"
#include "tests/fhir/fhir_samples.h"
#include "tests/testing/status_matchers.h"

namespace caregate::fhir {
namespace {

using ::caregate::testing::StatusIs;
using ::google::protobuf::util::MessageDifferencer;
using samples::ConsentShape;
using samples::SampleConsent;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

// What RecordConsent takes from a recorded consent: everything but the
// output-only fields.
v1::Consent Recordable(v1::Consent c) {
  c.clear_consent_id();
  c.clear_status();
  c.clear_revision();
  c.clear_recorded_by();
  c.clear_recorded_at();
  c.clear_revoked_at();
  c.clear_revoked_by();
  c.clear_revocation_reason();
  return c;
}

Json Exported(ConsentShape shape = ConsentShape::kProvider) {
  return ConsentToFhir(SampleConsent(shape));
}

TEST(ConsentImportTest, RoundTripGivesTheSameConsent) {
  for (const ConsentShape shape :
       {ConsentShape::kOrganization, ConsentShape::kProvider,
        ConsentShape::kSpecialty}) {
    const v1::Consent original = SampleConsent(shape);
    const std::string text = ConsentToFhir(original).dump(2);
    absl::StatusOr<v1::Consent> imported = ConsentFromFhirJson(text);
    ASSERT_TRUE(imported.ok())
        << samples::ShapeName(shape) << ": " << imported.status() << "\n"
        << text;
    std::string diff;
    MessageDifferencer differencer;
    differencer.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differencer.Compare(Recordable(original), *imported))
        << samples::ShapeName(shape) << ":\n"
        << diff;
  }
}

TEST(ConsentImportTest, ExportOfTheImportIsTheSameResource) {
  const Json exported = Exported();
  absl::StatusOr<v1::Consent> imported = ConsentFromFhir(exported);
  ASSERT_TRUE(imported.ok()) << imported.status();
  v1::Consent again = *imported;
  const v1::Consent original = SampleConsent(ConsentShape::kProvider);
  again.set_consent_id(original.consent_id());
  again.set_status(original.status());
  again.set_revision(original.revision());
  *again.mutable_recorded_at() = original.recorded_at();
  EXPECT_EQ(ConsentToFhir(again).dump(), exported.dump());
}

TEST(ConsentImportTest, ReadsAMinimalForeignConsentOfTheSameShape) {
  const std::string text = R"({
    "resourceType": "Consent",
    "status": "active",
    "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                          "code": "patient-privacy"}]},
    "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
    "patient": {"reference": "Patient/123",
                "identifier": {"system": "https://caregate.example/fhir/sid/patient-id/harbor-counseling",
                               "value": "p-7"}},
    "dateTime": "2024-05-01T11:30:00+02:00",
    "sourceAttachment": {"contentType": "text/plain", "data": "c2lnbmVkIGZvcm0="},
    "provision": {
      "type": "permit",
      "period": {"end": "2025-01-01T00:00:00Z"},
      "actor": [{"role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                      "code": "IRCP"}]},
                 "reference": {"identifier": {"system": "https://caregate.example/fhir/sid/org-id",
                                              "value": "maple-primary-care"}}}],
      "purpose": [{"system": "https://caregate.example/fhir/CodeSystem/purpose", "code": "referral"}],
      "code": [{"coding": [{"system": "https://caregate.example/fhir/CodeSystem/category",
                            "code": "referral-reason"}], "text": "Why we refer"}]
    }
  })";
  absl::StatusOr<v1::Consent> c = ConsentFromFhirJson(text);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->practice_org_id(), "harbor-counseling");
  EXPECT_EQ(c->patient_id(), "p-7");
  EXPECT_EQ(c->grantee().org_id(), "maple-primary-care");
  EXPECT_EQ(c->evidence().signed_at().seconds(), 1714555800);
  // The form's hash is computed from the inline data.
  EXPECT_EQ(c->evidence().document_sha256(), Sha256Hex("signed form"));
  EXPECT_THAT(c->purposes(), ::testing::ElementsAre(v1::PURPOSE_REFERRAL));
  EXPECT_THAT(c->categories(),
              ::testing::ElementsAre(v1::CATEGORY_REFERRAL_REASON));
  EXPECT_EQ(c->expires_at().seconds(), 1735689600);
  EXPECT_FALSE(c->has_valid_from());
}

// Each refusal names the FHIR element it could not map.
struct Refusal {
  const char* name;
  std::function<void(Json&)> edit;
  const char* message;
};

class ConsentImportRefusalTest : public ::testing::TestWithParam<Refusal> {};

TEST_P(ConsentImportRefusalTest, NamesTheElement) {
  Json resource = Exported();
  GetParam().edit(resource);
  EXPECT_THAT(ConsentFromFhir(resource),
              StatusIs(kInvalid, StartsWith(GetParam().message)));
}

Json Deny(std::string_view system, std::string_view code) {
  return Json{
      {"type", "deny"},
      {"code",
       Json::array({Json{{"coding", Json::array({Json{{"system", system},
                                                      {"code", code}}})}}})}};
}

const Refusal kRefusals[] = {
    {"UnknownCodeSystemInNestedProvision",
     [](Json& c) {
       c["provision"]["provision"].push_back(
           Deny("http://example.org/categories", "trauma"));
     },
     "Consent.provision.provision[1].code[0].coding[0].system: unknown code "
     "system \"http://example.org/categories\""},
    {"UnknownCategoryCode",
     [](Json& c) { c["provision"]["code"][1]["coding"][0]["code"] = "gossip"; },
     "Consent.provision.code[1].coding[0].code: unknown code \"gossip\""},
    {"NestedPermit",
     [](Json& c) { c["provision"]["provision"][0]["type"] = "permit"; },
     "Consent.provision.provision[0].type: \"permit\" is not supported"},
    {"TwoLevelsOfNesting",
     [](Json& c) {
       c["provision"]["provision"][0]["provision"] =
           Json::array({Deny(kCategorySystem, "diagnosis")});
     },
     "Consent.provision.provision[0].provision: not supported"},
    {"NestedProvisionWithAnActor",
     [](Json& c) {
       c["provision"]["provision"][0]["actor"] = c["provision"]["actor"];
     },
     "Consent.provision.provision[0].actor: not supported"},
    {"MissingSignatureDate", [](Json& c) { c.erase("dateTime"); },
     "Consent.dateTime: missing; caregate needs the date the form was signed"},
    {"PartialSignatureDate", [](Json& c) { c["dateTime"] = "2024-05-01"; },
     "Consent.dateTime: \"2024-05-01\" is not an exact instant"},
    {"PartialExpiry", [](Json& c) { c["provision"]["period"]["end"] = "2025"; },
     "Consent.provision.period.end: \"2025\" is not an exact instant"},
    {"NoExpiry", [](Json& c) { c["provision"]["period"].erase("end"); },
     "Consent.provision.period.end: missing"},
    {"StatusInactive", [](Json& c) { c["status"] = "inactive"; },
     "Consent.status: \"inactive\" cannot be recorded"},
    {"RevocationExtension",
     [](Json& c) {
       c = ConsentToFhir(SampleConsent(ConsentShape::kRevoked));
       c["status"] = "active";
     },
     "Consent.extension[1]: the consent was revoked"},
    {"OtherScope",
     [](Json& c) { c["scope"]["coding"][0]["code"] = "treatment"; },
     "Consent.scope.coding[0].code: unsupported code \"treatment\""},
    {"OtherCategory",
     [](Json& c) { c["category"][0]["coding"][0]["code"] = "64292-6"; },
     "Consent.category[0].coding[0].code: unsupported code \"64292-6\""},
    {"UnknownPurposeSystem",
     [](Json& c) {
       c["provision"]["purpose"][0]["system"] =
           "http://terminology.hl7.org/CodeSystem/v3-ActReason";
     },
     "Consent.provision.purpose[0].system: unknown code system"},
    {"Sha1OnlyHash",
     [](Json& c) {
       c["sourceAttachment"].erase("extension");
       c["sourceAttachment"]["hash"] = "2jmj7l5rSw0yVb/vlWAYkK/YBwk=";
     },
     "Consent.sourceAttachment: caregate needs the signed form's SHA-256"},
    {"BadSha256",
     [](Json& c) {
       c["sourceAttachment"]["extension"][0]["valueString"] = "abc";
     },
     "Consent.sourceAttachment.extension[0].valueString: must be a SHA-256"},
    {"DataDisagreesWithHash",
     [](Json& c) {
       c["sourceAttachment"]["data"] = Base64Encode("another form");
     },
     "Consent.sourceAttachment.data: its SHA-256 does not match"},
    {"SourceReference",
     [](Json& c) {
       c["sourceReference"] = Json{{"reference", "DocumentReference/1"}};
     },
     "Consent.sourceReference: caregate cannot fetch"},
    {"UnknownExtension",
     [](Json& c) {
       c["extension"].push_back(
           Json{{"url", "http://example.org/x"}, {"valueString", "y"}});
     },
     "Consent.extension[1].url: unknown extension \"http://example.org/x\""},
    {"ModifierExtension",
     [](Json& c) {
       c["modifierExtension"] = Json::array(
           {Json{{"url", "http://example.org/x"}, {"valueBoolean", true}}});
     },
     "Consent.modifierExtension: caregate cannot honour modifier extensions"},
    {"Verification",
     [](Json& c) {
       c["verification"] = Json::array({Json{{"verified", true}}});
     },
     "Consent.verification: not supported"},
    {"ProvisionClass",
     [](Json& c) {
       c["provision"]["class"] =
           Json::array({Json{{"system", "http://hl7.org/fhir/resource-types"},
                             {"code", "Observation"}}});
     },
     "Consent.provision.class: not supported"},
    {"TwoActors",
     [](Json& c) {
       c["provision"]["actor"].push_back(c["provision"]["actor"][0]);
     },
     "Consent.provision.actor: caregate needs exactly one actor"},
    {"ActorNotRecipient",
     [](Json& c) {
       c["provision"]["actor"][0]["role"]["coding"][0]["code"] = "PRCP";
     },
     "Consent.provision.actor[0].role.coding[0].code: unsupported code"},
    {"UnknownSpecialty",
     [](Json& c) {
       c = ConsentToFhir(SampleConsent(ConsentShape::kSpecialty));
       c["contained"][0]["specialty"][0]["coding"][0]["code"] = "cardiology";
     },
     "Consent.contained[0].specialty[0].coding[0].code: unknown code"},
    {"ActionOtherThanDisclose",
     [](Json& c) {
       c["provision"]["action"][0]["coding"][0]["code"] = "collect";
     },
     "Consent.provision.action[0].coding[0].code: unsupported code"},
    {"PermitOfNothing", [](Json& c) { c["provision"].erase("code"); },
     "Consent.provision.code: missing"},
    {"ForeignPatientSystem",
     [](Json& c) {
       c["patient"]["identifier"]["system"] = "http://hospital.example/mrn";
     },
     "Consent.patient.identifier.system: unknown identifier system"},
    {"OrganizationIsNotThePractice",
     [](Json& c) {
       c["organization"][0]["identifier"]["value"] = "other-practice";
     },
     "Consent.organization[0].identifier.value: \"other-practice\" is not "
     "the patient's practice"},
    {"TwoSigners", [](Json& c) { c["performer"].push_back(c["performer"][0]); },
     "Consent.performer[1]: caregate records one signer"},
    {"UnreferencedContainedSigner", [](Json& c) { c.erase("performer"); },
     "Consent.performer: missing; the contained RelatedPerson"},
    {"UnknownContained",
     [](Json& c) {
       c["contained"].push_back(Json{{"resourceType", "Patient"}, {"id", "x"}});
     },
     "Consent.contained[2]: caregate reads only"},
    {"EmptyString", [](Json& c) { c["dateTime"] = ""; },
     "Consent.dateTime: must not be empty"},
    {"WrongType", [](Json& c) { c["provision"]["code"] = "diagnosis"; },
     "Consent.provision.code: must be an array"},
    {"NotAConsent", [](Json& c) { c["resourceType"] = "Patient"; },
     "resourceType: expected \"Consent\", got \"Patient\""},
};

INSTANTIATE_TEST_SUITE_P(Refusals, ConsentImportRefusalTest,
                         ::testing::ValuesIn(kRefusals),
                         [](const ::testing::TestParamInfo<Refusal>& info) {
                           return std::string(info.param.name);
                         });

TEST(ConsentImportTest, InvalidJsonIsRefusedWithoutEchoingIt) {
  absl::StatusOr<v1::Consent> c =
      ConsentFromFhirJson(R"({"resourceType": "Consent", "note": "Jane Doe)");
  EXPECT_THAT(
      c, StatusIs(kInvalid, HasSubstr("not valid JSON (syntax error at byte")));
  EXPECT_THAT(c.status().message(), ::testing::Not(HasSubstr("Jane")));
  EXPECT_THAT(ConsentFromFhirJson(""),
              StatusIs(kInvalid, HasSubstr("not valid JSON")));
  EXPECT_THAT(ConsentFromFhirJson("[1, 2]"),
              StatusIs(kInvalid, HasSubstr("not a JSON object")));
  EXPECT_THAT(ConsentFromFhirJson(R"({"status": "active"})"),
              StatusIs(kInvalid, HasSubstr("resourceType: missing")));
}

TEST(ConsentImportTest, RepeatedMemberNamesAreRefused) {
  Json resource = Exported();
  std::string text = resource.dump();
  // Repeat "status" with another value: which one counts is up to a parser.
  text.insert(1, R"("status": "inactive", )");
  EXPECT_THAT(ConsentFromFhirJson(text),
              StatusIs(kInvalid, HasSubstr("repeats a member name")));
}

TEST(ConsentImportTest, RefusalsNeverEchoNames) {
  Json resource = Exported();
  resource["contained"][1]["name"][0]["given"] = Json::array({"Jane"});
  absl::StatusOr<v1::Consent> c = ConsentFromFhir(resource);
  EXPECT_THAT(
      c, StatusIs(kInvalid, HasSubstr("Consent.contained[1].name[0].given")));
  EXPECT_THAT(c.status().message(), ::testing::Not(HasSubstr("Jane")));
}

}  // namespace
}  // namespace caregate::fhir
