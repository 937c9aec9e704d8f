#include "services/delivery/push_dispatcher.h"

#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/inbox/inbox_test_support.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::InboxFixture;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// A transport whose attempts stay in flight until the test finishes them,
// from the test's thread (never the dispatcher's).
class ManualTransport final : public push::PushTransport {
 public:
  explicit ManualTransport(int max_in_flight)
      : PushTransport("manual:0", max_in_flight) {}
  ~ManualTransport() override {
    while (WaitForAttempts(1, absl::ZeroDuration())) {
      Finish({.outcome = push::PushResult::Outcome::kRetry,
              .error = "CANCELLED: shutting down"});
    }
  }

  struct Attempt {
    std::string message_id;
    int attempt;
  };

  // True once `count` attempts are waiting to be finished.
  bool WaitForAttempts(size_t count, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return pending_.size() >= count;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }
  // Finishes the oldest waiting attempt with `result`.
  void Finish(push::PushResult result) {
    push::PushCallback done;
    {
      absl::MutexLock lock(&mu_);
      if (pending_.empty()) return;
      done = std::move(pending_.front().done);
      pending_.pop_front();
    }
    done(std::move(result));
  }
  std::vector<Attempt> started() const {
    absl::MutexLock lock(&mu_);
    return started_;
  }

 protected:
  void Start(const v1::Message& message, int attempt,
             push::PushCallback done) override {
    absl::MutexLock lock(&mu_);
    started_.push_back({message.message_id(), attempt});
    pending_.push_back({message.message_id(), std::move(done)});
  }

 private:
  struct Pending {
    std::string message_id;
    push::PushCallback done;
  };
  mutable absl::Mutex mu_;
  std::deque<Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::vector<Attempt> started_ ABSL_GUARDED_BY(mu_);
};

push::PushResult Delivered(bool acknowledged) {
  return {.outcome = push::PushResult::Outcome::kDelivered,
          .acknowledged = acknowledged,
          .received_at = absl::FromUnixSeconds(1700000100)};
}

class PushDispatcherTest : public InboxFixture {
 protected:
  void TearDown() override {
    if (dispatcher_ != nullptr) dispatcher_->Stop();
    transport_.reset();
    dispatcher_.reset();
    InboxFixture::TearDown();
  }

  // 2 s between attempts, 3 attempts.
  static DeliveryPolicyConfig ShortPolicy() {
    DeliveryPolicyConfig policy;
    policy.initial_backoff = absl::Seconds(2);
    policy.max_backoff = absl::Seconds(2);
    policy.max_attempts = 3;
    return policy;
  }

  // The retry policy draws 0.99 of the way up to its ceiling.
  void StartDispatcher(int max_in_flight = 4,
                       DeliveryPolicyConfig policy = ShortPolicy()) {
    if (transport_ == nullptr) {
      transport_ = std::make_unique<ManualTransport>(max_in_flight);
    }
    retry_ = std::make_unique<push::RetryPolicy>(policy, [] { return 0.99; });
    auto dispatcher =
        PushDispatcher::Create({store_.get(), ledger_.get(), cipher_.get(),
                                nullptr, &clock_, retry_.get()},
                               {{kClinicOrg, transport_.get()}},
                               {.poll_interval = absl::Milliseconds(5)});
    CG_ASSERT_OK(dispatcher);
    dispatcher_ = *std::move(dispatcher);
  }

  // Waits until the stored message is in `state` with `attempts` attempts.
  bool WaitForState(const std::string& id, v1::DeliveryState state,
                    int attempts) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      auto row = store_->GetMessage(id);
      if (row.ok() && row->has_value() && (*row)->state == state &&
          (*row)->delivery_attempts == attempts) {
        return true;
      }
      absl::SleepFor(absl::Milliseconds(2));
    }
    return false;
  }

  std::unique_ptr<ManualTransport> transport_;
  std::unique_ptr<push::RetryPolicy> retry_;
  std::unique_ptr<PushDispatcher> dispatcher_;
};

TEST_F(PushDispatcherTest, DueMessageIsPushedAndAcknowledged) {
  AddMessage(1, kClinicOrg, 10);
  StartDispatcher();
  ASSERT_TRUE(transport_->WaitForAttempts(1, absl::Seconds(10)));
  transport_->Finish(Delivered(/*acknowledged=*/true));
  ASSERT_TRUE(WaitForState("msg-1", v1::DELIVERY_STATE_ACKNOWLEDGED, 1));
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_MESSAGE_DELIVERED), SizeIs(1));
  ASSERT_THAT(transport_->started(), SizeIs(1));
  EXPECT_EQ(transport_->started()[0].message_id, "msg-1");
  EXPECT_EQ(transport_->started()[0].attempt, 1);
}

