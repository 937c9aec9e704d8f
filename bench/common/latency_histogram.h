// LatencyHistogram: a fixed-size log-linear histogram of non-negative values
// (the benchmarks record nanoseconds), for percentiles without keeping
// samples.
//
// Buckets: values 0..127 each have their own bucket (exact); above that every
// power of two [2^m, 2^(m+1)) is split into 64 equal buckets, so a bucket is
// at most 1/64 of its values wide. A percentile is reported as the midpoint
// of the bucket holding it (clamped to the exact min and max), i.e. within
// 0.8% of the true sample. 3,776 buckets cover the whole uint64 range, so
// nothing is ever out of range.
//
// Thread-safe: Record() is lock-free (relaxed atomic increments) and may be
// called from any number of threads at once; readers (count, Percentile, ...)
// may run concurrently but see a consistent picture only once the writers
// have stopped. Not copyable; Merge() adds another histogram's counts.
// Nothing here fails.
#ifndef CAREGATE_BENCH_COMMON_LATENCY_HISTOGRAM_H_
#define CAREGATE_BENCH_COMMON_LATENCY_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <cstdint>

namespace caregate::bench {

class LatencyHistogram {
 public:
  // Values below this have a bucket each.
  static constexpr uint64_t kLinearLimit = 128;
  // Buckets per power of two above kLinearLimit.
  static constexpr int kSubBuckets = 64;
  static constexpr int kBucketCount = 128 + (63 - 6) * kSubBuckets;

  LatencyHistogram();
  LatencyHistogram(const LatencyHistogram&) = delete;
  LatencyHistogram& operator=(const LatencyHistogram&) = delete;

  // Records one value. Lock-free.
  void Record(uint64_t value);
  // Adds every count of `other` (which should not be written meanwhile).
  void Merge(const LatencyHistogram& other);
  // Forgets everything recorded.
  void Reset();

  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // 0 when empty.
  uint64_t min() const;
  uint64_t max() const { return max_.load(std::memory_order_relaxed); }
  double mean() const;

  // The value at or below which `percent` (0..100) percent of the recorded
  // values lie: the midpoint of the bucket holding the sample of rank
  // ceil(percent/100 * count), clamped to [min, max]. 0 when empty.
  uint64_t Percentile(double percent) const;

  // The bucket of `value`, and the values a bucket holds: [low, high].
  static int BucketIndex(uint64_t value);
  static uint64_t BucketLow(int index);
  static uint64_t BucketHigh(int index);

 private:
  std::array<std::atomic<uint64_t>, kBucketCount> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> min_;
  std::atomic<uint64_t> max_{0};
};

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_COMMON_LATENCY_HISTOGRAM_H_
