// Rule 6 across replicas on one PostgreSQL database: a consent recorded
// through one replica is revocable through another, and once RevokeConsent
// has returned on any replica, no replica permits a send relying on it
// (each send checks the patient's consent revision in its transaction).
#include <atomic>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/replicas/replica_calls.h"
#include "tests/replicas/replica_set.h"

namespace caregate::replicas {
namespace {

constexpr int kFenceRounds = 100;
// Sends one round may make while the revocation is in flight.
constexpr int kMaxSendsPerRound = 50;

class ReplicaConsentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<ReplicaSet>> set = ReplicaSet::Create(3);
    ASSERT_TRUE(set.ok()) << set.status();
    replicas_ = *std::move(set);
    absl::Status started = replicas_->StartAll(absl::Seconds(60));
    ASSERT_TRUE(started.ok()) << started;
  }

  std::shared_ptr<grpc::Channel> Therapist(int r) {
    return replicas_->Channel(r, "dr-rivera");
  }

  std::unique_ptr<ReplicaSet> replicas_;
};

TEST_F(ReplicaConsentTest, RecordOnARevokeOnBThenSendOnCIsDenied) {
  const std::string patient = "p-abc";
  v1::Consent consent;
  grpc::Status s =
      RecordConsent(Therapist(0), PtConsent(patient), "consent-abc", &consent);
  ASSERT_TRUE(s.ok()) << s.error_message();

  // C knows nothing of it yet, and permits: it read the consent from the
  // store (and now holds it in memory).
  v1::SendDisclosureResponse before;
  s = Send(Therapist(2), PtNote(patient, "before", "before revocation"),
           &before);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(before.receipt().decision().outcome(),
            v1::DECISION_OUTCOME_PERMITTED);

  // B never saw the consent; it revokes it from the store.
  v1::Consent revoked;
  s = RevokeConsent(Therapist(1), consent.consent_id(), &revoked);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(revoked.consent_id(), consent.consent_id());
  EXPECT_TRUE(revoked.has_revoked_at());

  // C's memory still says active; the send must see the revocation.
  v1::SendDisclosureResponse after;
  s = Send(Therapist(2), PtNote(patient, "after", "after revocation"), &after);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  // The earlier message was withheld by the revocation on B.
  EXPECT_EQ(testing::QueryText(replicas_->database().conninfo,
                               "SELECT count(*) FROM messages WHERE state = 3")
                .value_or("error"),
            "1");
  // Revoking again, on A, returns the revoked consent.
  v1::Consent again;
  s = RevokeConsent(Therapist(0), consent.consent_id(), &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(again.has_revoked_at());
  // An unknown id stays NOT_FOUND.
  s = RevokeConsent(Therapist(1), "cns-unknown", &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

// Each round: a consent recorded on A and used on C (so C holds it), then
// sends on C race a revocation on B; every send C starts after
// RevokeConsent returned must be denied.
TEST_F(ReplicaConsentTest, NoPermitAfterRevocationReturnedOnAnotherReplica) {
  const auto recorder = Therapist(0);
  const auto revoker = Therapist(1);
  const auto sender = Therapist(2);
  int late_sends = 0;
  for (int round = 0; round < kFenceRounds; ++round) {
    const std::string patient = absl::StrCat("p-fence-", round);
    v1::Consent consent;
    grpc::Status s = RecordConsent(recorder, PtConsent(patient),
                                   absl::StrCat("consent-", round), &consent);
    ASSERT_TRUE(s.ok()) << s.error_message();
    v1::SendDisclosureResponse warm;
    s = Send(sender, PtNote(patient, absl::StrCat("warm-", round), "warm"),
             &warm);
    ASSERT_TRUE(s.ok()) << "round " << round << ": " << s.error_message();

    std::atomic<bool> revoked{false};
    std::thread racer([&] {
      for (int i = 0; i < kMaxSendsPerRound; ++i) {
        const bool after_revocation = revoked.load();
        v1::SendDisclosureResponse response;
        const grpc::Status sent =
            Send(sender,
                 PtNote(patient, absl::StrCat("race-", round, "-", i), "race"),
                 &response);
        if (after_revocation) {
          ++late_sends;
          EXPECT_EQ(sent.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
              << "round " << round << " send " << i
              << " started after RevokeConsent returned: "
              << (sent.ok() ? "permitted" : sent.error_message());
          return;
        }
      }
    });
    v1::Consent out;
    s = RevokeConsent(revoker, consent.consent_id(), &out);
    revoked.store(true);
    racer.join();
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // Most rounds reach a send after the revocation (the racer's budget ran
  // out first only when the revocation took longer than all its sends).
  EXPECT_GT(late_sends, kFenceRounds / 2);
}

}  // namespace
}  // namespace caregate::replicas

namespace caregate::replicas {
namespace {

// What `replica` answers to a check of a note to the PT about `patient`.
v1::DecisionOutcome CheckOn(ReplicaSet& replicas, int replica,
                            const std::string& patient) {
  v1::CheckDisclosureRequest request;
  *request.mutable_disclosure() = PtNote(patient, "unused", "a check").disclosure();
  v1::CheckDisclosureResponse response;
  auto stub = v1::DisclosureService::NewStub(replicas.Channel(replica, "dr-rivera"));
  grpc::Status s = stub->CheckDisclosure(Ctx().get(), request, &response);
  if (!s.ok()) return v1::DECISION_OUTCOME_UNSPECIFIED;
  return response.decision().outcome();
}

// Polls CheckOn until it answers `want` or `limit` passes; the time taken,
// or std::nullopt.
std::optional<absl::Duration> TimeUntil(ReplicaSet& replicas, int replica,
                                        const std::string& patient,
                                        v1::DecisionOutcome want,
                                        absl::Duration limit) {
  const absl::Time start = absl::Now();
  while (absl::Now() - start < limit) {
    if (CheckOn(replicas, replica, patient) == want) return absl::Now() - start;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return std::nullopt;
}

// CheckDisclosure answers from a replica's memory, without a transaction:
// the consent follower brings in what other replicas commit, about every
// 100 ms. GetConsent and ListConsents catch up first.
TEST(ReplicaConsentFollowTest, AnotherReplicasChecksFollowRecordAndRevoke) {
  absl::StatusOr<std::unique_ptr<ReplicaSet>> set = ReplicaSet::Create(2);
  ASSERT_TRUE(set.ok()) << set.status();
  ReplicaSet& replicas = **set;
  ASSERT_TRUE(replicas.StartAll(absl::Seconds(60)).ok());
  const std::string patient = "p-follow";
  // Replica 1 has never seen the patient: denied.
  ASSERT_EQ(CheckOn(replicas, 1, patient), v1::DECISION_OUTCOME_DENIED);

  v1::Consent consent;
  grpc::Status s = RecordConsent(replicas.Channel(0, "dr-rivera"),
                                 PtConsent(patient), "follow-1", &consent);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // GetConsent and ListConsents catch up before they answer: the caller
  // reads its own change at once through the other replica.
  auto consents = v1::ConsentService::NewStub(replicas.Channel(1, "dr-rivera"));
  v1::GetConsentRequest get;
  get.set_consent_id(consent.consent_id());
  v1::Consent got;
  s = consents->GetConsent(Ctx().get(), get, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(got.has_revoked_at());
  v1::ListConsentsRequest list;
  list.set_patient_id(patient);
  v1::ListConsentsResponse listed;
  s = consents->ListConsents(Ctx().get(), list, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.consents_size(), 1);
  EXPECT_EQ(listed.consents(0).consent_id(), consent.consent_id());
  std::optional<absl::Duration> permitted = TimeUntil(
      replicas, 1, patient, v1::DECISION_OUTCOME_PERMITTED, absl::Seconds(5));
  ASSERT_TRUE(permitted.has_value())
      << "replica 1 never saw the consent recorded through replica 0";

  v1::Consent revoked;
  s = RevokeConsent(replicas.Channel(0, "dr-rivera"), consent.consent_id(),
                    &revoked);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::optional<absl::Duration> denied = TimeUntil(
      replicas, 1, patient, v1::DECISION_OUTCOME_DENIED, absl::Seconds(5));
  ASSERT_TRUE(denied.has_value())
      << "replica 1 still permits after the revocation on replica 0";

  // GetConsent on replica 1 shows the revocation too.
  s = consents->GetConsent(Ctx().get(), get, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(got.has_revoked_at());
  std::printf("replica 1 followed the record in %s and the revocation in %s\n",
              absl::FormatDuration(*permitted).c_str(),
              absl::FormatDuration(*denied).c_str());
}

}  // namespace
}  // namespace caregate::replicas
