// Idempotency across two replicas on one PostgreSQL database: a request id
// sent to both (at once, or one after the other) yields one disclosure, and
// every caller gets the first receipt.
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/replicas/replica_calls.h"
#include "tests/replicas/replica_set.h"

namespace caregate::replicas {
namespace {

using ::testing::HasSubstr;

constexpr char kPatient[] = "p-idem";
constexpr int kRounds = 20;

class ReplicaIdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<ReplicaSet>> set = ReplicaSet::Create(2);
    ASSERT_TRUE(set.ok()) << set.status();
    replicas_ = *std::move(set);
    absl::Status started = replicas_->StartAll(absl::Seconds(60));
    ASSERT_TRUE(started.ok()) << started;
    // A consent recorded through each replica, so each permits the note
    // whatever it knows of the other's consents.
    for (int r = 0; r < 2; ++r) {
      v1::Consent consent;
      grpc::Status s = RecordConsent(Therapist(r), PtConsent(kPatient),
                                     absl::StrCat("consent-", r), &consent);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }

  std::shared_ptr<grpc::Channel> Therapist(int r) {
    return replicas_->Channel(r, "dr-rivera");
  }

  std::string Count(const std::string& sql) {
    return testing::QueryText(replicas_->database().conninfo, sql)
        .value_or("error");
  }

  std::unique_ptr<ReplicaSet> replicas_;
};

TEST_F(ReplicaIdempotencyTest, RetryOnTheOtherReplicaGetsTheFirstReceipt) {
  const v1::SendDisclosureRequest note =
      PtNote(kPatient, "retry-1", "walked 20 minutes");
  v1::SendDisclosureResponse first, retried;
  grpc::Status s = Send(Therapist(0), note, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  s = Send(Therapist(1), note, &retried);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(retried.receipt().disclosure_id(), first.receipt().disclosure_id());
  EXPECT_EQ(retried.receipt().audit_seq(), first.receipt().audit_seq());
  EXPECT_EQ(Count("SELECT count(*) FROM disclosures"), "1");
  EXPECT_EQ(Count("SELECT count(*) FROM messages"), "1");

  // The same request id with other content, on either replica.
  v1::SendDisclosureResponse refused;
  s = Send(Therapist(1), PtNote(kPatient, "retry-1", "other text"), &refused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("different disclosure"));
}

TEST_F(ReplicaIdempotencyTest,
       SimultaneousSendsOnBothReplicasMakeOneDisclosure) {
  for (int round = 0; round < kRounds; ++round) {
    const v1::SendDisclosureRequest note = PtNote(
        kPatient, absl::StrCat("both-", round), absl::StrCat("round ", round));
    v1::SendDisclosureResponse responses[2];
    grpc::Status statuses[2];
    std::thread other(
        [&] { statuses[1] = Send(Therapist(1), note, &responses[1]); });
    statuses[0] = Send(Therapist(0), note, &responses[0]);
    other.join();
    for (int r = 0; r < 2; ++r) {
      ASSERT_TRUE(statuses[r].ok()) << "round " << round << " replica " << r
                                    << ": " << statuses[r].error_message();
    }
    EXPECT_EQ(responses[0].receipt().disclosure_id(),
              responses[1].receipt().disclosure_id())
        << "round " << round;
    EXPECT_EQ(responses[0].receipt().audit_seq(),
              responses[1].receipt().audit_seq());
  }
  EXPECT_EQ(Count("SELECT count(*) FROM disclosures"), std::to_string(kRounds));
  EXPECT_EQ(Count("SELECT count(*) FROM messages"), std::to_string(kRounds));
  // One audit event per request id: the losers wrote nothing.
  EXPECT_EQ(Count("SELECT count(*) FROM audit_events WHERE request_id LIKE "
                  "'both-%'"),
            std::to_string(kRounds));
}

}  // namespace
}  // namespace caregate::replicas
