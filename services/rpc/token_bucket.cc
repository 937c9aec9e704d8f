#include "services/rpc/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace caregate {

TokenBucket::TokenBucket(double rate, double burst)
    : rate_(rate), burst_(std::max(1.0, burst)), tokens_(burst_) {}

void TokenBucket::Refill(absl::Time now) {
  if (last_ == absl::InfinitePast() || now <= last_) {
    if (last_ == absl::InfinitePast()) last_ = now;
    return;
  }
  tokens_ = std::min(burst_,
                     tokens_ + absl::ToDoubleSeconds(now - last_) * rate_);
  last_ = now;
}

bool TokenBucket::TryTake(absl::Time now, absl::Duration* retry_after) {
  Refill(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return true;
  }
  if (retry_after != nullptr) {
    const double seconds = (1.0 - tokens_) / rate_;
    *retry_after = absl::Milliseconds(std::ceil(seconds * 1000.0));
  }
  return false;
}

}  // namespace caregate
