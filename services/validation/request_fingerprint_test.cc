#include "services/validation/request_fingerprint.h"

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"
#include "services/validation/validation_test_support.h"

namespace caregate {
namespace {

using ::caregate::validation_testing::ValidConsent;

TEST(RequestFingerprintTest, ConsentSetsAndHashCaseDoNotMatter) {
  v1::Consent a = ValidConsent();
  v1::Consent b = a;
  b.clear_purposes();
  for (int i = a.purposes_size() - 1; i >= 0; --i) {
    b.add_purposes(a.purposes(i));
    b.add_purposes(a.purposes(i));
  }
  b.mutable_evidence()->set_document_sha256(
      absl::AsciiStrToUpper(a.evidence().document_sha256()));
  b.set_consent_id("ignored-output-field");
  EXPECT_EQ(ConsentRequestBytes(a), ConsentRequestBytes(b));
}

TEST(RequestFingerprintTest, ConsentContentMatters) {
  const v1::Consent a = ValidConsent();
  v1::Consent b = a;
  b.add_categories(v1::CATEGORY_MEDICATIONS);
  EXPECT_NE(ConsentRequestBytes(a), ConsentRequestBytes(b));
  b = a;
  b.mutable_evidence()->set_witness("someone else");
  EXPECT_NE(ConsentRequestBytes(a), ConsentRequestBytes(b));
  b = a;
  b.clear_valid_from();
  EXPECT_NE(ConsentRequestBytes(a), ConsentRequestBytes(b));
}

TEST(RequestFingerprintTest, DisclosureContentAndOrderMatter) {
  v1::Disclosure a;
  a.set_patient_id("p-1");
  a.set_recipient_org_id("core-pelvic-pt");
  a.set_recipient_provider_id("pt-lindqvist");
  a.set_purpose(v1::PURPOSE_REFERRAL);
  a.add_sections()->set_body("one");
  a.add_sections()->set_body("two");
  v1::Disclosure b = a;
  EXPECT_EQ(DisclosureRequestBytes(a), DisclosureRequestBytes(b));
  b.mutable_sections(1)->set_body("TWO");
  EXPECT_NE(DisclosureRequestBytes(a), DisclosureRequestBytes(b));
  b = a;
  b.mutable_sections()->SwapElements(0, 1);
  EXPECT_NE(DisclosureRequestBytes(a), DisclosureRequestBytes(b));
  b = a;
  b.set_redact_uncovered(true);
  EXPECT_NE(DisclosureRequestBytes(a), DisclosureRequestBytes(b));
}

}  // namespace
}  // namespace caregate