TEST_F(PushDispatcherTest, PullClinicsMessagesAreNeverPushed) {
  AddMessage(1, kOtherClinicOrg, 10);
  AddMessage(2, kClinicOrg, 11);
  StartDispatcher();
  ASSERT_TRUE(transport_->WaitForAttempts(1, absl::Seconds(10)));
  transport_->Finish(Delivered(false));
  ASSERT_TRUE(WaitForState("msg-2", v1::DELIVERY_STATE_DELIVERED, 1));
  ASSERT_THAT(transport_->started(), SizeIs(1));
  EXPECT_EQ(transport_->started()[0].message_id, "msg-2");
  auto pulled = store_->GetMessage("msg-1");
  CG_ASSERT_OK(pulled);
  EXPECT_EQ((*pulled)->state, v1::DELIVERY_STATE_QUEUED);
  EXPECT_EQ((*pulled)->delivery_attempts, 0);
}

TEST_F(PushDispatcherTest, RetryWaitsForItsTimeThenTriesAgain) {
  AddMessage(1, kClinicOrg, 10);
  StartDispatcher();
  ASSERT_TRUE(transport_->WaitForAttempts(1, absl::Seconds(10)));
  transport_->Finish(
      {.outcome = push::PushResult::Outcome::kRetry, .error = "HTTP 503"});
  ASSERT_TRUE(WaitForState("msg-1", v1::DELIVERY_STATE_QUEUED, 1));
  auto row = store_->GetMessage("msg-1");
  CG_ASSERT_OK(row);
  EXPECT_EQ((*row)->last_delivery_error, "HTTP 503");
  ASSERT_TRUE((*row)->next_attempt_at.has_value());
  EXPECT_GT(*(*row)->next_attempt_at, clock_.Now());
  // Not due yet: no second attempt however often the dispatcher looks.
  EXPECT_FALSE(transport_->WaitForAttempts(1, absl::Milliseconds(50)));
  clock_.Set(*(*row)->next_attempt_at);
  ASSERT_TRUE(transport_->WaitForAttempts(1, absl::Seconds(10)));
  transport_->Finish(Delivered(false));
  ASSERT_TRUE(WaitForState("msg-1", v1::DELIVERY_STATE_DELIVERED, 2));
  ASSERT_THAT(transport_->started(), SizeIs(2));
  EXPECT_EQ(transport_->started()[1].attempt, 2);
}

// The endpoint fails the first three attempts; the fourth delivers, and each
// wait is the backoff's draw below a ceiling that doubles (1 s, 2 s, 4 s).
TEST_F(PushDispatcherTest, FourthAttemptDeliversAfterBackoffsThatDouble) {
  DeliveryPolicyConfig policy;
  policy.initial_backoff = absl::Seconds(1);
  policy.max_backoff = absl::Seconds(60);
  policy.max_attempts = 10;
  AddMessage(1, kClinicOrg, 10);
  StartDispatcher(4, policy);
  std::vector<absl::Duration> waits;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_TRUE(transport_->WaitForAttempts(1, absl::Seconds(10)));
    const absl::Time failed_at = clock_.Now();
    transport_->Finish(
        {.outcome = push::PushResult::Outcome::kRetry, .error = "HTTP 503"});
    ASSERT_TRUE(WaitForState("msg-1", v1::DELIVERY_STATE_QUEUED, attempt));
    auto row = store_->GetMessage("msg-1");
    CG_ASSERT_OK(row);
    ASSERT_TRUE((*row)->next_attempt_at.has_value());
    waits.push_back(*(*row)->next_attempt_at - failed_at);
    // Not due before its time.
    EXPECT_FALSE(transport_->WaitForAttempts(1, absl::Milliseconds(20)));
    clock_.Set(*(*row)->next_attempt_at);
  }
  ASSERT_TRUE(transport_->WaitForAttempts(1, absl::Seconds(10)));
  transport_->Finish(Delivered(true));
  ASSERT_TRUE(WaitForState("msg-1", v1::DELIVERY_STATE_ACKNOWLEDGED, 4));
  ASSERT_THAT(transport_->started(), SizeIs(4));
  EXPECT_EQ(transport_->started()[3].attempt, 4);
  ASSERT_THAT(waits, SizeIs(3));
  for (size_t i = 0; i < waits.size(); ++i) {
    const absl::Duration ceiling = absl::Seconds(1 << i);
    EXPECT_GT(waits[i], ceiling * 0.95) << "wait " << i;
    EXPECT_LE(waits[i], ceiling) << "wait " << i;
  }
}

