// A closed-loop load driver: keeps `concurrency` calls in flight, each slot
// starting its next call from the completion of the previous one, for a
// warm-up and then a measured window (or until a number of calls is done),
// and records the latency of every call that completes inside the window.
// With LoopOptions::rate it is an open loop instead: calls start at a fixed
// rate, at most `concurrency` at once.
//
// A Workload makes the slots; a slot starts one asynchronous call at a time
// (gRPC callback API) and reports its completion to the CallSink. Nothing
// blocks: completions run on gRPC's threads and start the next call there.
//
// Thread-safety: RunClosedLoop blocks the calling thread until every call
// has completed; the workload and its slots must stay alive until then. Each
// call carries a deadline (the workload's), so the wait is bounded.
#ifndef CAREGATE_BENCH_LOAD_CLOSED_LOOP_H_
#define CAREGATE_BENCH_LOAD_CLOSED_LOOP_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/common/latency_histogram.h"
#include "grpcpp/support/status.h"

namespace caregate::bench {

// How one call ended.
struct CallResult {
  grpc::StatusCode code = grpc::StatusCode::OK;
  // OK, but not what the scenario expects (e.g. a check that was not
  // PERMITTED): counted as an error.
  bool unexpected = false;
  // Which operation of the workload (index into Workload::OpNames()).
  int op = 0;
  // For the first error only: the status message (PHI-free by the gateway's
  // contract; the benchmark sends synthetic data anyway).
  std::string message;
};

// Receives completions; thread-safe.
class CallSink {
 public:
  virtual ~CallSink() = default;
  // `slot` finished its call; may start the slot's next call at once.
  virtual void OnCallDone(int slot, const CallResult& result) = 0;
};

class Workload {
 public:
  // One in-flight call at a time; owns that call's context, request and
  // response. Used by one call at a time (never concurrently).
  class Slot {
   public:
    virtual ~Slot() = default;
    // Starts call `call_number` (unique, from 0); when it completes the
    // slot calls sink->OnCallDone(its index, result) exactly once.
    virtual void Start(int64_t call_number) = 0;
  };
  virtual ~Workload() = default;
  virtual std::unique_ptr<Slot> NewSlot(int index, CallSink* sink) = 0;
  // Names of the operations CallResult::op indexes; at least one.
  virtual std::vector<std::string> OpNames() const { return {"call"}; }
};

struct LoopOptions {
  int concurrency = 64;
  absl::Duration warmup = absl::ZeroDuration();
  absl::Duration duration = absl::Seconds(10);
  // When > 0, at most this many calls are started (and the window ends when
  // the last one completes, or at `duration`, whichever is first).
  int64_t max_calls = 0;
  // When > 0, an open loop: call n starts at n / rate seconds (on a pacing
  // thread), in the first of the `concurrency` slots that is free; when none
  // is, the call waits for one and the loop falls behind its schedule
  // (LoopResult::rps shows it).
  double rate = 0;
  // Optional: run on the thread of RunClosedLoop when the measured window
  // begins and when it ends (within the scheduler's precision), e.g. to
  // sample CPU time. Not run when every call finished before that moment.
  std::function<void()> at_window_begin;
  std::function<void()> at_window_end;
};

// Status codes 0..16, then "the response was not what was expected".
inline constexpr int kUnexpectedClass = 17;
inline constexpr int kErrorClasses = 18;

struct LoopResult {
  int64_t calls = 0;      // completed inside the window, errors included
  int64_t errors = 0;     // of those, not OK or unexpected
  absl::Duration window;  // the measured window
  std::array<int64_t, kErrorClasses> errors_by_class{};
  std::vector<std::string> op_names;
  std::vector<int64_t> calls_by_op;
  std::string first_error;  // "<CODE>: <message>" of the first error seen
  // Latency of every call completed in the window, in nanoseconds.
  std::unique_ptr<LatencyHistogram> latency_ns;

  // Successful calls per second of window.
  double rps() const;
};

LoopResult RunClosedLoop(Workload& workload, const LoopOptions& options);

// The canonical name of a gRPC status code ("UNAVAILABLE"), or
// "UNEXPECTED_RESPONSE" for kUnexpectedClass.
std::string ErrorClassName(int error_class);

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_LOAD_CLOSED_LOOP_H_
