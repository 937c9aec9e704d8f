#include "services/validation/consent_validation.h"

#include <functional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/validation/validation_test_support.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::caregate::validation_testing::TestDirectory;
using ::caregate::validation_testing::TestNow;
using ::caregate::validation_testing::Ts;
using ::caregate::validation_testing::ValidConsent;
using ::testing::HasSubstr;
using ::testing::Not;

absl::StatusOr<ConsentRecord> Validate(const v1::Consent& consent) {
  return ValidateConsentForRecording(consent, TestDirectory(), InputLimits{},
                                     TestNow());
}

absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

TEST(ConsentValidationTest, ValidConsentConvertsEveryField) {
  auto record = Validate(ValidConsent());
  CG_ASSERT_OK(record);
  const ConsentRecord& r = *record;
  EXPECT_EQ(r.patient_id, "p-1001");
  EXPECT_EQ(r.grantee.org_id, "lakeside-obgyn");
  EXPECT_EQ(r.grantee.provider_id, "dr-okafor");
  EXPECT_EQ(r.grantee.specialty, v1::SPECIALTY_UNSPECIFIED);
  EXPECT_THAT(r.purposes.ToVector(),
              ::testing::ElementsAre(v1::PURPOSE_TREATMENT_COORDINATION,
                                     v1::PURPOSE_REFERRAL));
  EXPECT_THAT(r.categories.ToVector(),
              ::testing::ElementsAre(v1::CATEGORY_TREATMENT_SUMMARY,
                                     v1::CATEGORY_HOMEWORK_PLAN));
  EXPECT_THAT(r.withheld_categories.ToVector(),
              ::testing::ElementsAre(v1::CATEGORY_TRAUMA_HISTORY));
  EXPECT_EQ(r.valid_from, Day(2026, 2, 28));
  EXPECT_EQ(r.expires_at, Day(2027, 2, 28));
  const ConsentEvidence& e = r.evidence;
  EXPECT_EQ(e.information_description,
            "Treatment summary and pelvic floor homework plan");
  EXPECT_EQ(e.document_sha256,
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  EXPECT_EQ(e.signed_at,
            absl::FromCivil(absl::CivilSecond(2026, 2, 27, 15, 30, 0),
                            absl::UTCTimeZone()));
  EXPECT_EQ(e.signer_name, "Jordan Example");
  EXPECT_EQ(e.signer_relationship, v1::SIGNER_RELATIONSHIP_SELF);
  EXPECT_EQ(e.representative_authority, "");
  EXPECT_EQ(e.witness, "Front desk");
  EXPECT_TRUE(e.states_right_to_revoke);
  EXPECT_TRUE(e.states_treatment_not_conditioned);
  EXPECT_TRUE(e.states_redisclosure_risk);
  EXPECT_EQ(e.capture_method, v1::CAPTURE_METHOD_PAPER_SCANNED);
  // Left for the caller.
  EXPECT_EQ(r.consent_id, "");
  EXPECT_EQ(r.practice_org_id, "");
  EXPECT_EQ(r.recorded_by, "");
  EXPECT_EQ(r.revision, 1);
  EXPECT_FALSE(r.revoked());
}

TEST(ConsentValidationTest, OutputOnlyFieldsAreIgnored) {
  v1::Consent c = ValidConsent();
  c.set_consent_id("c-forged");
  c.set_practice_org_id("other-practice");
  c.set_status(v1::CONSENT_STATUS_REVOKED);
  c.set_revision(7);
  c.set_recorded_by("someone");
  auto record = Validate(c);
  CG_ASSERT_OK(record);
  EXPECT_EQ(record->consent_id, "");
  EXPECT_EQ(record->practice_org_id, "");
  EXPECT_EQ(record->revision, 1);
  EXPECT_FALSE(record->revoked());
}

TEST(ConsentValidationTest, ValidFromDefaultsToNow) {
  v1::Consent c = ValidConsent();
  c.clear_valid_from();
  auto record = Validate(c);
  CG_ASSERT_OK(record);
  EXPECT_EQ(record->valid_from, TestNow());
}

TEST(ConsentValidationTest, FutureValidFromIsKept) {
  v1::Consent c = ValidConsent();
  *c.mutable_valid_from() = Ts(Day(2026, 6, 1));
  auto record = Validate(c);
  CG_ASSERT_OK(record);
  EXPECT_EQ(record->valid_from, Day(2026, 6, 1));
}

TEST(ConsentValidationTest, DuplicatePurposesAndCategoriesCollapse) {
  v1::Consent c = ValidConsent();
  c.add_purposes(v1::PURPOSE_REFERRAL);
  c.add_categories(v1::CATEGORY_TREATMENT_SUMMARY);
  c.add_withheld_categories(v1::CATEGORY_TRAUMA_HISTORY);
  auto record = Validate(c);
  CG_ASSERT_OK(record);
  EXPECT_EQ(record->purposes.ToVector().size(), 2u);
  EXPECT_EQ(record->categories.ToVector().size(), 2u);
  EXPECT_EQ(record->withheld_categories.ToVector().size(), 1u);
}

TEST(ConsentValidationTest, SpecialtyOnlyGranteeIsAccepted) {
  v1::Consent c = ValidConsent();
  c.mutable_grantee()->clear_provider_id();
  c.mutable_grantee()->set_specialty(v1::SPECIALTY_OBGYN);
  auto record = Validate(c);
  CG_ASSERT_OK(record);
  EXPECT_EQ(record->grantee.provider_id, "");
  EXPECT_EQ(record->grantee.specialty, v1::SPECIALTY_OBGYN);
}

TEST(ConsentValidationTest, ProviderWithItsOwnSpecialtyIsAccepted) {
  v1::Consent c = ValidConsent();
  c.mutable_grantee()->set_specialty(v1::SPECIALTY_OBGYN);
  auto record = Validate(c);
  CG_ASSERT_OK(record);
  EXPECT_EQ(record->grantee.provider_id, "dr-okafor");
  EXPECT_EQ(record->grantee.specialty, v1::SPECIALTY_OBGYN);
}

TEST(ConsentValidationTest, GranteeMayBeAnyPartnerClinicOfTheDirectory) {
  v1::Consent c = ValidConsent();
  c.mutable_grantee()->set_org_id("northside-psychiatry");
  c.mutable_grantee()->clear_provider_id();
  CG_EXPECT_OK(Validate(c));
}

// A practice has no inbox: a consent naming one would queue messages nobody
// can read.
TEST(ConsentValidationTest, PracticeAsGranteeIsRefused) {
  v1::Consent c = ValidConsent();
  c.mutable_grantee()->set_org_id("sunrise-therapy");
  c.mutable_grantee()->clear_provider_id();
  EXPECT_THAT(Validate(c),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("consent.grantee.org_id: is a therapy "
                                 "practice, not a partner clinic")));
}

