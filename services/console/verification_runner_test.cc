#include "services/console/verification_runner.h"

#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate::console {
namespace {

absl::Time FixedNow() { return absl::FromUnixSeconds(1780000000); }

// A gateway whose VerifyAuditLog holds until released (when `hold` is set)
// and counts its calls. Only VerifyAuditLog is used.
class HeldGateway final : public ConsoleGateway {
 public:
  absl::StatusOr<v1::VerifyAuditLogResponse> VerifyAuditLog(
      const v1::VerifyAuditLogRequest&) override {
    int call = 0;
    {
      absl::MutexLock lock(&mu);
      call = ++calls;
    }
    if (hold) {
      entered.Notify();
      release.WaitForNotification();
    }
    if (!refusal.ok()) return refusal;
    v1::VerifyAuditLogResponse r;
    r.set_ok(true);
    r.set_verified_through_seq(1000 + call);
    return r;
  }
  int Calls() {
    absl::MutexLock lock(&mu);
    return calls;
  }

  absl::StatusOr<v1::QueryAuditEventsResponse> QueryAuditEvents(
      const v1::QueryAuditEventsRequest&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<v1::Checkpoint> GetCheckpoint() override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<v1::GetAccountingOfDisclosuresResponse>
  GetAccountingOfDisclosures(
      const v1::GetAccountingOfDisclosuresRequest&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<v1::SummarizeAuditEventsResponse> SummarizeAuditEvents(
      const v1::SummarizeAuditEventsRequest&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<v1::ListConsentsResponse> ListConsents(
      const v1::ListConsentsRequest&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<v1::ListDeliveriesResponse> ListDeliveries(
      const v1::ListDeliveriesRequest&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<v1::RetryDeliveryResponse> RetryDelivery(
      const v1::RetryDeliveryRequest&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::string> ExportAuditLogJson() override {
    return absl::UnimplementedError("");
  }

  bool hold = false;
  absl::Status refusal;
  absl::Notification entered;
  absl::Notification release;
  absl::Mutex mu;
  int calls ABSL_GUARDED_BY(mu) = 0;
};

TEST(VerificationRunnerTest, NothingRunsUntilStarted) {
  HeldGateway gateway;
  VerificationRunner runner(&gateway, &FixedNow);
  const VerificationRunner::State state = runner.Current();
  EXPECT_FALSE(state.running);
  EXPECT_FALSE(state.last.has_value());
  EXPECT_EQ(gateway.Calls(), 0);
}

TEST(VerificationRunnerTest, AQuickRunAnswersWithinTheWait) {
  HeldGateway gateway;
  VerificationRunner runner(&gateway, &FixedNow);
  const VerificationRunner::State state =
      runner.Start(absl::InfiniteDuration());
  EXPECT_FALSE(state.running);
  ASSERT_TRUE(state.last.has_value());
  EXPECT_EQ(state.last->number, 1);
  EXPECT_EQ(state.last->started, FixedNow());
  EXPECT_EQ(state.last->finished, FixedNow());
  ASSERT_TRUE(state.last->response.ok());
  EXPECT_EQ(state.last->response->verified_through_seq(), 1001);
}

// Each Start() after a completed run asks the gateway again: no result
// stands in for a new verification.
TEST(VerificationRunnerTest, EveryStartAfterARunVerifiesAgain) {
  HeldGateway gateway;
  VerificationRunner runner(&gateway, &FixedNow);
  runner.Start(absl::InfiniteDuration());
  const VerificationRunner::State second =
      runner.Start(absl::InfiniteDuration());
  EXPECT_EQ(gateway.Calls(), 2);
  EXPECT_EQ(second.last->number, 2);
  EXPECT_EQ(second.last->response->verified_through_seq(), 1002);
}

TEST(VerificationRunnerTest, ALongRunIsJoinedNotRepeated) {
  HeldGateway gateway;
  gateway.hold = true;
  VerificationRunner runner(&gateway, &FixedNow);
  const VerificationRunner::State first = runner.Start(absl::ZeroDuration());
  EXPECT_TRUE(first.running);
  EXPECT_EQ(first.running_since, FixedNow());
  EXPECT_FALSE(first.last.has_value());
  gateway.entered.WaitForNotification();
  // A second Start while the first run holds joins it.
  const VerificationRunner::State again = runner.Start(absl::ZeroDuration());
  EXPECT_TRUE(again.running);
  EXPECT_TRUE(runner.Current().running);
  gateway.release.Notify();
  const VerificationRunner::State done =
      runner.Current(absl::InfiniteDuration());
  EXPECT_FALSE(done.running);
  ASSERT_TRUE(done.last.has_value());
  EXPECT_EQ(done.last->number, 1);
  EXPECT_EQ(gateway.Calls(), 1);
}

TEST(VerificationRunnerTest, KeepsTheGatewaysRefusal) {
  HeldGateway gateway;
  gateway.refusal = absl::PermissionDeniedError("role ROLE_THERAPIST");
  VerificationRunner runner(&gateway, &FixedNow);
  const VerificationRunner::State state =
      runner.Start(absl::InfiniteDuration());
  ASSERT_TRUE(state.last.has_value());
  EXPECT_EQ(state.last->response.status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(VerificationRunnerTest, DestructionWaitsForTheRunInProgress) {
  HeldGateway gateway;
  gateway.hold = true;
  {
    VerificationRunner runner(&gateway, &FixedNow);
    runner.Start(absl::ZeroDuration());
    gateway.entered.WaitForNotification();
    gateway.release.Notify();
  }
  EXPECT_EQ(gateway.Calls(), 1);
}

}  // namespace
}  // namespace caregate::console
