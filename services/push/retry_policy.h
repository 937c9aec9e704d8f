// When to try a push again, and when to give up: exponential backoff with
// full jitter (a uniform draw below a ceiling that doubles with every failed
// attempt, as in "Exponential Backoff And Jitter", AWS Architecture Blog),
// bounded by DeliveryPolicy's max_attempts and max_age.
//
// After attempt n (n >= 1) failed with a retryable outcome, the next attempt
// waits a time drawn uniformly from [min(kMinDelay, c), c], where
//   c = min(max_backoff, initial_backoff * 2^(n-1)),
// so the first retry waits at most initial_backoff and later ones at most
// max_backoff. No attempt is made after max_attempts attempts, nor once
// max_age has passed since the message was created: the last retry is moved
// to that moment if the draw would fall after it.
//
// Pure: no clock (callers pass `now`), no I/O. The random source is
// injectable for tests. Thread-safe when the random source is (the default
// one is).
#ifndef CAREGATE_SERVICES_PUSH_RETRY_POLICY_H_
#define CAREGATE_SERVICES_PUSH_RETRY_POLICY_H_

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "services/config/gateway_config.h"

namespace caregate::push {

class RetryPolicy {
 public:
  // Returns a double uniformly distributed in [0, 1).
  using UniformSource = std::function<double()>;

  // No retry waits less than this (unless the ceiling itself is lower), so a
  // failing endpoint is never called in a tight loop.
  static constexpr absl::Duration kMinDelay = absl::Milliseconds(20);

  // `uniform` null: a thread-safe pseudo-random source.
  explicit RetryPolicy(const DeliveryPolicyConfig& policy,
                       UniformSource uniform = nullptr);

  // The longest wait after `failed_attempts` (>= 1) failed attempts.
  absl::Duration Ceiling(int failed_attempts) const;

  // A wait drawn for the retry after `failed_attempts` failed attempts.
  absl::Duration Delay(int failed_attempts) const;

  // True while a message created at `created_at` is less than max_age old at
  // `now`. Ask it before a message's first attempt (one found only after a
  // long outage is failed untried); after that, AfterRetryableFailure alone
  // decides, so the last retry it schedules at the deadline is made.
  bool WithinMaxAge(absl::Time created_at, absl::Time now) const;

  // What to do after attempt number `attempts_made` failed with a retryable
  // outcome at `now`.
  struct Decision {
    // True: fail the message (max_attempts reached or max_age passed).
    bool give_up = false;
    // !give_up: when to make the next attempt.
    absl::Time next_attempt_at = absl::InfiniteFuture();
    // give_up: why, e.g. "gave up after 20 attempts".
    std::string reason;
  };
  Decision AfterRetryableFailure(int attempts_made, absl::Time created_at,
                                 absl::Time now) const;

  const DeliveryPolicyConfig& policy() const { return policy_; }

 private:
  DeliveryPolicyConfig policy_;
  UniformSource uniform_;
};

}  // namespace caregate::push

#endif  // CAREGATE_SERVICES_PUSH_RETRY_POLICY_H_
