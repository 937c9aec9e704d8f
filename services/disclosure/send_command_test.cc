#include "services/disclosure/send_command.h"

#include <filesystem>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/delivery/message_signature.h"
#include "services/pki/dev_pki.h"
#include "services/store/sqlite_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"

namespace caregate {
namespace {

using ::caregate::testing::IsOk;
using ::testing::ElementsAre;

// The send command against a real ledger and SQLite store, with the consent
// index changed between PrepareSend (off the writer) and the command.
class SendCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("send_command_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    config_ = std::move(GatewayConfig::FromText(
                            pki::SampleConfigText(pki::DevInitOptions{}),
                            "sample", dir_.string()))
                  .value();
    const auto keys = testing::NewEd25519KeyPair();
    signer_ = std::move(Ed25519Signer::FromPem(keys.private_pem)).value();
    verifier_ = std::move(Ed25519Verifier::FromPem(keys.public_pem)).value();
    cipher_ = std::move(DataCipher::Create(std::string(32, 'k'), "t1")).value();
    store_ = std::move(OpenSqliteStore((dir_ / "db.sqlite").string())).value();
    ledger_ = std::move(Ledger::Create(store_.get(), &clock_, signer_.get(),
                                       {"test/audit", absl::Seconds(1)}))
                  .value();
    sender_ = config_->FindPrincipal("dr-rivera");
    digester_ = *KeyedDigest::Create(std::string(32, 'd'));
    context_ = {config_.get(), &index_,    signer_.get(),
                cipher_.get(), &notifier_, digester_.get()};
  }
  void TearDown() override {
    ledger_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  ConsentRecord Consent(std::string id, std::vector<v1::Category> categories) {
    ConsentRecord c;
    c.consent_id = std::move(id);
    c.patient_id = "p-1001";
    c.practice_org_id = "sunrise-therapy";
    c.grantee.org_id = "core-pelvic-pt";
    c.purposes.Add(v1::PURPOSE_TREATMENT_COORDINATION);
    for (auto category : categories) c.categories.Add(category);
    c.valid_from = clock_.Now() - absl::Hours(1);
    c.expires_at = clock_.Now() + absl::Hours(24);
    return c;
  }

  v1::Disclosure Note(std::vector<v1::Category> categories) {
    v1::Disclosure d;
    d.set_patient_id("p-1001");
    d.set_recipient_org_id("core-pelvic-pt");
    d.set_recipient_provider_id("pt-lindqvist");
    d.set_purpose(v1::PURPOSE_TREATMENT_COORDINATION);
    for (auto category : categories) {
      v1::Section* s = d.add_sections();
      s->set_category(category);
      s->set_body("text");
    }
    return d;
  }

  ValidatedDisclosure Validated(const v1::Disclosure& d, bool redact) {
    ValidatedDisclosure v;
    v.patient_id = d.patient_id();
    v.recipient = {"core-pelvic-pt", "pt-lindqvist",
                   v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY};
    v.purpose = d.purpose();
    for (const auto& s : d.sections())
      v.section_categories.push_back(s.category());
    v.redact_uncovered = redact;
    return v;
  }

  std::shared_ptr<SendOutcome> Run(const v1::Disclosure& note,
                                   const ValidatedDisclosure& validated,
                                   SendDraft draft) {
    auto outcome = std::make_shared<SendOutcome>();
    absl::Notification done;
    absl::Status status;
    ledger_->Submit(
        SendDisclosureCommand(context_, *sender_, validated,
                              std::make_shared<const v1::Disclosure>(note),
                              "req-1", std::move(draft), outcome),
        [&](absl::Status s) {
          status = s;
          done.Notify();
        });
    done.WaitForNotification();
    EXPECT_THAT(status, IsOk());
    return outcome;
  }

  std::vector<v1::Message> StoredMessages() {
    std::vector<v1::Message> out;
    auto rows = store_->ListMessages("core-pelvic-pt", true, 0, 100);
    EXPECT_THAT(rows, IsOk());
    for (const MessageRow& row : *rows) {
      v1::Message m;
      EXPECT_TRUE(m.ParseFromString(
          cipher_->Open(row.sealed_envelope, row.message_id).value()));
      out.push_back(m);
    }
    return out;
  }

  std::filesystem::path dir_;
  FakeClock clock_{absl::FromUnixSeconds(1800000000)};
  std::shared_ptr<const GatewayConfig> config_;
  std::unique_ptr<Ed25519Signer> signer_;
  std::unique_ptr<Ed25519Verifier> verifier_;
  std::unique_ptr<DataCipher> cipher_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Ledger> ledger_;
  ConsentIndex index_;
  InProcessNotifier notifier_;
  std::unique_ptr<KeyedDigest> digester_;
  const PrincipalInfo* sender_ = nullptr;
  SendContext context_;
};

