#include "services/audit/checkpoint.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_chain.h"
#include "services/audit/test_events.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"

namespace caregate {
namespace {

using ::caregate::testing::BuildTestChain;
using ::caregate::testing::IsOk;
using ::caregate::testing::NewEd25519KeyPair;
using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kOrigin[] = "caregate.sunrise-therapy.example/audit";
const absl::Time kTime = absl::FromUnixSeconds(1717405200);

Hash256 CountingHash() {
  Hash256 hash;
  for (int i = 0; i < 32; ++i) hash[i] = static_cast<uint8_t>(i);
  return hash;
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto pem = NewEd25519KeyPair();
    auto signer = Ed25519Signer::FromPem(pem.private_pem);
    auto verifier = Ed25519Verifier::FromPem(pem.public_pem);
    ASSERT_TRUE(signer.ok()) << signer.status();
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    signer_ = *std::move(signer);
    verifier_ = *std::move(verifier);
  }

  Checkpoint Sign(int64_t seq, const Hash256& hash) const {
    return SignCheckpoint(kOrigin, seq, hash, kTime, *signer_);
  }

  std::unique_ptr<Ed25519Signer> signer_;
  std::unique_ptr<Ed25519Verifier> verifier_;
};

TEST(CheckpointBodyTest, IsExactlyThreeLines) {
  EXPECT_EQ(CheckpointBody("origin", 3, CountingHash()),
            "origin\n3\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
  EXPECT_EQ(CheckpointBody("caregate.example/audit", 0, Hash256{}),
            "caregate.example/audit\n0\n"
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
}

TEST_F(CheckpointTest, SignsAndVerifies) {
  const Checkpoint checkpoint = Sign(3, CountingHash());
  EXPECT_EQ(checkpoint.origin, kOrigin);
  EXPECT_EQ(checkpoint.seq, 3);
  EXPECT_EQ(checkpoint.head_hash, CountingHash());
  EXPECT_EQ(checkpoint.time, kTime);
  EXPECT_EQ(checkpoint.body, CheckpointBody(kOrigin, 3, CountingHash()));
  EXPECT_EQ(checkpoint.signature.size(), 64u);
  EXPECT_EQ(checkpoint.key_id, signer_->key_id());
  EXPECT_TRUE(verifier_->Verify(checkpoint.body, checkpoint.signature));
  EXPECT_THAT(VerifyCheckpoint(checkpoint, *verifier_), IsOk());
}

TEST_F(CheckpointTest, RejectsTamperedBody) {
  Checkpoint checkpoint = Sign(3, CountingHash());
  checkpoint.body = CheckpointBody(kOrigin, 4, CountingHash());
  EXPECT_THAT(
      VerifyCheckpoint(checkpoint, *verifier_),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("body does not match")));
}

TEST_F(CheckpointTest, RejectsTamperedSeq) {
  Checkpoint checkpoint = Sign(3, CountingHash());
  checkpoint.seq = 4;
  EXPECT_THAT(VerifyCheckpoint(checkpoint, *verifier_),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("body does not match its origin, seq 4")));
  // Rewriting the body to match does not help: the signature covers it.
  checkpoint.body = CheckpointBody(kOrigin, 4, CountingHash());
  EXPECT_THAT(VerifyCheckpoint(checkpoint, *verifier_),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("signature does not verify")));
}

TEST_F(CheckpointTest, RejectsTamperedHash) {
  Checkpoint checkpoint = Sign(3, CountingHash());
  checkpoint.head_hash[0] ^= 1;
  EXPECT_THAT(
      VerifyCheckpoint(checkpoint, *verifier_),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("body does not match")));
  checkpoint.body = CheckpointBody(kOrigin, 3, checkpoint.head_hash);
  EXPECT_THAT(VerifyCheckpoint(checkpoint, *verifier_),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("signature does not verify")));
}

TEST_F(CheckpointTest, RejectsTamperedSignature) {
  Checkpoint checkpoint = Sign(3, CountingHash());
  checkpoint.signature[5] ^= 0x40;
  EXPECT_THAT(VerifyCheckpoint(checkpoint, *verifier_),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("signature does not verify with key " +
                                 verifier_->key_id())));
  checkpoint.signature.resize(63);
  EXPECT_THAT(VerifyCheckpoint(checkpoint, *verifier_),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("signature does not verify")));
}

