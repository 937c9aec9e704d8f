#include "services/fhir/fhir_terminology.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate::fhir {
namespace {

using ::testing::Eq;
using ::testing::Optional;
using ::testing::StartsWith;

TEST(FhirTerminologyTest, CodesAreEnumNamesWithoutPrefixInKebabCase) {
  EXPECT_EQ(CodeOf(v1::CATEGORY_SEXUAL_HISTORY), "sexual-history");
  EXPECT_EQ(CodeOf(v1::PURPOSE_CARE_PLANNING), "care-planning");
  EXPECT_EQ(CodeOf(v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY),
            "pelvic-floor-physical-therapy");
  EXPECT_EQ(CodeOf(v1::AUDIT_ACTION_DISCLOSURE_DENIED), "disclosure-denied");
  EXPECT_EQ(CodeOf(v1::SIGNER_RELATIONSHIP_PERSONAL_REPRESENTATIVE),
            "personal-representative");
  EXPECT_EQ(CodeOf(v1::ROLE_COMPLIANCE), "compliance");
  EXPECT_EQ(DisplayOf(v1::Category_descriptor(), v1::CATEGORY_TRAUMA_HISTORY),
            "Trauma history");
}

TEST(FhirTerminologyTest, UnspecifiedAndUnknownValuesHaveNoCode) {
  EXPECT_EQ(CodeOf(v1::CATEGORY_UNSPECIFIED), "");
  EXPECT_EQ(CodeOf(static_cast<v1::Category>(999)), "");
  EXPECT_EQ(EnumOfCode<v1::Category>(""), std::nullopt);
  EXPECT_EQ(EnumOfCode<v1::Category>("unspecified"), std::nullopt);
  EXPECT_EQ(EnumOfCode<v1::Category>("SEXUAL_HISTORY"), std::nullopt);
}

// Every value of every mapped enum has a code that reads back to it, so a
// value added to the proto is exported and imported without a table edit.
template <typename Enum>
void ExpectEveryValueRoundTrips() {
  const auto* descriptor = google::protobuf::GetEnumDescriptor<Enum>();
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const int number = descriptor->value(i)->number();
    if (number == 0) continue;
    const Enum value = static_cast<Enum>(number);
    const std::string code = CodeOf(value);
    EXPECT_FALSE(code.empty()) << descriptor->value(i)->name();
    EXPECT_THAT(EnumOfCode<Enum>(code), Optional(Eq(value))) << code;
    const Json coding = CodingOf(value);
    EXPECT_EQ(coding["system"], SystemOf<Enum>());
    EXPECT_EQ(coding["code"], code);
    EXPECT_FALSE(coding["display"].get<std::string>().empty());
  }
}

TEST(FhirTerminologyTest, EveryEnumValueRoundTrips) {
  ExpectEveryValueRoundTrips<v1::Category>();
  ExpectEveryValueRoundTrips<v1::Purpose>();
  ExpectEveryValueRoundTrips<v1::Specialty>();
  ExpectEveryValueRoundTrips<v1::Role>();
  ExpectEveryValueRoundTrips<v1::AuditAction>();
  ExpectEveryValueRoundTrips<v1::SignerRelationship>();
  ExpectEveryValueRoundTrips<v1::CaptureMethod>();
  ExpectEveryValueRoundTrips<v1::DenialReason>();
}

TEST(FhirTerminologyTest, CaregateUrisShareOneBase) {
  for (std::string_view uri : {kCategorySystem,
                               kPurposeSystem,
                               kSpecialtySystem,
                               kRoleSystem,
                               kAuditActionSystem,
                               kSignerRelationshipSystem,
                               kCaptureMethodSystem,
                               kDenialReasonSystem,
                               kMessageEventSystem,
                               kOrgIdSystem,
                               kProviderIdSystem,
                               kPrincipalIdSystem,
                               kConsentIdSystem,
                               kMessageIdSystem,
                               kDisclosureIdSystem,
                               kSubjectIdSystem,
                               kGatewaySystem,
                               kAuditSeqSystem,
                               kAuditHashSystem,
                               kAuditPrevHashSystem,
                               kRequestIdSystem,
                               kPatientIdSystemPrefix,
                               kSectionCategoryExtension,
                               kContentSha256Extension,
                               kSigningKeyIdExtension,
                               kAuditEventIdentifierExtension,
                               kDocumentSha256Extension,
                               kConsentEvidenceExtension,
                               kConsentRevocationExtension}) {
    EXPECT_THAT(std::string(uri), StartsWith(std::string(kBase) + "/"));
  }
}

TEST(FhirTerminologyTest, PatientSystemIsScopedToThePractice) {
  EXPECT_EQ(PatientIdentifierSystem("sunrise-therapy"),
            "https://caregate.example/fhir/sid/patient-id/sunrise-therapy");
  EXPECT_THAT(
      PracticeOfPatientSystem(
          "https://caregate.example/fhir/sid/patient-id/sunrise-therapy"),
      Optional(Eq("sunrise-therapy")));
  // Characters outside a URI path segment are percent-encoded and decoded.
  const std::string odd = "a/b c%";
  EXPECT_EQ(PatientIdentifierSystem(odd),
            "https://caregate.example/fhir/sid/patient-id/a%2Fb%20c%25");
  EXPECT_THAT(PracticeOfPatientSystem(PatientIdentifierSystem(odd)),
              Optional(Eq(odd)));
}

TEST(FhirTerminologyTest, OtherSystemsAreNotPatientSystems) {
  EXPECT_EQ(PracticeOfPatientSystem("https://caregate.example/fhir/sid/org-id"),
            std::nullopt);
  EXPECT_EQ(PracticeOfPatientSystem(kPatientIdSystemPrefix), std::nullopt);
  EXPECT_EQ(
      PracticeOfPatientSystem(std::string(kPatientIdSystemPrefix) + "a/b"),
      std::nullopt);
  EXPECT_EQ(PracticeOfPatientSystem(std::string(kPatientIdSystemPrefix) + "%2"),
            std::nullopt);
}

TEST(FhirTerminologyTest, PurposeConceptAddsTheNearestV3PurposeOfUse) {
  const Json concept_json = PurposeConcept(v1::PURPOSE_TREATMENT_COORDINATION);
  ASSERT_EQ(concept_json["coding"].size(), 2u);
  EXPECT_EQ(concept_json["coding"][0]["system"], kPurposeSystem);
  EXPECT_EQ(concept_json["coding"][0]["code"], "treatment-coordination");
  EXPECT_EQ(concept_json["coding"][1]["system"], kActReasonSystem);
  EXPECT_EQ(concept_json["coding"][1]["code"], "COC");
  EXPECT_EQ(PurposeConcept(v1::PURPOSE_REFERRAL)["coding"][1]["code"], "TREAT");
}

}  // namespace
}  // namespace caregate::fhir
