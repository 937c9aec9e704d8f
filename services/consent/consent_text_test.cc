#include "services/consent/consent_text.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

std::unique_ptr<DataCipher> Cipher(char fill, std::string id) {
  return *DataCipher::Create(std::string(32, fill), std::move(id));
}

ConsentRecord Consent() {
  ConsentRecord c;
  c.consent_id = "cns-1";
  c.evidence.information_description = "Pelvic floor homework and history";
  c.evidence.signer_name = "Jordan Example";
  c.evidence.representative_authority = "";
  c.evidence.witness = "Front desk";
  return c;
}

TEST(ConsentTextTest, SealedTextHoldsNoPlainTextAndOpensBack) {
  auto cipher = Cipher('k', "dev-1");
  ConsentRecord c = Consent();
  SealConsentText(*cipher, &c);
  EXPECT_EQ(c.sealed.key_id, "dev-1");
  EXPECT_THAT(c.sealed.evidence, Not(HasSubstr("Jordan")));
  EXPECT_TRUE(c.sealed.revocation_reason.empty());

  ConsentRecord stored;
  stored.consent_id = c.consent_id;
  stored.sealed = c.sealed;
  CG_ASSERT_OK(OpenConsentText(*cipher, &stored));
  EXPECT_EQ(stored.evidence.signer_name, "Jordan Example");
  EXPECT_EQ(stored.evidence.witness, "Front desk");
  EXPECT_EQ(stored.evidence.information_description,
            "Pelvic floor homework and history");
}

TEST(ConsentTextTest, RevocationReasonIsSealedToo) {
  auto cipher = Cipher('k', "dev-1");
  ConsentRecord c = Consent();
  c.revocation = Revocation{absl::FromUnixSeconds(1), "dr-rivera",
                            "Patient asked by phone"};
  SealConsentText(*cipher, &c);
  EXPECT_THAT(c.sealed.revocation_reason, Not(HasSubstr("phone")));
  ConsentRecord stored;
  stored.consent_id = c.consent_id;
  stored.revocation = Revocation{absl::FromUnixSeconds(1), "dr-rivera", ""};
  stored.sealed = c.sealed;
  CG_ASSERT_OK(OpenConsentText(*cipher, &stored));
  EXPECT_EQ(stored.revocation->reason, "Patient asked by phone");
}

TEST(ConsentTextTest, TextMovedToAnotherConsentOrKeyDoesNotOpen) {
  auto cipher = Cipher('k', "dev-1");
  ConsentRecord c = Consent();
  SealConsentText(*cipher, &c);
  ConsentRecord moved;
  moved.consent_id = "cns-2";
  moved.sealed = c.sealed;
  EXPECT_THAT(OpenConsentText(*cipher, &moved),
              StatusIs(absl::StatusCode::kDataLoss,
                       "consent cns-2: stored text cannot be opened"));
  ConsentRecord other_key;
  other_key.consent_id = "cns-1";
  other_key.sealed = c.sealed;
  auto rotated = Cipher('z', "dev-1");
  EXPECT_THAT(OpenConsentText(*rotated, &other_key),
              StatusIs(absl::StatusCode::kDataLoss, ::testing::_));
}

TEST(ConsentTextTest, ForCallerDropsStorageOnlyFields) {
  auto cipher = Cipher('k', "dev-1");
  ConsentRecord c = Consent();
  c.request_digest = "digest";
  SealConsentText(*cipher, &c);
  ConsentRecord indexed = ForCaller(c);
  EXPECT_TRUE(indexed.sealed.evidence.empty());
  EXPECT_TRUE(indexed.request_digest.empty());
  EXPECT_EQ(indexed.evidence.signer_name, "Jordan Example");
}

}  // namespace
}  // namespace caregate