TEST(ConsentValidationTest, DateBoundsComeFromInputLimits) {
  InputLimits limits;
  limits.earliest_signed_at = Day(2026, 1, 1);
  limits.max_consent_term = absl::Hours(24 * 30);
  v1::Consent c = ValidConsent();
  *c.mutable_expires_at() = Ts(TestNow() + absl::Hours(24 * 31));
  EXPECT_THAT(
      ValidateConsentForRecording(c, TestDirectory(), limits, TestNow()),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "consent.expires_at: more than 30 days after recording (the "
               "longest accepted term)"));
  c = ValidConsent();
  *c.mutable_expires_at() = Ts(TestNow() + absl::Hours(24 * 29));
  *c.mutable_evidence()->mutable_signed_at() = Ts(Day(2025, 12, 31));
  *c.mutable_valid_from() = Ts(Day(2026, 1, 2));
  EXPECT_THAT(
      ValidateConsentForRecording(c, TestDirectory(), limits, TestNow()),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "consent.evidence.signed_at: before 2026-01-01, the earliest "
               "accepted signature date"));
}

TEST(ConsentValidationTest, TextWithControlCharactersIsRefused) {
  v1::Consent c = ValidConsent();
  c.mutable_evidence()->set_signer_name("Jordan\x1b[2J Example");
  EXPECT_THAT(Validate(c),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "consent.evidence.signer_name: contains control "
                       "character U+001B at byte 6; only newline and tab are "
                       "allowed"));
  c = ValidConsent();
  c.mutable_evidence()->set_witness("Front\rdesk");
  EXPECT_THAT(Validate(c), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("consent.evidence.witness: "
                                              "contains control character "
                                              "U+000D")));
  c = ValidConsent();
  c.mutable_evidence()->set_information_description("Summary\nand plan\t(2)");
  CG_EXPECT_OK(Validate(c));
}

