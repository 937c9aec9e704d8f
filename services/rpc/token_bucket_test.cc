#include "services/rpc/token_bucket.h"

#include "gtest/gtest.h"

namespace caregate {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1800000000);

TEST(TokenBucketTest, StartsFullThenRefusesWithRetryDelay) {
  TokenBucket bucket(/*rate=*/2, /*burst=*/3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.TryTake(kT0)) << i;
  absl::Duration retry;
  EXPECT_FALSE(bucket.TryTake(kT0, &retry));
  EXPECT_EQ(retry, absl::Milliseconds(500));
}

TEST(TokenBucketTest, RefillsAtTheRateUpToTheBurst) {
  TokenBucket bucket(/*rate=*/10, /*burst=*/2);
  EXPECT_TRUE(bucket.TryTake(kT0));
  EXPECT_TRUE(bucket.TryTake(kT0));
  EXPECT_FALSE(bucket.TryTake(kT0));
  EXPECT_TRUE(bucket.TryTake(kT0 + absl::Milliseconds(100)));
  EXPECT_FALSE(bucket.TryTake(kT0 + absl::Milliseconds(100)));
  // A long pause refills only up to the burst.
  const absl::Time later = kT0 + absl::Hours(1);
  EXPECT_TRUE(bucket.TryTake(later));
  EXPECT_TRUE(bucket.TryTake(later));
  EXPECT_FALSE(bucket.TryTake(later));
}

TEST(TokenBucketTest, TimeGoingBackwardsAddsNothing) {
  TokenBucket bucket(/*rate=*/1, /*burst=*/1);
  EXPECT_TRUE(bucket.TryTake(kT0));
  EXPECT_FALSE(bucket.TryTake(kT0 - absl::Seconds(30)));
  EXPECT_FALSE(bucket.TryTake(kT0 + absl::Milliseconds(500)));
  EXPECT_TRUE(bucket.TryTake(kT0 + absl::Seconds(1)));
}

}  // namespace
}  // namespace caregate
