#include "services/delivery/message_signature.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_keys.h"

namespace caregate {
namespace {

// A fresh Ed25519 key pair as (signer, verifier).
std::pair<std::unique_ptr<Ed25519Signer>, std::unique_ptr<Ed25519Verifier>>
NewKeyPair() {
  const testing::PemKeyPair pem = testing::NewEd25519KeyPair();
  return {std::move(Ed25519Signer::FromPem(pem.private_pem)).value(),
          std::move(Ed25519Verifier::FromPem(pem.public_pem)).value()};
}

v1::Message SampleMessage() {
  v1::Message m;
  m.set_message_id("msg-1");
  m.set_disclosure_id("dsc-1");
  m.set_sender_principal_id("dr-rivera");
  m.set_sender_org_id("sunrise-therapy");
  m.set_patient_id("p-1001");
  m.set_recipient_org_id("core-pelvic-pt");
  m.set_recipient_provider_id("pt-lindqvist");
  m.set_purpose(v1::PURPOSE_TREATMENT_COORDINATION);
  v1::Section* s = m.add_sections();
  s->set_category(v1::CATEGORY_HOMEWORK_ADHERENCE);
  s->set_title("Homework");
  s->set_body("Kept to the plan four of five days.");
  m.add_consent_summaries()->set_consent_id("cns-1");
  m.set_redisclosure_notice("No redisclosure.");
  m.mutable_created_at()->set_seconds(1800000000);
  return m;
}

TEST(MessageSignatureTest, SignedMessageVerifies) {
  auto [signer, verifier] = NewKeyPair();
  v1::Message m = SampleMessage();
  SignMessage(*signer, &m);
  EXPECT_EQ(m.content_sha256().size(), 64u);
  EXPECT_EQ(m.signature().size(), 64u);
  EXPECT_EQ(m.signing_key_id(), signer->key_id());
  EXPECT_TRUE(VerifyMessage(*verifier, m));
}

TEST(MessageSignatureTest, AnyChangeBreaksVerification) {
  auto [signer, verifier] = NewKeyPair();
  v1::Message m = SampleMessage();
  SignMessage(*signer, &m);

  v1::Message body = m;
  body.mutable_sections(0)->mutable_body()->append("!");
  EXPECT_FALSE(VerifyMessage(*verifier, body));

  v1::Message recipient = m;
  recipient.set_recipient_org_id("lakeside-obgyn");
  EXPECT_FALSE(VerifyMessage(*verifier, recipient));

  v1::Message consent = m;
  consent.mutable_consent_summaries(0)->set_consent_id("cns-2");
  EXPECT_FALSE(VerifyMessage(*verifier, consent));

  auto [other_signer, other_verifier] = NewKeyPair();
  EXPECT_FALSE(VerifyMessage(*other_verifier, m));
}

TEST(MessageSignatureTest, DeliveryStateIsNotSigned) {
  auto [signer, verifier] = NewKeyPair();
  v1::Message m = SampleMessage();
  SignMessage(*signer, &m);
  m.set_delivery_state(v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_TRUE(VerifyMessage(*verifier, m));
}

}  // namespace
}  // namespace caregate