TEST(ConsentValidationTest, GuardianWithoutAuthorityIsRefused) {
  v1::Consent c = ValidConsent();
  c.mutable_evidence()->set_signer_relationship(
      v1::SIGNER_RELATIONSHIP_GUARDIAN);
  EXPECT_THAT(Validate(c),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "consent.evidence.representative_authority: required"));
  c.mutable_evidence()->set_representative_authority("   ");
  EXPECT_THAT(Validate(c),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "consent.evidence.representative_authority: required"));
}

TEST(ConsentValidationTest, GuardianWithAuthorityIsAccepted) {
  v1::Consent c = ValidConsent();
  c.mutable_evidence()->set_signer_relationship(
      v1::SIGNER_RELATIONSHIP_GUARDIAN);
  c.mutable_evidence()->set_representative_authority("Court order 2025-114");
  auto record = Validate(c);
  CG_ASSERT_OK(record);
  EXPECT_EQ(record->evidence.signer_relationship,
            v1::SIGNER_RELATIONSHIP_GUARDIAN);
  EXPECT_EQ(record->evidence.representative_authority, "Court order 2025-114");
}

TEST(ConsentValidationTest, PersonalRepresentativeNeedsAuthority) {
  v1::Consent c = ValidConsent();
  c.mutable_evidence()->set_signer_relationship(
      v1::SIGNER_RELATIONSHIP_PERSONAL_REPRESENTATIVE);
  EXPECT_THAT(Validate(c),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("representative_authority: required")));
  c.mutable_evidence()->set_representative_authority("Health care proxy");
  CG_EXPECT_OK(Validate(c));
}

TEST(ConsentValidationTest, PsychotherapyNotesAloneAreAccepted) {
  v1::Consent c = ValidConsent();
  c.clear_categories();
  c.add_categories(v1::CATEGORY_PSYCHOTHERAPY_NOTES);
  c.add_categories(v1::CATEGORY_PSYCHOTHERAPY_NOTES);
  auto record = Validate(c);
  CG_ASSERT_OK(record);
  EXPECT_THAT(record->categories.ToVector(),
              ::testing::ElementsAre(v1::CATEGORY_PSYCHOTHERAPY_NOTES));
}

TEST(ConsentValidationTest, PsychotherapyNotesWithAnotherCategoryAreRefused) {
  v1::Consent c = ValidConsent();
  c.add_categories(v1::CATEGORY_PSYCHOTHERAPY_NOTES);
  EXPECT_THAT(
      Validate(c),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("consent.categories: PSYCHOTHERAPY_NOTES needs "
                         "its own authorization")));
}

TEST(ConsentValidationTest, AlreadyExpiredIsRefused) {
  v1::Consent c = ValidConsent();
  *c.mutable_expires_at() = Ts(TestNow() - absl::Hours(1));
  EXPECT_THAT(Validate(c), StatusIs(absl::StatusCode::kInvalidArgument,
                                    "consent.expires_at: already expired"));
  // Expiring exactly now is expired too (in effect means now < expires_at).
  *c.mutable_expires_at() = Ts(TestNow());
  EXPECT_THAT(Validate(c), StatusIs(absl::StatusCode::kInvalidArgument,
                                    "consent.expires_at: already expired"));
}

TEST(ConsentValidationTest, SignatureWithinClockSkewIsAccepted) {
  v1::Consent c = ValidConsent();
  *c.mutable_evidence()->mutable_signed_at() =
      Ts(TestNow() + kMaxSignatureClockSkew);
  CG_EXPECT_OK(Validate(c));
}

