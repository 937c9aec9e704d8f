// Test fixture of the inbox library: a real SQLite store in a fresh temp
// directory, a real Ledger (FakeClock, Ed25519 key generated per test) and a
// data cipher, plus helpers that seed disclosures and messages through the
// Ledger. Test-only.
#ifndef CAREGATE_SERVICES_INBOX_INBOX_TEST_SUPPORT_H_
#define CAREGATE_SERVICES_INBOX_INBOX_TEST_SUPPORT_H_

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"
#include "gtest/gtest.h"
#include "services/common/clock.h"
#include "services/config/gateway_config.h"
#include "services/crypto/data_cipher.h"
#include "services/crypto/ed25519.h"
#include "services/ledger/ledger.h"
#include "services/store/sqlite_store.h"
#include "tests/testing/status_matchers.h"

namespace caregate::testing {

// A fresh Ed25519 private key, PEM PKCS#8.
inline std::string NewEd25519Pem() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  BIO* bio = BIO_new(BIO_s_mem());
  std::string pem;
  if (key != nullptr && bio != nullptr &&
      PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr,
                               nullptr) == 1) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<size_t>(size));
  }
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

inline std::string FreshTempDir() {
  static std::atomic<int> counter{0};
  const ::testing::TestInfo* info =
      ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) /
      (std::string("inbox_") + info->test_suite_name() + "_" + info->name() +
       "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

class InboxFixture : public ::testing::Test {
 protected:
  static constexpr char kClinicOrg[] = "lakeside-obgyn";
  static constexpr char kOtherClinicOrg[] = "riverside-urology";

  void SetUp() override {
    dir_ = FreshTempDir();
    auto store = OpenSqliteStore(dir_ + "/caregate.db");
    CG_ASSERT_OK(store);
    store_ = *std::move(store);
    auto signer = Ed25519Signer::FromPem(NewEd25519Pem());
    CG_ASSERT_OK(signer);
    signer_ = *std::move(signer);
    auto cipher = DataCipher::Create(std::string(32, 'k'), "data-key-1");
    CG_ASSERT_OK(cipher);
    cipher_ = *std::move(cipher);
    Ledger::Options options;
    options.checkpoint_origin = "inbox-test";
    auto ledger = Ledger::Create(store_.get(), &clock_, signer_.get(), options);
    CG_ASSERT_OK(ledger);
    ledger_ = *std::move(ledger);
  }

  void TearDown() override {
    if (ledger_ != nullptr) ledger_->Shutdown();
    ledger_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Runs `command` through the Ledger and waits for its completion.
  absl::Status Run(LedgerCommand command) {
    absl::Status result;
    absl::Notification done;
    ledger_->Submit(std::move(command), [&](absl::Status s) {
      result = std::move(s);
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }

  static PrincipalInfo Clinic(const std::string& org_id) {
    return PrincipalInfo{org_id + "-inbox", v1::ROLE_CLINIC, org_id, false};
  }

  // The disclosure row of a message from sunrise-therapy to `org_id`.
  static DisclosureRow MakeDisclosure(const std::string& disclosure_id,
                                      const std::string& message_id,
                                      const std::string& org_id) {
    DisclosureRow d;
    d.disclosure_id = disclosure_id;
    d.practice_org_id = "sunrise-therapy";
    d.sender_principal_id = "dr-rivera";
    d.request_id = "req-" + disclosure_id;
    d.patient_id = "patient-7";
    d.recipient_org_id = org_id;
    d.recipient_provider_id = "dr-okafor";
    d.purpose = v1::PURPOSE_REFERRAL;
    d.outcome = v1::DECISION_OUTCOME_PERMITTED;
    d.categories = {v1::CATEGORY_TREATMENT_SUMMARY};
    d.consent_ids = {"cns-1"};
    d.content_sha256 = std::string(64, 'a');
    d.audit_seq = 1;
    d.message_id = message_id;
    d.created_at = absl::FromUnixSeconds(1700000000);
    return d;
  }

  // Stores a QUEUED message `n` to `org_id` (with its disclosure) at `seq`,
  // sealed as the gateway seals it; returns the Message as sealed.
  v1::Message AddMessage(int n, const std::string& org_id, int64_t seq) {
    const std::string message_id = "msg-" + std::to_string(n);
    const std::string disclosure_id = "dsc-" + std::to_string(n);
    v1::Message message;
    message.set_message_id(message_id);
    message.set_disclosure_id(disclosure_id);
    message.set_recipient_org_id(org_id);
    message.set_patient_id("patient-7");
    message.set_purpose(v1::PURPOSE_REFERRAL);
    message.add_sections()->set_body("body " + std::to_string(n));
    message.set_delivery_state(v1::DELIVERY_STATE_QUEUED);
    MessageRow row;
    row.message_id = message_id;
    row.disclosure_id = disclosure_id;
    row.recipient_org_id = org_id;
    row.seq = seq;
    row.consent_ids = {"cns-1"};
    row.state = v1::DELIVERY_STATE_QUEUED;
    row.created_at = absl::FromUnixSeconds(1700000000);
    row.key_id = cipher_->key_id();
    row.sealed_envelope =
        cipher_->Seal(message.SerializeAsString(), message_id);
    DisclosureRow disclosure =
        MakeDisclosure(disclosure_id, message_id, org_id);
    EXPECT_THAT(Run([&](LedgerTxn& txn) -> absl::Status {
                  absl::Status s = txn.store().InsertDisclosure(disclosure);
                  if (!s.ok()) return s;
                  return txn.store().InsertMessage(row);
                }),
                IsOk());
    return message;
  }

  std::vector<AuditEvent> EventsOf(v1::AuditAction action) {
    AuditQuery query;
    query.actions = {action};
    auto events = store_->QueryAuditEvents(query);
    EXPECT_THAT(events, IsOk());
    return events.ok() ? *events : std::vector<AuditEvent>{};
  }

  std::string dir_;
  FakeClock clock_{absl::FromUnixSeconds(1700000000) +
                   absl::Nanoseconds(1234567)};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Ed25519Signer> signer_;
  std::unique_ptr<DataCipher> cipher_;
  std::unique_ptr<Ledger> ledger_;
};

}  // namespace caregate::testing

#endif  // CAREGATE_SERVICES_INBOX_INBOX_TEST_SUPPORT_H_
