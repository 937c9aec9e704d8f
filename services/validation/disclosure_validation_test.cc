#include "services/validation/disclosure_validation.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/validation/validation_test_support.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::caregate::validation_testing::TestDirectory;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
constexpr absl::StatusCode kNotFound = absl::StatusCode::kNotFound;
constexpr absl::StatusCode kTooBig = absl::StatusCode::kResourceExhausted;

// Small limits so the boundaries are cheap to reach.
InputLimits SmallLimits() {
  InputLimits limits;
  limits.max_sections = 3;
  limits.max_section_body_bytes = 16;
  return limits;
}

v1::Disclosure ValidDisclosure() {
  v1::Disclosure d;
  d.set_patient_id("p-1001");
  d.set_recipient_org_id("northside-psychiatry");
  d.set_recipient_provider_id("np-ward");
  d.set_purpose(v1::PURPOSE_REFERRAL);
  auto* s1 = d.add_sections();
  s1->set_category(v1::CATEGORY_REFERRAL_REASON);
  s1->set_title("Reason");
  s1->set_body("short body");
  auto* s2 = d.add_sections();
  s2->set_category(v1::CATEGORY_MEDICATIONS);
  d.set_redact_uncovered(true);
  return d;
}

absl::StatusOr<ValidatedDisclosure> Validate(const v1::Disclosure& d) {
  return ValidateDisclosure(d, TestDirectory(), SmallLimits());
}

TEST(DisclosureValidationTest, ValidDisclosureIsResolved) {
  auto v = Validate(ValidDisclosure());
  CG_ASSERT_OK(v);
  EXPECT_EQ(v->patient_id, "p-1001");
  EXPECT_EQ(v->recipient.org_id, "northside-psychiatry");
  EXPECT_EQ(v->recipient.provider_id, "np-ward");
  EXPECT_EQ(v->recipient.provider_specialty, v1::SPECIALTY_PRIMARY_CARE);
  EXPECT_EQ(v->purpose, v1::PURPOSE_REFERRAL);
  EXPECT_THAT(v->section_categories, ElementsAre(v1::CATEGORY_REFERRAL_REASON,
                                                 v1::CATEGORY_MEDICATIONS));
  EXPECT_TRUE(v->redact_uncovered);
}

TEST(DisclosureValidationTest, PatientId) {
  v1::Disclosure d = ValidDisclosure();
  d.clear_patient_id();
  EXPECT_THAT(Validate(d),
              StatusIs(kInvalid, "disclosure.patient_id: required"));
  d.set_patient_id("p/1001");
  EXPECT_THAT(Validate(d),
              StatusIs(kInvalid, HasSubstr("disclosure.patient_id: must be")));
}

TEST(DisclosureValidationTest, RecipientOrganization) {
  v1::Disclosure d = ValidDisclosure();
  d.clear_recipient_org_id();
  EXPECT_THAT(Validate(d),
              StatusIs(kInvalid, "disclosure.recipient_org_id: required"));
  d.set_recipient_org_id("nowhere-clinic");
  EXPECT_THAT(Validate(d), StatusIs(kNotFound,
                                    "disclosure.recipient_org_id: unknown "
                                    "organization"));
}

TEST(DisclosureValidationTest, RecipientMustBeAPartnerClinic) {
  v1::Disclosure d = ValidDisclosure();
  d.set_recipient_org_id("sunrise-therapy");
  d.set_recipient_provider_id("dr-rivera");
  EXPECT_THAT(Validate(d),
              StatusIs(kInvalid, HasSubstr("disclosure.recipient_org_id: is a "
                                           "therapy practice")));
}

TEST(DisclosureValidationTest, SectionTextWithControlCharacters) {
  v1::Disclosure d = ValidDisclosure();
  d.mutable_sections(0)->set_body("ok\x1b[2J");
  EXPECT_THAT(Validate(d), StatusIs(kInvalid,
                                    "disclosure.sections[0].body: contains "
                                    "control character U+001B at byte 2; "
                                    "only newline and tab are allowed"));
  d = ValidDisclosure();
  d.mutable_sections(1)->set_title(std::string("T\0", 2));
  EXPECT_THAT(Validate(d), StatusIs(kInvalid,
                                    HasSubstr("disclosure.sections[1].title: "
                                              "contains control character "
                                              "U+0000")));
}