TEST(ConsentValidationTest, ErrorsDoNotEchoFreeText) {
  v1::Consent c = ValidConsent();
  c.mutable_evidence()->set_signer_name(std::string(5000, 'Z'));
  auto result = Validate(c);
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kResourceExhausted,
                               "consent.evidence.signer_name: longer than "
                               "4096 bytes"));
  EXPECT_THAT(std::string(result.status().message()), Not(HasSubstr("ZZZ")));
}

// One missing or bad element of the form, and the error it must produce.
struct ElementCase {
  std::string name;
  std::function<void(v1::Consent&)> mutate;
  absl::StatusCode code;
  std::string message;  // the whole expected message
};

class ConsentElementTest : public ::testing::TestWithParam<ElementCase> {};

TEST_P(ConsentElementTest, IsRefusedNamingTheElement) {
  v1::Consent c = ValidConsent();
  GetParam().mutate(c);
  EXPECT_THAT(Validate(c), StatusIs(GetParam().code, GetParam().message));
}

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
constexpr absl::StatusCode kTooBig = absl::StatusCode::kResourceExhausted;

v1::ConsentEvidence& Ev(v1::Consent& c) { return *c.mutable_evidence(); }

const ElementCase kElementCases[] = {
    {"PatientIdMissing", [](auto& c) { c.clear_patient_id(); }, kInvalid,
     "consent.patient_id: required"},
    {"PatientIdMalformed", [](auto& c) { c.set_patient_id("p 1001"); },
     kInvalid,
     "consent.patient_id: must be letters, digits and . _ : - and start with "
     "a letter or digit"},
    {"PatientIdTooLong",
     [](auto& c) { c.set_patient_id(std::string(257, 'p')); }, kTooBig,
     "consent.patient_id: longer than 256 characters"},
    {"GranteeMissing", [](auto& c) { c.clear_grantee(); }, kInvalid,
     "consent.grantee.org_id: required"},
    {"GranteeOrgUnknown",
     [](auto& c) { c.mutable_grantee()->set_org_id("nowhere-clinic"); },
     kInvalid, "consent.grantee.org_id: unknown organization"},
    {"GranteeProviderUnknown",
     [](auto& c) { c.mutable_grantee()->set_provider_id("dr-nobody"); },
     kInvalid, "consent.grantee.provider_id: unknown provider"},
    {"GranteeProviderMalformed",
     [](auto& c) { c.mutable_grantee()->set_provider_id("-dr"); }, kInvalid,
     "consent.grantee.provider_id: must be letters, digits and . _ : - and "
     "start with a letter or digit"},
    {"GranteeProviderOfAnotherOrg",
     [](auto& c) { c.mutable_grantee()->set_provider_id("dr-chen"); }, kInvalid,
     "consent.grantee.provider_id: provider does not belong to lakeside-obgyn"},
    {"GranteeSpecialtyUnknown",
     [](auto& c) {
       c.mutable_grantee()->set_specialty(static_cast<v1::Specialty>(99));
     },
     kInvalid, "consent.grantee.specialty: unknown value 99"},
    {"GranteeProviderLacksSpecialty",
     [](auto& c) { c.mutable_grantee()->set_specialty(v1::SPECIALTY_UROLOGY); },
     kInvalid,
     "consent.grantee.specialty: provider dr-okafor does not have specialty "
     "UROLOGY"},
    {"PurposesMissing", [](auto& c) { c.clear_purposes(); }, kInvalid,
     "consent.purposes: at least one required"},
    {"PurposeUnspecified",
     [](auto& c) { c.add_purposes(v1::PURPOSE_UNSPECIFIED); }, kInvalid,
     "consent.purposes[2]: required"},
    {"PurposeUnknown",
     [](auto& c) { c.set_purposes(0, static_cast<v1::Purpose>(42)); }, kInvalid,
     "consent.purposes[0]: unknown value 42"},
    {"CategoriesMissing", [](auto& c) { c.clear_categories(); }, kInvalid,
     "consent.categories: at least one required"},
    {"CategoryUnspecified",
     [](auto& c) { c.set_categories(1, v1::CATEGORY_UNSPECIFIED); }, kInvalid,
     "consent.categories[1]: required"},
    {"CategoryUnknown",
     [](auto& c) { c.add_categories(static_cast<v1::Category>(99)); }, kInvalid,
     "consent.categories[2]: unknown value 99"},
    {"WithheldCategoryUnknown",
     [](auto& c) {
       c.set_withheld_categories(0, static_cast<v1::Category>(99));
     },
     kInvalid, "consent.withheld_categories[0]: unknown value 99"},
    {"WithheldCategoryUnspecified",
     [](auto& c) { c.add_withheld_categories(v1::CATEGORY_UNSPECIFIED); },
     kInvalid, "consent.withheld_categories[1]: required"},
    {"CategoryBothGrantedAndWithheld",
     [](auto& c) { c.add_withheld_categories(v1::CATEGORY_HOMEWORK_PLAN); },
     kInvalid,
     "consent.withheld_categories[1]: HOMEWORK_PLAN is also granted in "
     "consent.categories"},
    {"ExpirationMissing", [](auto& c) { c.clear_expires_at(); }, kInvalid,
     "consent.expires_at: required"},
    {"ExpirationYear9999",
     [](auto& c) { *c.mutable_expires_at() = Ts(Day(9999, 12, 31)); },
     kInvalid,
     "consent.expires_at: more than 3653 days after recording (the longest "
     "accepted term)"},
    {"SignedIn1900",
     [](auto& c) { *Ev(c).mutable_signed_at() = Ts(Day(1900, 1, 1)); },
     kInvalid,
     "consent.evidence.signed_at: before 2000-01-01, the earliest accepted "
     "signature date"},
    {"ValidFromIn1950",
     [](auto& c) { *c.mutable_valid_from() = Ts(Day(1950, 1, 1)); }, kInvalid,
     "consent.valid_from: before 2000-01-01, the earliest accepted date"},
    {"ExpirationOutOfRange",
     [](auto& c) { c.mutable_expires_at()->set_seconds(400000000000); },
     kInvalid, "consent.expires_at: timestamp out of range"},
    {"ExpirationBadNanos",
     [](auto& c) { c.mutable_expires_at()->set_nanos(-1); }, kInvalid,
     "consent.expires_at: timestamp out of range"},
    {"ExpirationNotAfterValidFrom",
     [](auto& c) { *c.mutable_valid_from() = c.expires_at(); }, kInvalid,
     "consent.expires_at: must be after consent.valid_from"},
    {"ValidFromOutOfRange",
     [](auto& c) { c.mutable_valid_from()->set_seconds(-70000000000); },
     kInvalid, "consent.valid_from: timestamp out of range"},
    {"DescriptionMissing",
     [](auto& c) { Ev(c).clear_information_description(); }, kInvalid,
     "consent.evidence.information_description: required"},
    {"DescriptionBlank",
     [](auto& c) { Ev(c).set_information_description(" \t\n"); }, kInvalid,
     "consent.evidence.information_description: required"},
    {"DescriptionTooLong",
     [](auto& c) { Ev(c).set_information_description(std::string(4097, 'x')); },
     kTooBig,
     "consent.evidence.information_description: longer than 4096 bytes"},
    {"EvidenceMissing", [](auto& c) { c.clear_evidence(); }, kInvalid,
     "consent.evidence.information_description: required"},
    {"DocumentHashMissing", [](auto& c) { Ev(c).clear_document_sha256(); },
     kInvalid, "consent.evidence.document_sha256: required"},
    {"DocumentHashTooShort",
     [](auto& c) { Ev(c).set_document_sha256(std::string(63, 'a')); }, kInvalid,
     "consent.evidence.document_sha256: must be 64 hex characters"},
    {"DocumentHashNotHex",
     [](auto& c) { Ev(c).set_document_sha256(std::string(64, 'g')); }, kInvalid,
     "consent.evidence.document_sha256: must be 64 hex characters"},
    {"SignedAtMissing", [](auto& c) { Ev(c).clear_signed_at(); }, kInvalid,
     "consent.evidence.signed_at: required"},
    {"SignedAtOutOfRange",
     [](auto& c) { Ev(c).mutable_signed_at()->set_nanos(1000000000); },
     kInvalid, "consent.evidence.signed_at: timestamp out of range"},
    {"SignedAtInTheFuture",
     [](auto& c) {
       *Ev(c).mutable_signed_at() =
           Ts(TestNow() + kMaxSignatureClockSkew + absl::Seconds(1));
     },
     kInvalid, "consent.evidence.signed_at: in the future"},
    {"SignedAfterExpiration",
     [](auto& c) {
       *c.mutable_expires_at() = Ts(TestNow() + absl::Minutes(1));
       *Ev(c).mutable_signed_at() = Ts(TestNow() + absl::Minutes(2));
     },
     kInvalid, "consent.evidence.signed_at: after consent.expires_at"},
    {"SignerNameMissing", [](auto& c) { Ev(c).clear_signer_name(); }, kInvalid,
     "consent.evidence.signer_name: required"},
    {"SignerRelationshipMissing",
     [](auto& c) { Ev(c).clear_signer_relationship(); }, kInvalid,
     "consent.evidence.signer_relationship: required"},
    {"SignerRelationshipUnknown",
     [](auto& c) {
       Ev(c).set_signer_relationship(static_cast<v1::SignerRelationship>(7));
     },
     kInvalid, "consent.evidence.signer_relationship: unknown value 7"},
    {"WitnessTooLong",
     [](auto& c) { Ev(c).set_witness(std::string(4097, 'w')); }, kTooBig,
     "consent.evidence.witness: longer than 4096 bytes"},
    {"RightToRevokeNotStated",
     [](auto& c) { Ev(c).set_states_right_to_revoke(false); }, kInvalid,
     "consent.evidence.states_right_to_revoke: the form must state the right "
     "to revoke in writing"},
    {"TreatmentConditioningNotStated",
     [](auto& c) { Ev(c).set_states_treatment_not_conditioned(false); },
     kInvalid,
     "consent.evidence.states_treatment_not_conditioned: the form must state "
     "whether treatment is conditioned on signing"},
    {"RedisclosureRiskNotStated",
     [](auto& c) { Ev(c).set_states_redisclosure_risk(false); }, kInvalid,
     "consent.evidence.states_redisclosure_risk: the form must state the risk "
     "of redisclosure"},
    {"CaptureMethodUnknown",
     [](auto& c) {
       Ev(c).set_capture_method(static_cast<v1::CaptureMethod>(9));
     },
     kInvalid, "consent.evidence.capture_method: unknown value 9"},
};

INSTANTIATE_TEST_SUITE_P(Elements, ConsentElementTest,
                         ::testing::ValuesIn(kElementCases),
                         [](const ::testing::TestParamInfo<ElementCase>& info) {
                           return info.param.name;
                         });

TEST(ConsentValidationTest, CaptureMethodIsOptional) {
  v1::Consent c = ValidConsent();
  c.mutable_evidence()->clear_capture_method();
  auto record = Validate(c);
  CG_ASSERT_OK(record);
  EXPECT_EQ(record->evidence.capture_method, v1::CAPTURE_METHOD_UNSPECIFIED);
}

TEST(ConsentValidationTest, IdLimitComesFromInputLimits) {
  InputLimits limits;
  limits.max_id_length = 6;
  v1::Consent c = ValidConsent();
  c.set_patient_id("p-1001");  // exactly 6
  c.mutable_grantee()->clear_provider_id();
  c.mutable_grantee()->set_org_id("lakeside-obgyn");  // 14 > 6
  EXPECT_THAT(
      ValidateConsentForRecording(c, TestDirectory(), limits, TestNow()),
      StatusIs(kTooBig, "consent.grantee.org_id: longer than 6 characters"));
}

}  // namespace
}  // namespace caregate
