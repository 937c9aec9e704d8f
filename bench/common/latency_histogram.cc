#include "bench/common/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace caregate::bench {
namespace {

constexpr int kLinearBits = 7;  // log2(kLinearLimit)
constexpr int kSubBits = 6;     // log2(kSubBuckets)
constexpr uint64_t kNoMin = std::numeric_limits<uint64_t>::max();

void AtomicMin(std::atomic<uint64_t>& target, uint64_t value) {
  uint64_t seen = target.load(std::memory_order_relaxed);
  while (value < seen && !target.compare_exchange_weak(
                             seen, value, std::memory_order_relaxed)) {
  }
}

void AtomicMax(std::atomic<uint64_t>& target, uint64_t value) {
  uint64_t seen = target.load(std::memory_order_relaxed);
  while (value > seen && !target.compare_exchange_weak(
                             seen, value, std::memory_order_relaxed)) {
  }
}

}  // namespace

LatencyHistogram::LatencyHistogram() : min_(kNoMin) {
  for (auto& bucket : buckets_) bucket.store(0, std::memory_order_relaxed);
}

int LatencyHistogram::BucketIndex(uint64_t value) {
  if (value < kLinearLimit) return static_cast<int>(value);
  const int msb = 63 - std::countl_zero(value);  // kLinearBits..63
  const int shift = msb - kSubBits;
  const uint64_t top = value >> shift;  // in [kSubBuckets, 2 * kSubBuckets)
  return static_cast<int>(kLinearLimit) + (msb - kLinearBits) * kSubBuckets +
         static_cast<int>(top - kSubBuckets);
}

uint64_t LatencyHistogram::BucketLow(int index) {
  if (index < static_cast<int>(kLinearLimit)) return index;
  const int k = index - static_cast<int>(kLinearLimit);
  const int msb = kLinearBits + k / kSubBuckets;
  const uint64_t top = kSubBuckets + k % kSubBuckets;
  return top << (msb - kSubBits);
}

uint64_t LatencyHistogram::BucketHigh(int index) {
  if (index < static_cast<int>(kLinearLimit)) return index;
  const int k = index - static_cast<int>(kLinearLimit);
  const int msb = kLinearBits + k / kSubBuckets;
  return BucketLow(index) + ((uint64_t{1} << (msb - kSubBits)) - 1);
}

void LatencyHistogram::Record(uint64_t value) {
  buckets_[BucketIndex(value)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  AtomicMin(min_, value);
  AtomicMax(max_, value);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBucketCount; ++i) {
    const uint64_t n = other.buckets_[i].load(std::memory_order_relaxed);
    if (n != 0) buckets_[i].fetch_add(n, std::memory_order_relaxed);
  }
  count_.fetch_add(other.count(), std::memory_order_relaxed);
  sum_.fetch_add(other.sum_.load(std::memory_order_relaxed),
                 std::memory_order_relaxed);
  AtomicMin(min_, other.min_.load(std::memory_order_relaxed));
  AtomicMax(max_, other.max());
}

void LatencyHistogram::Reset() {
  for (auto& bucket : buckets_) bucket.store(0, std::memory_order_relaxed);
  count_.store(0, std::memory_order_relaxed);
  sum_.store(0, std::memory_order_relaxed);
  min_.store(kNoMin, std::memory_order_relaxed);
  max_.store(0, std::memory_order_relaxed);
}

uint64_t LatencyHistogram::min() const {
  const uint64_t m = min_.load(std::memory_order_relaxed);
  return m == kNoMin ? 0 : m;
}

double LatencyHistogram::mean() const {
  const uint64_t n = count();
  if (n == 0) return 0;
  return static_cast<double>(sum_.load(std::memory_order_relaxed)) /
         static_cast<double>(n);
}

uint64_t LatencyHistogram::Percentile(double percent) const {
  const uint64_t n = count();
  if (n == 0) return 0;
  const double clamped = std::clamp(percent, 0.0, 100.0);
  const uint64_t rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(clamped / 100.0 * n)));
  uint64_t seen = 0;
  for (int i = 0; i < kBucketCount; ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= rank) {
      const uint64_t low = BucketLow(i);
      const uint64_t mid = low + (BucketHigh(i) - low) / 2;
      const uint64_t lo = min(), hi = max();
      // lo > hi only while a writer is midway through Record().
      return lo <= hi ? std::clamp(mid, lo, hi) : mid;
    }
  }
  return max();
}

}  // namespace caregate::bench
