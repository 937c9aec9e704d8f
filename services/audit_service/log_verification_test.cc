#include "services/audit_service/log_verification.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_chain.h"
#include "services/audit/checkpoint.h"
#include "services/crypto/ed25519.h"
#include "services/store/sqlite_store.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kOrigin[] = "caregate.test/audit";

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, size);
}

// A fresh Ed25519 key pair as PEM: {private, public}.
std::pair<std::string, std::string> NewKeyPairPem() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  EXPECT_NE(key, nullptr);
  BIO* private_bio = BIO_new(BIO_s_mem());
  BIO* public_bio = BIO_new(BIO_s_mem());
  EXPECT_EQ(PEM_write_bio_PrivateKey(private_bio, key, nullptr, nullptr, 0,
                                     nullptr, nullptr),
            1);
  EXPECT_EQ(PEM_write_bio_PUBKEY(public_bio, key), 1);
  std::pair<std::string, std::string> pems = {BioContents(private_bio),
                                              BioContents(public_bio)};
  BIO_free(private_bio);
  BIO_free(public_bio);
  EVP_PKEY_free(key);
  return pems;
}

class LogVerificationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat(
               "audit_service_log_verification_",
               ::testing::UnitTest::GetInstance()->current_test_info()->name(),
               "_", getpid());
    std::filesystem::remove_all(dir_);
    db_path_ = (dir_ / "caregate.db").string();
    absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore(db_path_);
    CG_ASSERT_OK(store);
    store_ = *std::move(store);
    auto [private_pem, public_pem] = NewKeyPairPem();
    auto signer = Ed25519Signer::FromPem(private_pem);
    auto verifier = Ed25519Verifier::FromPem(public_pem);
    CG_ASSERT_OK(signer);
    CG_ASSERT_OK(verifier);
    signer_ = *std::move(signer);
    verifier_ = *std::move(verifier);
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Appends `count` chained events (seq 1..count) and, when checkpoint_seq >
  // 0, a checkpoint of event checkpoint_seq signed by `signer_`.
  void WriteLog(int count, int64_t checkpoint_seq) {
    absl::StatusOr<std::unique_ptr<WriteTransaction>> txn =
        store_->BeginWrite();
    CG_ASSERT_OK(txn);
    AuditChain chain;
    for (int i = 1; i <= count; ++i) {
      AuditEvent event;
      event.time = absl::FromUnixSeconds(1772366400) + absl::Seconds(i);
      event.actor_principal_id = "dr-rivera";
      event.actor_role = v1::ROLE_THERAPIST;
      event.actor_org_id = "sunrise-therapy";
      event.action = i % 2 == 0 ? v1::AUDIT_ACTION_DISCLOSURE_PERMITTED
                                : v1::AUDIT_ACTION_CONSENT_RECORDED;
      event.practice_org_id = "sunrise-therapy";
      event.patient_id = absl::StrCat("p-", 1000 + i);
      event.recipient_org_id = "lakeside-obgyn";
      event.categories = {v1::CATEGORY_TREATMENT_SUMMARY};
      event.consent_ids = {absl::StrCat("cns-", i)};
      event.subject_id = absl::StrCat("dsc-", i);
      chain.Append(&event);
      CG_ASSERT_OK((*txn)->AppendAuditEvent(event));
      hashes_.push_back(event.hash);
    }
    if (checkpoint_seq > 0) {
      CG_ASSERT_OK((*txn)->InsertCheckpoint(
          SignCheckpoint(kOrigin, checkpoint_seq, hashes_[checkpoint_seq - 1],
                         absl::FromUnixSeconds(1772370000), *signer_)));
    }
    CG_ASSERT_OK((*txn)->Commit());
  }

  void InsertCheckpoint(const Checkpoint& checkpoint) {
    absl::StatusOr<std::unique_ptr<WriteTransaction>> txn =
        store_->BeginWrite();
    CG_ASSERT_OK(txn);
    CG_ASSERT_OK((*txn)->InsertCheckpoint(checkpoint));
    CG_ASSERT_OK((*txn)->Commit());
  }

  // Runs `sql` on the database file behind the store's back, as an attacker
  // with file access would; it must change at least one row.
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(
        sqlite3_open_v2(db_path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr),
        SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
    EXPECT_GT(sqlite3_changes(db), 0) << sql;
    sqlite3_free(error);
    sqlite3_close(db);
  }

  absl::StatusOr<VerifyReport> Verify(int64_t from, int64_t to, int64_t head) {
    return VerifyStoredLog(*store_, *verifier_, from, to, head);
  }

  std::filesystem::path dir_;
  std::string db_path_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Ed25519Signer> signer_;
  std::unique_ptr<Ed25519Verifier> verifier_;
  std::vector<Hash256> hashes_;  // hashes_[i] is the hash of seq i + 1
};