TEST_F(SendCommandTest, UnchangedConsentsUseTheDraft) {
  index_.Upsert(Consent("cns-a", {v1::CATEGORY_HOMEWORK_PLAN}));
  const v1::Disclosure note = Note({v1::CATEGORY_HOMEWORK_PLAN});
  SendDraft draft = PrepareSend(context_, *sender_, Validated(note, false),
                                note, clock_.Now());
  const std::string draft_id = draft.message->message_id();
  auto outcome = Run(note, Validated(note, false), std::move(draft));
  ASSERT_TRUE(outcome->receipt.has_value());
  const auto messages = StoredMessages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].message_id(), draft_id);
  EXPECT_TRUE(VerifyMessage(*verifier_, messages[0]));
}

TEST_F(SendCommandTest, RevocationAfterTheDraftDenies) {
  ConsentRecord consent = Consent("cns-a", {v1::CATEGORY_HOMEWORK_PLAN});
  index_.Upsert(consent);
  const v1::Disclosure note = Note({v1::CATEGORY_HOMEWORK_PLAN});
  SendDraft draft = PrepareSend(context_, *sender_, Validated(note, false),
                                note, clock_.Now());
  ASSERT_NE(draft.message, nullptr);
  consent.revocation = Revocation{clock_.Now(), "dr-rivera", "revoked"};
  index_.Upsert(consent);  // committed before the send command runs

  auto outcome = Run(note, Validated(note, false), std::move(draft));
  EXPECT_FALSE(outcome->receipt.has_value());
  ASSERT_EQ(outcome->denial.sections.size(), 1u);
  EXPECT_EQ(outcome->denial.sections[0].reason,
            v1::DENIAL_REASON_CONSENT_REVOKED);
  EXPECT_TRUE(StoredMessages().empty());
}

TEST_F(SendCommandTest, WiderCoverageAfterTheDraftRebuildsTheMessage) {
  index_.Upsert(Consent("cns-a", {v1::CATEGORY_HOMEWORK_PLAN}));
  const v1::Disclosure note =
      Note({v1::CATEGORY_HOMEWORK_PLAN, v1::CATEGORY_TRAUMA_HISTORY});
  SendDraft draft = PrepareSend(context_, *sender_, Validated(note, true), note,
                                clock_.Now());
  ASSERT_EQ(draft.message->sections_size(), 1);  // redacted draft
  index_.Upsert(Consent("cns-b", {v1::CATEGORY_TRAUMA_HISTORY}));

  auto outcome = Run(note, Validated(note, true), std::move(draft));
  ASSERT_TRUE(outcome->receipt.has_value());
  EXPECT_EQ(outcome->receipt->decision().outcome(),
            v1::DECISION_OUTCOME_PERMITTED);
  const auto messages = StoredMessages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].sections_size(), 2);
  EXPECT_EQ(messages[0].consent_summaries_size(), 2);
  EXPECT_THAT(outcome->receipt->decision().consent_ids(),
              ElementsAre("cns-a", "cns-b"));
  EXPECT_TRUE(VerifyMessage(*verifier_, messages[0]));
}

}  // namespace
}  // namespace caregate