TEST(DisclosureValidationTest, RecipientProvider) {
  v1::Disclosure d = ValidDisclosure();
  d.clear_recipient_provider_id();
  EXPECT_THAT(Validate(d),
              StatusIs(kInvalid, "disclosure.recipient_provider_id: required"));
  d.set_recipient_provider_id("dr-nobody");
  EXPECT_THAT(Validate(d), StatusIs(kNotFound,
                                    "disclosure.recipient_provider_id: unknown "
                                    "provider"));
  d.set_recipient_provider_id("dr-okafor");
  EXPECT_THAT(Validate(d),
              StatusIs(kInvalid,
                       "disclosure.recipient_provider_id: provider "
                       "does not belong to northside-psychiatry"));
}

TEST(DisclosureValidationTest, Purpose) {
  v1::Disclosure d = ValidDisclosure();
  d.clear_purpose();
  EXPECT_THAT(Validate(d), StatusIs(kInvalid, "disclosure.purpose: required"));
  d.set_purpose(static_cast<v1::Purpose>(17));
  EXPECT_THAT(Validate(d),
              StatusIs(kInvalid, "disclosure.purpose: unknown value 17"));
}

TEST(DisclosureValidationTest, SectionCount) {
  v1::Disclosure d = ValidDisclosure();
  d.clear_sections();
  EXPECT_THAT(Validate(d), StatusIs(kInvalid,
                                    "disclosure.sections: at least one "
                                    "required"));
  for (int i = 0; i < 3; ++i) {
    d.add_sections()->set_category(v1::CATEGORY_DIAGNOSIS);
  }
  CG_EXPECT_OK(Validate(d));  // exactly max_sections
  d.add_sections()->set_category(v1::CATEGORY_DIAGNOSIS);
  EXPECT_THAT(Validate(d),
              StatusIs(kTooBig, "disclosure.sections: more than 3 sections"));
}

TEST(DisclosureValidationTest, SectionCategory) {
  v1::Disclosure d = ValidDisclosure();
  d.add_sections();
  EXPECT_THAT(Validate(d),
              StatusIs(kInvalid, "disclosure.sections[2].category: required"));
  d.mutable_sections(2)->set_category(static_cast<v1::Category>(99));
  EXPECT_THAT(Validate(d), StatusIs(kInvalid,
                                    "disclosure.sections[2].category: unknown "
                                    "value 99"));
}

TEST(DisclosureValidationTest, SectionBodySize) {
  v1::Disclosure d = ValidDisclosure();
  d.mutable_sections(1)->set_body(std::string(16, 'b'));  // exactly max
  CG_EXPECT_OK(Validate(d));
  d.mutable_sections(1)->set_body(std::string(17, 'b'));
  auto result = Validate(d);
  EXPECT_THAT(result, StatusIs(kTooBig,
                               "disclosure.sections[1].body: larger than 16 "
                               "bytes"));
  EXPECT_THAT(std::string(result.status().message()), Not(HasSubstr("bbb")));
}

TEST(DisclosureValidationTest, SectionTitleSize) {
  v1::Disclosure d = ValidDisclosure();
  d.mutable_sections(0)->set_title(std::string(kMaxTitleBytes, 't'));
  CG_EXPECT_OK(Validate(d));
  d.mutable_sections(0)->set_title(std::string(kMaxTitleBytes + 1, 't'));
  auto result = Validate(d);
  EXPECT_THAT(result, StatusIs(kTooBig,
                               "disclosure.sections[0].title: longer than 512 "
                               "bytes"));
  EXPECT_THAT(std::string(result.status().message()), Not(HasSubstr("ttt")));
}

TEST(DisclosureValidationTest, EmptyTitleAndBodyAreAccepted) {
  v1::Disclosure d = ValidDisclosure();
  d.mutable_sections(0)->clear_title();
  d.mutable_sections(0)->clear_body();
  CG_EXPECT_OK(Validate(d));
}

TEST(DisclosureValidationTest, DefaultLimitsAllowTheDocumentedMaximum) {
  v1::Disclosure d = ValidDisclosure();
  d.mutable_sections(0)->set_body(std::string(1 << 20, 'x'));
  CG_EXPECT_OK(ValidateDisclosure(d, TestDirectory(), InputLimits{}));
  d.mutable_sections(0)->mutable_body()->push_back('x');
  EXPECT_THAT(ValidateDisclosure(d, TestDirectory(), InputLimits{}),
              StatusIs(kTooBig, HasSubstr("disclosure.sections[0].body")));
}

}  // namespace
}  // namespace caregate