TEST_F(LogVerificationTest, IntactLogVerifies) {
  WriteLog(10, 8);

  absl::StatusOr<VerifyReport> report = Verify(0, 0, 10);
  CG_ASSERT_OK(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->verified_through_seq, 10);
  EXPECT_EQ(report->first_bad_seq, 0);
  EXPECT_EQ(report->problem, "");
  ASSERT_TRUE(report->checkpoint.has_value());
  EXPECT_EQ(report->checkpoint->seq, 8);
  EXPECT_EQ(report->checkpoint->head_hash, hashes_[7]);
}

TEST_F(LogVerificationTest, EmptyLogVerifies) {
  absl::StatusOr<VerifyReport> report = Verify(0, 0, 0);
  CG_ASSERT_OK(report);
  EXPECT_TRUE(report->ok);
  EXPECT_EQ(report->verified_through_seq, 0);
  EXPECT_FALSE(report->checkpoint.has_value());
}

TEST_F(LogVerificationTest, ChangedEventIsFirstBad) {
  WriteLog(10, 10);
  Tamper("UPDATE audit_events SET patient_id = 'x' WHERE seq = 5");

  absl::StatusOr<VerifyReport> report = Verify(0, 0, 10);
  CG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 5);
  EXPECT_EQ(report->verified_through_seq, 4);
  EXPECT_THAT(report->problem, HasSubstr("seq 5: hash mismatch"));
}

TEST_F(LogVerificationTest, DeletedEventIsAGap) {
  WriteLog(10, 10);
  Tamper("DELETE FROM audit_events WHERE seq = 5");

  absl::StatusOr<VerifyReport> report = Verify(0, 0, 10);
  CG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->verified_through_seq, 4);
  EXPECT_EQ(report->first_bad_seq, 6);
  EXPECT_THAT(report->problem, HasSubstr("expected seq 5"));
}

TEST_F(LogVerificationTest, DeletedTailAfterCheckpointIsTruncation) {
  WriteLog(10, 10);
  Tamper("DELETE FROM audit_events WHERE seq >= 9");

  // As after a restart: the head is read back from the shortened store.
  absl::StatusOr<VerifyReport> report = Verify(0, 0, 8);
  CG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->verified_through_seq, 8);
  EXPECT_EQ(report->first_bad_seq, 9);
  EXPECT_THAT(report->problem, HasSubstr("log truncated after checkpoint"));

  // As in the running gateway, whose head is still 10.
  report = Verify(0, 0, 10);
  CG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 9);
  EXPECT_THAT(report->problem, HasSubstr("log truncated after checkpoint"));
}

TEST_F(LogVerificationTest, DeletedTailBeyondCheckpointIsMissing) {
  WriteLog(10, 5);
  Tamper("DELETE FROM audit_events WHERE seq = 10");

  absl::StatusOr<VerifyReport> report = Verify(0, 0, 10);
  CG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->verified_through_seq, 9);
  EXPECT_EQ(report->first_bad_seq, 10);
  EXPECT_THAT(report->problem, HasSubstr("seq 10: event missing"));
}

TEST_F(LogVerificationTest, NoEventsBelowTheHeadIsMissing) {
  WriteLog(3, 0);
  Tamper("DELETE FROM audit_events");

  absl::StatusOr<VerifyReport> report = Verify(0, 0, 3);
  CG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->verified_through_seq, 0);
  EXPECT_EQ(report->first_bad_seq, 1);
  EXPECT_THAT(report->problem, HasSubstr("seq 1: event missing"));
}

TEST_F(LogVerificationTest, CorruptCheckpointSignatureIsReported) {
  WriteLog(10, 7);
  Tamper("UPDATE checkpoints SET signature = zeroblob(64)");

  absl::StatusOr<VerifyReport> report = Verify(0, 0, 10);
  CG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->verified_through_seq, 10);
  EXPECT_EQ(report->first_bad_seq, 7);
  EXPECT_EQ(report->problem, "checkpoint signature invalid");
  ASSERT_TRUE(report->checkpoint.has_value());
  EXPECT_EQ(report->checkpoint->seq, 7);
}

