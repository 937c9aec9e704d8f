#include "services/fhir/consent_export.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fhir/fhir_samples.h"

namespace caregate::fhir {
namespace {

using samples::ConsentShape;
using samples::SampleConsent;

// The coding codes of a CodeableConcept array, in order.
std::vector<std::string> Codes(const Json& concepts) {
  std::vector<std::string> codes;
  for (const Json& c : concepts) codes.push_back(c["coding"][0]["code"]);
  return codes;
}

// The sub-extension `url` of complex extension `ext`; null when absent.
Json Sub(const Json& ext, std::string_view url) {
  for (const Json& part : ext["extension"]) {
    if (part["url"] == url) return part;
  }
  return Json();
}

TEST(ConsentExportTest, FixedKindAndPatient) {
  const Json c = ConsentToFhir(SampleConsent(ConsentShape::kOrganization));
  EXPECT_EQ(c["resourceType"], "Consent");
  EXPECT_EQ(c["id"], "c-0001");
  EXPECT_EQ(c["status"], "active");
  EXPECT_EQ(c["scope"]["coding"][0]["system"],
            "http://terminology.hl7.org/CodeSystem/consentscope");
  EXPECT_EQ(c["scope"]["coding"][0]["code"], "patient-privacy");
  EXPECT_EQ(c["category"][0]["coding"][0]["system"], "http://loinc.org");
  EXPECT_EQ(c["category"][0]["coding"][0]["code"], "59284-0");
  EXPECT_EQ(c["policyRule"]["coding"][0]["code"], "hipaa-auth");
  EXPECT_EQ(c["patient"]["identifier"]["system"],
            "https://caregate.example/fhir/sid/patient-id/sunrise-therapy");
  EXPECT_EQ(c["patient"]["identifier"]["value"], "p-1");
  EXPECT_EQ(c["identifier"][0]["value"], "c-0001");
  EXPECT_EQ(c["organization"][0]["identifier"]["value"], "sunrise-therapy");
  EXPECT_EQ(c["dateTime"], "2024-05-01T09:30:00Z");
  EXPECT_EQ(c["meta"]["versionId"], "1");
  EXPECT_EQ(c["meta"]["lastUpdated"], "2024-05-01T09:40:00Z");
}

TEST(ConsentExportTest, ProvisionHoldsGranteePurposesCategoriesAndPeriod) {
  const Json c = ConsentToFhir(SampleConsent(ConsentShape::kOrganization));
  const Json& p = c["provision"];
  EXPECT_EQ(p["type"], "permit");
  EXPECT_EQ(p["period"]["start"], "2024-05-01T10:30:00Z");
  EXPECT_EQ(p["period"]["end"], "2025-05-01T09:30:00.5Z");
  ASSERT_EQ(p["actor"].size(), 1u);
  EXPECT_EQ(p["actor"][0]["role"]["coding"][0]["code"], "IRCP");
  EXPECT_EQ(p["actor"][0]["reference"]["type"], "Organization");
  EXPECT_EQ(p["actor"][0]["reference"]["identifier"]["value"],
            "core-pelvic-pt");
  EXPECT_EQ(p["action"][0]["coding"][0]["code"], "disclose");
  ASSERT_EQ(p["purpose"].size(), 1u);
  EXPECT_EQ(p["purpose"][0]["system"], kPurposeSystem);
  EXPECT_EQ(p["purpose"][0]["code"], "treatment-coordination");
  EXPECT_THAT(Codes(p["code"]), ::testing::ElementsAre("session-attendance",
                                                       "treatment-summary"));
  EXPECT_EQ(p["code"][0]["coding"][0]["system"], kCategorySystem);
  EXPECT_FALSE(p.contains("provision"));
  EXPECT_FALSE(c.contains("contained"));
}

TEST(ConsentExportTest, WithheldCategoriesAreANestedDenyProvision) {
  const Json c = ConsentToFhir(SampleConsent(ConsentShape::kProvider));
  const Json& nested = c["provision"]["provision"];
  ASSERT_EQ(nested.size(), 1u);
  EXPECT_EQ(nested[0]["type"], "deny");
  EXPECT_THAT(Codes(nested[0]["code"]),
              ::testing::ElementsAre("trauma-history", "sexual-history"));
}

TEST(ConsentExportTest, ProviderGranteeIsAContainedPractitionerRole) {
  const Json c = ConsentToFhir(SampleConsent(ConsentShape::kProvider));
  EXPECT_EQ(c["provision"]["actor"][0]["reference"]["reference"], "#grantee");
  const Json& role = c["contained"][0];
  EXPECT_EQ(role["resourceType"], "PractitionerRole");
  EXPECT_EQ(role["id"], "grantee");
  EXPECT_EQ(role["practitioner"]["identifier"]["value"], "pt-lindqvist");
  EXPECT_EQ(role["organization"]["identifier"]["value"], "core-pelvic-pt");
  EXPECT_FALSE(role.contains("specialty"));
}

TEST(ConsentExportTest, SpecialtyGranteeAndNoFhirIdForAnOddConsentId) {
  const Json c = ConsentToFhir(SampleConsent(ConsentShape::kSpecialty));
  EXPECT_FALSE(c.contains("id"));
  EXPECT_EQ(c["identifier"][0]["value"], "c_0003:odd");
  EXPECT_EQ(c["contained"][0]["specialty"][0]["coding"][0]["code"],
            "psychiatry");
  EXPECT_FALSE(c["provision"]["period"].contains("start"));
}

TEST(ConsentExportTest, SignerIsThePatientOrAContainedRepresentative) {
  const Json self = ConsentToFhir(SampleConsent(ConsentShape::kOrganization));
  EXPECT_EQ(self["performer"][0]["type"], "Patient");
  EXPECT_EQ(self["performer"][0]["identifier"]["value"], "p-1");
  EXPECT_EQ(self["performer"][0]["display"], "Sample Patient");

  const Json guardian = ConsentToFhir(SampleConsent(ConsentShape::kProvider));
  EXPECT_EQ(guardian["performer"][0]["reference"], "#signer");
  const Json& person = guardian["contained"][1];
  EXPECT_EQ(person["resourceType"], "RelatedPerson");
  EXPECT_EQ(person["name"][0]["text"], "Sample Representative");
  EXPECT_EQ(person["relationship"][0]["coding"][0]["code"], "guardian");
  EXPECT_EQ(person["relationship"][0]["coding"][1]["code"], "GUARD");
}

TEST(ConsentExportTest, SignedFormHashAndEvidenceExtensions) {
  const v1::Consent consent = SampleConsent(ConsentShape::kProvider);
  const Json c = ConsentToFhir(consent);
  const Json& attachment = c["sourceAttachment"];
  EXPECT_EQ(attachment["extension"][0]["url"], kDocumentSha256Extension);
  EXPECT_EQ(attachment["extension"][0]["valueString"],
            consent.evidence().document_sha256());
  // Attachment.hash is SHA-1 in R4; caregate never writes a SHA-256 there.
  EXPECT_FALSE(attachment.contains("hash"));
  const Json& evidence = c["extension"][0];
  EXPECT_EQ(evidence["url"], kConsentEvidenceExtension);
  EXPECT_EQ(Sub(evidence, "witness")["valueString"], "Sample Witness");
  EXPECT_EQ(Sub(evidence, "statesRightToRevoke")["valueBoolean"], true);
  EXPECT_EQ(Sub(evidence, "captureMethod")["valueCoding"]["code"],
            "paper-scanned");
  EXPECT_EQ(Sub(evidence, "representativeAuthority")["valueString"],
            "Court order 2023-17 (sample)");
}

TEST(ConsentExportTest, RevokedIsInactiveWithTheRevocation) {
  const Json c = ConsentToFhir(SampleConsent(ConsentShape::kRevoked));
  EXPECT_EQ(c["status"], "inactive");
  EXPECT_EQ(c["meta"]["versionId"], "2");
  const Json& revocation = c["extension"][1];
  EXPECT_EQ(revocation["url"], kConsentRevocationExtension);
  EXPECT_EQ(Sub(revocation, "revokedAt")["valueDateTime"],
            "2024-05-31T09:30:00Z");
  EXPECT_EQ(Sub(revocation, "revokedBy")["valueString"], "dr-rivera");
}

TEST(ConsentExportTest, ExpiredIsInactive) {
  v1::Consent consent = SampleConsent(ConsentShape::kOrganization);
  consent.set_status(v1::CONSENT_STATUS_EXPIRED);
  EXPECT_EQ(ConsentToFhir(consent)["status"], "inactive");
}

TEST(ConsentExportTest, NeverWritesEmptyStrings) {
  v1::Consent bare;
  bare.set_patient_id("p-1");
  bare.set_practice_org_id("sunrise-therapy");
  bare.mutable_grantee()->set_org_id("core-pelvic-pt");
  const std::string text = ConsentToFhir(bare).dump();
  EXPECT_EQ(text.find("\"\""), std::string::npos) << text;
  EXPECT_EQ(text.find("[]"), std::string::npos) << text;
  EXPECT_EQ(text.find("{}"), std::string::npos) << text;
}

TEST(ConsentExportTest, SummaryOfAConsentAMessageReliedOn) {
  v1::ConsentSummary s;
  s.set_consent_id("c-9");
  s.mutable_signed_at()->set_seconds(1714555800);
  s.add_purposes(v1::PURPOSE_REFERRAL);
  s.add_categories(v1::CATEGORY_DIAGNOSIS);
  s.mutable_expires_at()->set_seconds(1746091800);
  s.mutable_grantee()->set_org_id("o");
  const Json c = ConsentSummaryToFhir(s, "sunrise-therapy",
                                      Json{{"reference", "urn:uuid:x"}});
  EXPECT_EQ(c["patient"]["reference"], "urn:uuid:x");
  EXPECT_EQ(c["identifier"][0]["value"], "c-9");
  EXPECT_EQ(c["dateTime"], "2024-05-01T09:30:00Z");
  EXPECT_FALSE(c["provision"]["period"].contains("start"));
  EXPECT_EQ(c["provision"]["code"][0]["coding"][0]["code"], "diagnosis");
}

}  // namespace
}  // namespace caregate::fhir
