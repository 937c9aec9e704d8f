#include "bench/load/closed_loop.h"

#include <deque>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate::bench {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Completes calls on a worker thread, in start order: call n fails with
// UNAVAILABLE when n % 10 == 3, is "unexpected" when n % 10 == 7, and is
// reported as op n % 2.
class FakeWorkload final : public Workload {
 public:
  FakeWorkload() : worker_([this] { Work(); }) {}
  ~FakeWorkload() override {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    worker_.join();
  }

  std::unique_ptr<Slot> NewSlot(int index, CallSink* sink) override {
    return std::make_unique<FakeSlot>(this, index, sink);
  }
  std::vector<std::string> OpNames() const override { return {"even", "odd"}; }

  int64_t started() const {
    absl::MutexLock lock(&mu_);
    return started_;
  }

 private:
  struct Pending {
    int slot;
    int64_t call_number;
    CallSink* sink;
  };
  class FakeSlot final : public Slot {
   public:
    FakeSlot(FakeWorkload* w, int index, CallSink* sink)
        : w_(w), index_(index), sink_(sink) {}
    void Start(int64_t call_number) override {
      absl::MutexLock lock(&w_->mu_);
      ++w_->started_;
      w_->queue_.push_back({index_, call_number, sink_});
    }

   private:
    FakeWorkload* w_;
    int index_;
    CallSink* sink_;
  };

  void Work() {
    while (true) {
      Pending p;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](FakeWorkload* w) { return w->stop_ || !w->queue_.empty(); },
            this));
        if (queue_.empty()) return;
        p = queue_.front();
        queue_.pop_front();
      }
      CallResult r;
      r.op = static_cast<int>(p.call_number % 2);
      if (p.call_number % 10 == 3) {
        r.code = grpc::StatusCode::UNAVAILABLE;
        r.message = "connection refused";
      }
      r.unexpected = p.call_number % 10 == 7;
      p.sink->OnCallDone(p.slot, r);
    }
  }

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_;
  bool stop_ = false;
  int64_t started_ = 0;
  std::thread worker_;
};

TEST(ClosedLoopTest, RunsExactlyMaxCallsAndCountsEveryOutcome) {
  FakeWorkload workload;
  LoopOptions options;
  options.concurrency = 4;
  options.duration = absl::Minutes(1);
  options.max_calls = 100;
  LoopResult r = RunClosedLoop(workload, options);
  EXPECT_EQ(workload.started(), 100);
  EXPECT_EQ(r.calls, 100);
  EXPECT_EQ(r.errors, 20);  // 10 UNAVAILABLE + 10 unexpected
  EXPECT_EQ(r.errors_by_class[static_cast<int>(grpc::StatusCode::UNAVAILABLE)],
            10);
  EXPECT_EQ(r.errors_by_class[kUnexpectedClass], 10);
  EXPECT_THAT(r.op_names, ElementsAre("even", "odd"));
  EXPECT_THAT(r.calls_by_op, ElementsAre(50, 50));
  EXPECT_EQ(r.latency_ns->count(), 100u);
  EXPECT_THAT(r.first_error, HasSubstr("UNAVAILABLE: connection refused"));
  EXPECT_GT(r.window, absl::ZeroDuration());
  EXPECT_LT(r.window, absl::Minutes(1));
  EXPECT_NEAR(r.rps(), 80 / absl::ToDoubleSeconds(r.window), 1e-6);
}

// Open loop: calls start on a schedule, never ahead of it (call n not
// before n / rate), and every call is still counted once.
TEST(ClosedLoopTest, RateStartsCallsOnTheirSchedule) {
  FakeWorkload workload;
  LoopOptions options;
  options.concurrency = 4;
  options.duration = absl::Minutes(1);
  options.max_calls = 50;
  options.rate = 1000;
  const absl::Time start = absl::Now();
  LoopResult r = RunClosedLoop(workload, options);
  const absl::Duration elapsed = absl::Now() - start;
  EXPECT_EQ(workload.started(), 50);
  EXPECT_EQ(r.calls, 50);
  EXPECT_EQ(r.errors, 10);
  EXPECT_EQ(r.latency_ns->count(), 50u);
  // Call 49 is due 49 ms after the start.
  EXPECT_GE(elapsed, absl::Milliseconds(49));
}

TEST(ClosedLoopTest, RateEndsWithTheWindow) {
  FakeWorkload workload;
  LoopOptions options;
  options.concurrency = 2;
  options.duration = absl::Milliseconds(50);
  options.rate = 200;  // one call every 5 ms: about 10 in the window
  LoopResult r = RunClosedLoop(workload, options);
  EXPECT_GT(r.calls, 0);
  EXPECT_LE(workload.started(), 10);
  EXPECT_EQ(r.latency_ns->count(), static_cast<uint64_t>(r.calls));
}

TEST(ClosedLoopTest, StopsAtTheEndOfTheWindowAndKeepsConcurrency) {
  FakeWorkload workload;
  LoopOptions options;
  options.concurrency = 3;
  options.warmup = absl::Milliseconds(20);
  options.duration = absl::Milliseconds(50);
  LoopResult r = RunClosedLoop(workload, options);
  // Warm-up calls are run but not counted; the window is the duration.
  EXPECT_GT(workload.started(), r.calls);
  EXPECT_GT(r.calls, 0);
  EXPECT_EQ(r.window, absl::Milliseconds(50));
  EXPECT_EQ(r.latency_ns->count(), static_cast<uint64_t>(r.calls));
}

TEST(ClosedLoopTest, RunsTheWindowHooksAroundTheWindow) {
  FakeWorkload workload;
  LoopOptions options;
  options.concurrency = 2;
  options.warmup = absl::Milliseconds(10);
  options.duration = absl::Milliseconds(30);
  int begins = 0, ends = 0;
  absl::Time begin_at, end_at;
  options.at_window_begin = [&] {
    ++begins;
    begin_at = absl::Now();
  };
  options.at_window_end = [&] {
    ++ends;
    end_at = absl::Now();
  };
  LoopResult r = RunClosedLoop(workload, options);
  EXPECT_EQ(begins, 1);
  EXPECT_EQ(ends, 1);
  EXPECT_LE(begin_at, end_at);
  EXPECT_GT(r.calls, 0);
}

TEST(ClosedLoopTest, SkipsTheEndHookWhenEveryCallFinishedBefore) {
  FakeWorkload workload;
  LoopOptions options;
  options.concurrency = 2;
  options.duration = absl::Minutes(1);
  options.max_calls = 10;
  int ends = 0;
  options.at_window_end = [&] { ++ends; };
  LoopResult r = RunClosedLoop(workload, options);
  EXPECT_EQ(r.calls, 10);
  EXPECT_EQ(ends, 0);
}

TEST(ErrorClassNameTest, NamesCodesAndUnexpectedResponses) {
  EXPECT_EQ(ErrorClassName(static_cast<int>(grpc::StatusCode::UNAVAILABLE)),
            "UNAVAILABLE");
  EXPECT_EQ(
      ErrorClassName(static_cast<int>(grpc::StatusCode::DEADLINE_EXCEEDED)),
      "DEADLINE_EXCEEDED");
  EXPECT_EQ(ErrorClassName(kUnexpectedClass), "UNEXPECTED_RESPONSE");
}

}  // namespace
}  // namespace caregate::bench