TEST_F(LogVerificationTest, CheckpointOfAnotherKeyIsReported) {
  WriteLog(10, 0);
  auto [private_pem, public_pem] = NewKeyPairPem();
  auto other_signer = Ed25519Signer::FromPem(private_pem);
  CG_ASSERT_OK(other_signer);
  InsertCheckpoint(
      SignCheckpoint(kOrigin, 10, hashes_[9], absl::Now(), **other_signer));

  absl::StatusOr<VerifyReport> report = Verify(0, 0, 10);
  CG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 10);
  EXPECT_EQ(report->problem, "checkpoint signature invalid");
}

TEST_F(LogVerificationTest, CheckpointOfAnotherHashIsRewrite) {
  WriteLog(10, 0);
  InsertCheckpoint(
      SignCheckpoint(kOrigin, 6, hashes_[0], absl::Now(), *signer_));

  absl::StatusOr<VerifyReport> report = Verify(0, 0, 10);
  CG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->verified_through_seq, 10);
  EXPECT_EQ(report->first_bad_seq, 6);
  EXPECT_THAT(report->problem, HasSubstr("log rewritten"));
}

TEST_F(LogVerificationTest, PartialRangeIsAnchoredOnStoredHash) {
  WriteLog(10, 10);
  // Outside the range: not verified.
  Tamper("UPDATE audit_events SET patient_id = 'x' WHERE seq = 2");

  absl::StatusOr<VerifyReport> report = Verify(4, 8, 10);
  CG_ASSERT_OK(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->verified_through_seq, 8);

  Tamper("UPDATE audit_events SET patient_id = 'x' WHERE seq = 6");
  report = Verify(4, 8, 10);
  CG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->verified_through_seq, 5);
  EXPECT_EQ(report->first_bad_seq, 6);
}

TEST_F(LogVerificationTest, PartialRangeChecksItsFirstLinkToTheAnchor) {
  WriteLog(10, 0);
  Tamper("UPDATE audit_events SET hash = zeroblob(32) WHERE seq = 3");

  absl::StatusOr<VerifyReport> report = Verify(4, 0, 10);
  CG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->verified_through_seq, 3);
  EXPECT_EQ(report->first_bad_seq, 4);
  EXPECT_THAT(report->problem,
              HasSubstr("seq 4: prev_hash does not match hash of seq 3"));
}

TEST_F(LogVerificationTest, MissingAnchorIsReported) {
  WriteLog(10, 0);
  Tamper("DELETE FROM audit_events WHERE seq = 3");

  absl::StatusOr<VerifyReport> report = Verify(4, 0, 10);
  CG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 3);
  EXPECT_THAT(report->problem, HasSubstr("seq 3: event missing"));
}

TEST_F(LogVerificationTest, CheckpointBeyondRangeIsComparedWithStoredEvent) {
  WriteLog(10, 8);

  absl::StatusOr<VerifyReport> report = Verify(1, 5, 10);
  CG_ASSERT_OK(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->verified_through_seq, 5);

  Tamper("UPDATE audit_events SET hash = zeroblob(32) WHERE seq = 8");
  report = Verify(1, 5, 10);
  CG_ASSERT_OK(report);
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 8);
  EXPECT_THAT(report->problem, HasSubstr("log rewritten"));
}

TEST_F(LogVerificationTest, ToSeqBeyondHeadIsClamped) {
  WriteLog(5, 5);

  absl::StatusOr<VerifyReport> report = Verify(2, 50, 5);
  CG_ASSERT_OK(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->verified_through_seq, 5);
}

TEST_F(LogVerificationTest, RejectsBadRanges) {
  WriteLog(5, 0);
  EXPECT_THAT(Verify(-1, 0, 5), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("from_seq")));
  EXPECT_THAT(Verify(0, -2, 5), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("to_seq")));
  EXPECT_THAT(Verify(4, 3, 5), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("to_seq: 3 is below")));
  EXPECT_THAT(Verify(6, 0, 5),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("from_seq: 6 is beyond the log head 5")));
}

}  // namespace
}  // namespace caregate
