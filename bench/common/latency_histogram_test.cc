#include "bench/common/latency_histogram.h"

#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace caregate::bench {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.Percentile(50), 0u);
  EXPECT_EQ(h.Percentile(99), 0u);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
  EXPECT_EQ(h.Percentile(50), 50u);
  EXPECT_EQ(h.Percentile(90), 90u);
  EXPECT_EQ(h.Percentile(99), 99u);
  EXPECT_EQ(h.Percentile(100), 100u);
  EXPECT_EQ(h.Percentile(0), 1u);
}

TEST(LatencyHistogramTest, BucketsTileTheWholeRangeWithoutGaps) {
  EXPECT_EQ(LatencyHistogram::BucketLow(0), 0u);
  for (int i = 1; i < LatencyHistogram::kBucketCount; ++i) {
    ASSERT_EQ(LatencyHistogram::BucketLow(i),
              LatencyHistogram::BucketHigh(i - 1) + 1)
        << "bucket " << i;
  }
  EXPECT_EQ(LatencyHistogram::BucketHigh(LatencyHistogram::kBucketCount - 1),
            std::numeric_limits<uint64_t>::max());
}

TEST(LatencyHistogramTest, ValuesLandInTheirBucket) {
  for (uint64_t v :
       {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{129}, uint64_t{255},
        uint64_t{256}, uint64_t{1'000'000}, uint64_t{123'456'789'012},
        std::numeric_limits<uint64_t>::max()}) {
    const int i = LatencyHistogram::BucketIndex(v);
    ASSERT_GE(i, 0);
    ASSERT_LT(i, LatencyHistogram::kBucketCount);
    EXPECT_LE(LatencyHistogram::BucketLow(i), v) << v;
    EXPECT_GE(LatencyHistogram::BucketHigh(i), v) << v;
  }
}

TEST(LatencyHistogramTest, BucketsAreNarrowerThanOneSixtyFourthOfTheirValues) {
  for (int i = 128; i < LatencyHistogram::kBucketCount; ++i) {
    const uint64_t low = LatencyHistogram::BucketLow(i);
    const uint64_t width = LatencyHistogram::BucketHigh(i) - low + 1;
    ASSERT_LE(width * 64, low) << "bucket " << i;
  }
}

TEST(LatencyHistogramTest, PercentilesOfLargeValuesAreWithinOnePercent) {
  LatencyHistogram h;
  // 1..10000 microseconds, in nanoseconds.
  for (uint64_t us = 1; us <= 10'000; ++us) h.Record(us * 1000);
  EXPECT_NEAR(static_cast<double>(h.Percentile(50)), 5'000'000, 50'000);
  EXPECT_NEAR(static_cast<double>(h.Percentile(90)), 9'000'000, 90'000);
  EXPECT_NEAR(static_cast<double>(h.Percentile(99)), 9'900'000, 99'000);
  EXPECT_EQ(h.Percentile(100), 10'000'000u);
  EXPECT_EQ(h.max(), 10'000'000u);
  EXPECT_EQ(h.min(), 1'000u);
}

TEST(LatencyHistogramTest, OutlierShowsInHighPercentilesOnly) {
  LatencyHistogram h;
  for (int i = 0; i < 999; ++i) h.Record(2'000);
  h.Record(50'000'000);
  EXPECT_NEAR(static_cast<double>(h.Percentile(99)), 2'000, 20);
  EXPECT_EQ(h.Percentile(100), 50'000'000u);
  EXPECT_EQ(h.max(), 50'000'000u);
}

TEST(LatencyHistogramTest, MergeAddsCountsAndExtremes) {
  LatencyHistogram a, b;
  a.Record(10);
  a.Record(20);
  b.Record(5);
  b.Record(1'000'000);
  a.Merge(b);
  EXPECT_EQ(a.count(), 4u);
  EXPECT_EQ(a.min(), 5u);
  EXPECT_EQ(a.max(), 1'000'000u);
  EXPECT_DOUBLE_EQ(a.mean(), (10 + 20 + 5 + 1'000'000) / 4.0);
  EXPECT_EQ(a.Percentile(50), 10u);
}

TEST(LatencyHistogramTest, ResetForgetsEverything) {
  LatencyHistogram h;
  h.Record(42);
  h.Reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.min(), 0u);
  h.Record(7);
  EXPECT_EQ(h.Percentile(50), 7u);
}

TEST(LatencyHistogramTest, ConcurrentRecordsAreAllCounted) {
  LatencyHistogram h;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < kPerThread; ++i) h.Record(1000 + t);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(h.count(), uint64_t{kThreads * kPerThread});
  EXPECT_EQ(h.min(), 1000u);
  EXPECT_EQ(h.max(), 1003u);
}

}  // namespace
}  // namespace caregate::bench
