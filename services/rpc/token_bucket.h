// A token bucket: `rate` tokens per second up to `burst`. Plain C++, no
// clock of its own (the caller passes `now`), so tests drive time.
//
// Not thread-safe: guard it with the owner's lock.
#ifndef CAREGATE_SERVICES_RPC_TOKEN_BUCKET_H_
#define CAREGATE_SERVICES_RPC_TOKEN_BUCKET_H_

#include "absl/time/time.h"

namespace caregate {

class TokenBucket {
 public:
  // Starts full. `rate` > 0 tokens per second, `burst` >= 1.
  TokenBucket(double rate, double burst);

  // Takes one token at `now` and returns true, or returns false and sets
  // `*retry_after` (when not null) to how long until a token is there.
  bool TryTake(absl::Time now, absl::Duration* retry_after = nullptr);

 private:
  void Refill(absl::Time now);

  const double rate_;
  const double burst_;
  double tokens_;
  absl::Time last_ = absl::InfinitePast();
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_RPC_TOKEN_BUCKET_H_
