#include "services/push/retry_policy.h"

#include <algorithm>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"

namespace caregate::push {
namespace {

// Doublings beyond this always reach max_backoff (<= 24h, from >= 1ns).
constexpr int kMaxDoublings = 50;

double DefaultUniform() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

RetryPolicy::RetryPolicy(const DeliveryPolicyConfig& policy,
                         UniformSource uniform)
    : policy_(policy),
      uniform_(uniform ? std::move(uniform) : UniformSource(DefaultUniform)) {}

absl::Duration RetryPolicy::Ceiling(int failed_attempts) const {
  const int doublings = std::clamp(failed_attempts - 1, 0, kMaxDoublings);
  const absl::Duration ceiling =
      policy_.initial_backoff * static_cast<int64_t>(int64_t{1} << doublings);
  return std::min(ceiling, policy_.max_backoff);
}

absl::Duration RetryPolicy::Delay(int failed_attempts) const {
  const absl::Duration ceiling = Ceiling(failed_attempts);
  const absl::Duration floor = std::min(kMinDelay, ceiling);
  const double u = std::clamp(uniform_(), 0.0, 1.0);
  return floor + (ceiling - floor) * u;
}

bool RetryPolicy::WithinMaxAge(absl::Time created_at, absl::Time now) const {
  return now - created_at < policy_.max_age;
}

RetryPolicy::Decision RetryPolicy::AfterRetryableFailure(int attempts_made,
                                                         absl::Time created_at,
                                                         absl::Time now) const {
  Decision decision;
  if (attempts_made >= policy_.max_attempts) {
    decision.give_up = true;
    decision.reason =
        absl::StrCat("gave up after ", attempts_made,
                     " attempts (max_attempts ", policy_.max_attempts, ")");
    return decision;
  }
  if (!WithinMaxAge(created_at, now)) {
    decision.give_up = true;
    decision.reason = absl::StrCat("gave up: older than max_age ",
                                   absl::FormatDuration(policy_.max_age));
    return decision;
  }
  decision.next_attempt_at =
      std::min(now + Delay(attempts_made), created_at + policy_.max_age);
  return decision;
}

}  // namespace caregate::push
