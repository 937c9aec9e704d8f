#include "bench/load/closed_loop.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace caregate::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

class ClosedLoop final : public CallSink {
 public:
  ClosedLoop(Workload& workload, const LoopOptions& options)
      : options_(options),
        op_names_(workload.OpNames()),
        calls_by_op_(op_names_.size()),
        starts_(options.concurrency),
        latency_(std::make_unique<LatencyHistogram>()) {
    for (auto& n : calls_by_op_) n.store(0);
    for (auto& n : errors_by_class_) n.store(0);
    slots_.reserve(options.concurrency);
    for (int i = 0; i < options.concurrency; ++i) {
      slots_.push_back(workload.NewSlot(i, this));
    }
  }

  LoopResult Run() {
    const TimePoint t0 = SteadyClock::now();
    measure_begin_ = t0 + absl::ToChronoNanoseconds(options_.warmup);
    measure_end_ =
        measure_begin_ + absl::ToChronoNanoseconds(options_.duration);
    {
      absl::MutexLock lock(&mu_);
      active_ = options_.concurrency;
    }
    for (int i = 0; i < options_.concurrency; ++i) Launch(i);
    std::thread pacer;
    if (paced()) pacer = std::thread([this, t0] { Pace(t0); });
    if (options_.at_window_begin && !WaitUntil(measure_begin_)) {
      options_.at_window_begin();
    }
    if (options_.at_window_end && !WaitUntil(measure_end_)) {
      options_.at_window_end();
    }
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(&AllRetired, &active_));
    }
    if (pacer.joinable()) pacer.join();
    absl::MutexLock lock(&mu_);
    return Result();
  }

  void OnCallDone(int slot, const CallResult& result) override {
    const TimePoint end = SteadyClock::now();
    if (end >= measure_begin_ && end < measure_end_) Count(slot, end, result);
    Launch(slot);
  }

 private:
  static bool AllRetired(int* active) { return *active == 0; }

  // Waits until `t` or until every slot has retired; true when every slot
  // retired before `t` (the loop ended early).
  bool WaitUntil(TimePoint t) {
    const absl::Time deadline =
        absl::Now() + absl::FromChrono(t - SteadyClock::now());
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithDeadline(absl::Condition(&AllRetired, &active_), deadline);
    return active_ == 0 && last_retire_ < t;
  }

  bool paced() const { return options_.rate > 0; }

  void Launch(int slot) {
    if (paced()) return Park(slot);
    const TimePoint now = SteadyClock::now();
    const int64_t n = next_call_.fetch_add(1, std::memory_order_relaxed);
    if (now >= measure_end_ ||
        (options_.max_calls > 0 && n >= options_.max_calls)) {
      Retire(now);
      return;
    }
    starts_[slot] = now;
    slots_[slot]->Start(n);
  }

  // Open loop: a free slot waits for the pacer, or retires once it is done.
  void Park(int slot) {
    {
      absl::MutexLock lock(&pace_mu_);
      if (!pacing_done_) {
        idle_.push_back(slot);
        return;
      }
    }
    Retire(SteadyClock::now());
  }

  // Starts call n at t0 + n / rate in a free slot, until the window ends or
  // max_calls have started; then retires the slots left idle.
  void Pace(TimePoint t0) {
    const auto interval = std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(1.0 / options_.rate));
    for (int64_t n = 0;; ++n) {
      if (options_.max_calls > 0 && n >= options_.max_calls) break;
      const TimePoint due = t0 + n * interval;
      if (due >= measure_end_) break;
      std::this_thread::sleep_until(due);
      int slot = -1;
      {
        absl::MutexLock lock(&pace_mu_);
        pace_mu_.Await(absl::Condition(&HasIdle, &idle_));
        slot = idle_.front();
        idle_.pop_front();
      }
      const TimePoint now = SteadyClock::now();
      if (now >= measure_end_) {
        absl::MutexLock lock(&pace_mu_);
        idle_.push_back(slot);
        break;
      }
      starts_[slot] = now;
      slots_[slot]->Start(n);
    }
    std::deque<int> left;
    {
      absl::MutexLock lock(&pace_mu_);
      pacing_done_ = true;
      left.swap(idle_);
    }
    for (size_t i = 0; i < left.size(); ++i) Retire(SteadyClock::now());
  }

  static bool HasIdle(std::deque<int>* idle) { return !idle->empty(); }

  void Count(int slot, TimePoint end, const CallResult& result) {
    latency_->Record(static_cast<uint64_t>(
        std::chrono::nanoseconds(end - starts_[slot]).count()));
    calls_.fetch_add(1, std::memory_order_relaxed);
    if (result.op >= 0 && result.op < static_cast<int>(calls_by_op_.size())) {
      calls_by_op_[result.op].fetch_add(1, std::memory_order_relaxed);
    }
    const bool failed =
        result.code != grpc::StatusCode::OK || result.unexpected;
    if (!failed) return;
    errors_.fetch_add(1, std::memory_order_relaxed);
    const int error_class = result.code != grpc::StatusCode::OK
                                ? static_cast<int>(result.code)
                                : kUnexpectedClass;
    if (error_class >= 0 && error_class < kErrorClasses) {
      errors_by_class_[error_class].fetch_add(1, std::memory_order_relaxed);
    }
    absl::MutexLock lock(&mu_);
    if (first_error_.empty()) {
      first_error_ =
          absl::StrCat(ErrorClassName(error_class), ": ", result.message);
    }
  }

  void Retire(TimePoint now) {
    absl::MutexLock lock(&mu_);
    if (now > last_retire_) last_retire_ = now;
    --active_;
  }

  LoopResult Result() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    LoopResult r;
    r.calls = calls_.load();
    r.errors = errors_.load();
    const TimePoint window_end = std::min(measure_end_, last_retire_);
    r.window = window_end > measure_begin_
                   ? absl::FromChrono(window_end - measure_begin_)
                   : absl::ZeroDuration();
    for (int i = 0; i < kErrorClasses; ++i) {
      r.errors_by_class[i] = errors_by_class_[i].load();
    }
    r.op_names = op_names_;
    for (const auto& n : calls_by_op_) r.calls_by_op.push_back(n.load());
    r.first_error = first_error_;
    r.latency_ns = std::move(latency_);
    return r;
  }

  const LoopOptions options_;
  const std::vector<std::string> op_names_;
  std::vector<std::atomic<int64_t>> calls_by_op_;
  std::array<std::atomic<int64_t>, kErrorClasses> errors_by_class_;
  // starts_[i] is written and read only by the one call slot i has in flight.
  std::vector<TimePoint> starts_;
  std::vector<std::unique_ptr<Workload::Slot>> slots_;
  std::unique_ptr<LatencyHistogram> latency_;
  TimePoint measure_begin_;
  TimePoint measure_end_;
  std::atomic<int64_t> next_call_{0};
  std::atomic<int64_t> calls_{0};
  std::atomic<int64_t> errors_{0};

  absl::Mutex pace_mu_;  // open loop only
  std::deque<int> idle_ ABSL_GUARDED_BY(pace_mu_);
  bool pacing_done_ ABSL_GUARDED_BY(pace_mu_) = false;

  absl::Mutex mu_;
  int active_ ABSL_GUARDED_BY(mu_) = 0;
  TimePoint last_retire_ ABSL_GUARDED_BY(mu_);
  std::string first_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

double LoopResult::rps() const {
  const double seconds = absl::ToDoubleSeconds(window);
  return seconds > 0 ? static_cast<double>(calls - errors) / seconds : 0;
}

LoopResult RunClosedLoop(Workload& workload, const LoopOptions& options) {
  ClosedLoop loop(workload, options);
  return loop.Run();
}

std::string ErrorClassName(int error_class) {
  if (error_class == kUnexpectedClass) return "UNEXPECTED_RESPONSE";
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(error_class));
}

}  // namespace caregate::bench
