#include "services/push/push_transport.h"

#include <algorithm>
#include <utility>

namespace caregate::push {

std::string_view OutcomeName(PushResult::Outcome outcome) {
  switch (outcome) {
    case PushResult::Outcome::kDelivered:
      return "DELIVERED";
    case PushResult::Outcome::kRetry:
      return "RETRY";
    case PushResult::Outcome::kFailed:
      return "FAILED";
  }
  return "UNKNOWN";
}

PushTransport::PushTransport(std::string endpoint, int max_in_flight)
    : endpoint_(std::move(endpoint)),
      max_in_flight_(std::max(1, max_in_flight)) {}

bool PushTransport::TryDeliver(const v1::Message& message, int attempt,
                               PushCallback done) {
  int current = in_flight_.load(std::memory_order_relaxed);
  do {
    if (current >= max_in_flight_) return false;
  } while (!in_flight_.compare_exchange_weak(current, current + 1,
                                             std::memory_order_acq_rel));
  Start(message, attempt, [this, done = std::move(done)](PushResult result) {
    in_flight_.fetch_sub(1, std::memory_order_acq_rel);
    done(std::move(result));
  });
  return true;
}

}  // namespace caregate::push