TEST_F(CheckpointTest, RejectsOtherKey) {
  const auto other_pem = NewEd25519KeyPair();
  auto other_signer = Ed25519Signer::FromPem(other_pem.private_pem);
  ASSERT_TRUE(other_signer.ok()) << other_signer.status();
  Checkpoint checkpoint =
      SignCheckpoint(kOrigin, 3, CountingHash(), kTime, **other_signer);
  EXPECT_THAT(VerifyCheckpoint(checkpoint, *verifier_),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("names key " + (*other_signer)->key_id())));
  checkpoint.key_id = verifier_->key_id();  // a forged hint changes nothing
  EXPECT_THAT(VerifyCheckpoint(checkpoint, *verifier_),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("signature does not verify")));
}

TEST_F(CheckpointTest, RejectsMalformedOriginAndSeq) {
  Checkpoint checkpoint =
      SignCheckpoint("a\nb", 3, CountingHash(), kTime, *signer_);
  EXPECT_THAT(VerifyCheckpoint(checkpoint, *verifier_),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("origin")));
  checkpoint = Sign(-1, CountingHash());
  EXPECT_THAT(VerifyCheckpoint(checkpoint, *verifier_),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("negative")));
}

TEST_F(CheckpointTest, MatchesVerifiedChain) {
  const std::vector<AuditEvent> events = BuildTestChain(100);
  const Checkpoint checkpoint = Sign(60, events[59].hash);
  CG_ASSERT_OK(VerifyCheckpoint(checkpoint, *verifier_));
  EXPECT_THAT(CheckCheckpointAgainstChain(checkpoint, 100, events[59].hash),
              IsOk());
  const Checkpoint at_head = Sign(100, events[99].hash);
  EXPECT_THAT(CheckCheckpointAgainstChain(at_head, 100, events[99].hash),
              IsOk());
  const Checkpoint of_empty_log = Sign(0, Hash256{});
  EXPECT_THAT(CheckCheckpointAgainstChain(of_empty_log, 0, Hash256{}), IsOk());
}

TEST_F(CheckpointTest, DetectsLogTruncatedAfterCheckpoint) {
  std::vector<AuditEvent> events = BuildTestChain(100);
  const Checkpoint checkpoint = Sign(100, events[99].hash);
  events.resize(80);  // the last 20 events deleted: the chain alone looks fine
  ChainVerifier verifier;
  for (const AuditEvent& e : events) ASSERT_TRUE(verifier.Add(e));
  EXPECT_THAT(
      CheckCheckpointAgainstChain(
          checkpoint, verifier.result().verified_through_seq, std::nullopt),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr("checkpoint at seq 100 is beyond the log's last seq "
                         "80 (log truncated after checkpoint)")));
}

TEST_F(CheckpointTest, DetectsRewrittenChain) {
  std::vector<AuditEvent> events = BuildTestChain(100);
  const Checkpoint checkpoint = Sign(60, events[59].hash);
  // Rewrite seq 30 and recompute every later hash: the chain stays
  // self-consistent, only the checkpoint can tell.
  events[29].recipient_org_id = "northside-psychiatry";
  AuditChain rewritten(28, events[27].hash);
  for (size_t i = 28; i < events.size(); ++i) rewritten.Append(&events[i]);
  ChainVerifier verifier;
  std::optional<Hash256> hash_at_checkpoint;
  for (const AuditEvent& e : events) {
    ASSERT_TRUE(verifier.Add(e)) << verifier.result().problem;
    if (e.seq == checkpoint.seq) hash_at_checkpoint = e.hash;
  }
  EXPECT_THAT(CheckCheckpointAgainstChain(checkpoint, 100, hash_at_checkpoint),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("checkpoint does not match event 60")));
}

TEST_F(CheckpointTest, RequiresHashWhenCheckpointInsideLog) {
  const Checkpoint checkpoint = Sign(60, CountingHash());
  EXPECT_THAT(CheckCheckpointAgainstChain(checkpoint, 100, std::nullopt),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no chain hash given for checkpoint seq 60")));
}

}  // namespace
}  // namespace caregate
