#include "services/push/retry_policy.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate::push {
namespace {

using ::testing::HasSubstr;

DeliveryPolicyConfig Policy() {
  DeliveryPolicyConfig policy;
  policy.initial_backoff = absl::Seconds(1);
  policy.max_backoff = absl::Seconds(60);
  policy.max_attempts = 10;
  policy.max_age = absl::Hours(1);
  return policy;
}

// A random source that returns `value` every time.
RetryPolicy::UniformSource Fixed(double value) {
  return [value] { return value; };
}

TEST(RetryPolicyTest, CeilingDoublesFromInitialBackoffUpToMaxBackoff) {
  RetryPolicy policy(Policy(), Fixed(0));
  const std::vector<std::pair<int, absl::Duration>> cases = {
      {1, absl::Seconds(1)},    {2, absl::Seconds(2)},
      {3, absl::Seconds(4)},    {4, absl::Seconds(8)},
      {5, absl::Seconds(16)},   {6, absl::Seconds(32)},
      {7, absl::Seconds(60)},   {8, absl::Seconds(60)},
      {100, absl::Seconds(60)}, {1 << 30, absl::Seconds(60)}};
  for (const auto& [failed, ceiling] : cases) {
    EXPECT_EQ(policy.Ceiling(failed), ceiling) << failed;
  }
}

TEST(RetryPolicyTest, DelayIsAUniformDrawBetweenTheFloorAndTheCeiling) {
  RetryPolicy low(Policy(), Fixed(0.0));
  RetryPolicy mid(Policy(), Fixed(0.5));
  RetryPolicy high(Policy(), Fixed(0.999999));
  for (int failed = 1; failed <= 12; ++failed) {
    const absl::Duration ceiling = low.Ceiling(failed);
    EXPECT_EQ(low.Delay(failed), RetryPolicy::kMinDelay) << failed;
    EXPECT_EQ(mid.Delay(failed),
              RetryPolicy::kMinDelay + (ceiling - RetryPolicy::kMinDelay) / 2)
        << failed;
    EXPECT_LE(high.Delay(failed), ceiling) << failed;
    EXPECT_GT(high.Delay(failed), ceiling - absl::Milliseconds(1)) << failed;
  }
}

TEST(RetryPolicyTest, FloorNeverExceedsATinyCeiling) {
  DeliveryPolicyConfig config = Policy();
  config.initial_backoff = absl::Milliseconds(5);
  RetryPolicy policy(config, Fixed(0.0));
  EXPECT_EQ(policy.Delay(1), absl::Milliseconds(5));
  EXPECT_EQ(policy.Delay(2), absl::Milliseconds(10));
  EXPECT_EQ(policy.Delay(3), RetryPolicy::kMinDelay);
}

TEST(RetryPolicyTest, DefaultSourceStaysWithinBoundsAndVaries) {
  RetryPolicy policy(Policy());
  absl::Duration smallest = absl::InfiniteDuration();
  absl::Duration largest = absl::ZeroDuration();
  for (int i = 0; i < 1000; ++i) {
    const absl::Duration delay = policy.Delay(4);
    ASSERT_GE(delay, RetryPolicy::kMinDelay);
    ASSERT_LE(delay, absl::Seconds(8));
    smallest = std::min(smallest, delay);
    largest = std::max(largest, delay);
  }
  // 1000 uniform draws over ~8s: the extremes are far apart.
  EXPECT_LT(smallest, absl::Seconds(1));
  EXPECT_GT(largest, absl::Seconds(7));
}

TEST(RetryPolicyTest, RetriesUntilMaxAttemptsThenGivesUp) {
  RetryPolicy policy(Policy(), Fixed(0.5));
  const absl::Time created = absl::FromUnixSeconds(1700000000);
  const absl::Time now = created + absl::Minutes(1);
  for (int attempts = 1; attempts < 10; ++attempts) {
    RetryPolicy::Decision d =
        policy.AfterRetryableFailure(attempts, created, now);
    EXPECT_FALSE(d.give_up) << attempts;
    EXPECT_EQ(d.next_attempt_at, now + policy.Delay(attempts)) << attempts;
  }
  RetryPolicy::Decision last = policy.AfterRetryableFailure(10, created, now);
  EXPECT_TRUE(last.give_up);
  EXPECT_THAT(last.reason, HasSubstr("gave up after 10 attempts"));
}

TEST(RetryPolicyTest, GivesUpOnceMaxAgeHasPassed) {
  RetryPolicy policy(Policy(), Fixed(0.5));
  const absl::Time created = absl::FromUnixSeconds(1700000000);
  EXPECT_TRUE(policy.WithinMaxAge(created, created + absl::Minutes(59)));
  EXPECT_FALSE(policy.WithinMaxAge(created, created + absl::Hours(1)));
  RetryPolicy::Decision d =
      policy.AfterRetryableFailure(2, created, created + absl::Hours(1));
  EXPECT_TRUE(d.give_up);
  EXPECT_THAT(d.reason, HasSubstr("older than max_age 1h"));
}

TEST(RetryPolicyTest, LastRetryIsMovedToTheMaxAgeDeadline) {
  RetryPolicy policy(Policy(), Fixed(0.999));
  const absl::Time created = absl::FromUnixSeconds(1700000000);
  const absl::Time now = created + absl::Minutes(59) + absl::Seconds(50);
  RetryPolicy::Decision d = policy.AfterRetryableFailure(8, created, now);
  ASSERT_FALSE(d.give_up);
  EXPECT_EQ(d.next_attempt_at, created + absl::Hours(1));
  EXPECT_TRUE(policy
                  .AfterRetryableFailure(9, created,
                                         d.next_attempt_at + absl::Seconds(1))
                  .give_up);
}

TEST(RetryPolicyTest, ConfiguredDefaultsGiveTheDocumentedSchedule) {
  RetryPolicy policy(DeliveryPolicyConfig{}, Fixed(0.999999));
  EXPECT_EQ(policy.Ceiling(1), absl::Seconds(1));
  EXPECT_EQ(policy.Ceiling(9), absl::Seconds(256));
  EXPECT_EQ(policy.Ceiling(10), absl::Minutes(5));
  EXPECT_EQ(policy.policy().max_attempts, 2000);
}

}  // namespace
}  // namespace caregate::push