TEST_F(PushDispatcherTest, RunningPastMaxAttemptsFailsAndAudits) {
  AddMessage(1, kClinicOrg, 10);
  StartDispatcher();
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_TRUE(transport_->WaitForAttempts(1, absl::Seconds(10)));
    transport_->Finish({.outcome = push::PushResult::Outcome::kRetry,
                        .error = "UNAVAILABLE: connection refused"});
    clock_.Set(clock_.Now() + absl::Seconds(3));
  }
  ASSERT_TRUE(WaitForState("msg-1", v1::DELIVERY_STATE_FAILED, 3));
  std::vector<AuditEvent> failed = EventsOf(v1::AUDIT_ACTION_DELIVERY_FAILED);
  ASSERT_THAT(failed, SizeIs(1));
  EXPECT_THAT(failed[0].detail, ::testing::HasSubstr("3 attempts"));
}

TEST_F(PushDispatcherTest, WithheldMessageIsNeverPushed) {
  AddMessage(1, kClinicOrg, 10);
  AddMessage(2, kClinicOrg, 11);
  CG_ASSERT_OK(Run([](LedgerTxn& txn) {
    return txn.store().WithholdPendingMessages("cns-1").status();
  }));
  AddMessage(3, kClinicOrg, 12);
  StartDispatcher();
  ASSERT_TRUE(transport_->WaitForAttempts(1, absl::Seconds(10)));
  transport_->Finish(Delivered(false));
  ASSERT_TRUE(WaitForState("msg-3", v1::DELIVERY_STATE_DELIVERED, 1));
  ASSERT_THAT(transport_->started(), SizeIs(1));
  EXPECT_EQ(transport_->started()[0].message_id, "msg-3");
}

TEST_F(PushDispatcherTest, FullTransportTakesTheNextMessageWhenASlotFrees) {
  AddMessage(1, kClinicOrg, 10);
  AddMessage(2, kClinicOrg, 11);
  StartDispatcher(/*max_in_flight=*/1);
  ASSERT_TRUE(transport_->WaitForAttempts(1, absl::Seconds(10)));
  EXPECT_FALSE(transport_->WaitForAttempts(2, absl::Milliseconds(50)));
  transport_->Finish(Delivered(false));
  ASSERT_TRUE(transport_->WaitForAttempts(1, absl::Seconds(10)));
  transport_->Finish(Delivered(false));
  ASSERT_TRUE(WaitForState("msg-2", v1::DELIVERY_STATE_DELIVERED, 1));
  ASSERT_THAT(transport_->started(), SizeIs(2));
  EXPECT_EQ(transport_->started()[0].message_id, "msg-1");
  EXPECT_EQ(transport_->started()[1].message_id, "msg-2");
}

TEST_F(PushDispatcherTest, RestartResumesAMessageWhoseRetryIsDue) {
  AddMessage(1, kClinicOrg, 10);
  StartDispatcher();
  ASSERT_TRUE(transport_->WaitForAttempts(1, absl::Seconds(10)));
  transport_->Finish(
      {.outcome = push::PushResult::Outcome::kRetry, .error = "HTTP 503"});
  ASSERT_TRUE(WaitForState("msg-1", v1::DELIVERY_STATE_QUEUED, 1));
  dispatcher_->Stop();
  transport_.reset();
  dispatcher_.reset();

  clock_.Set(clock_.Now() + absl::Seconds(3));
  StartDispatcher();
  ASSERT_TRUE(transport_->WaitForAttempts(1, absl::Seconds(10)));
  transport_->Finish(Delivered(true));
  ASSERT_TRUE(WaitForState("msg-1", v1::DELIVERY_STATE_ACKNOWLEDGED, 2));
  ASSERT_THAT(transport_->started(), SizeIs(1));
  EXPECT_EQ(transport_->started()[0].attempt, 2);
}

TEST_F(PushDispatcherTest, MissingDependencyIsInvalidArgument) {
  EXPECT_THAT(PushDispatcher::Create({}, {}, {}),
              ::caregate::testing::StatusIs(
                  absl::StatusCode::kInvalidArgument,
                  ::testing::HasSubstr("missing dependency")));
}

}  // namespace
}  // namespace caregate
