// A clinic's inbox stream, read during a caregate-bench scenario to measure
// how long a committed message takes to reach a clinic streaming from a
// (possibly other) replica: for every message whose commit time (created_at)
// falls inside the measured window, arrival time minus created_at. The load
// generator and the gateways share this machine's clock.
//
// One thread reads InboxService.StreamMessages until Stop(). Messages are not
// acknowledged (the stream sends each once). Thread-safe: SetWindow() and the
// accessors may be called from any thread; the figures are final once Stop()
// returned. Errors: the stream's status, in `error()` after Stop().
#ifndef CAREGATE_BENCH_LOAD_STREAM_WATCH_H_
#define CAREGATE_BENCH_LOAD_STREAM_WATCH_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bench/common/latency_histogram.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace caregate::bench {

class StreamWatch {
 public:
  // Opens the stream on `channel` (the clinic's credentials) and starts
  // reading.
  explicit StreamWatch(std::shared_ptr<grpc::Channel> channel);
  ~StreamWatch();  // Stop()
  StreamWatch(const StreamWatch&) = delete;
  StreamWatch& operator=(const StreamWatch&) = delete;

  // Messages committed in [begin, end) count: call BeginWindow when the
  // measured window begins and EndWindow when it ends (e.g. from the loop's
  // window hooks).
  void BeginWindow(absl::Time begin);
  void EndWindow(absl::Time end);
  // Ends the stream after waiting up to `drain` for messages committed in
  // the window that are still on their way; idempotent.
  void Stop(absl::Duration drain = absl::Seconds(2));

  // Commit-to-arrival latency of the counted messages, in nanoseconds.
  const LatencyHistogram& latency_ns() const { return latency_ns_; }
  // Messages read in all (any commit time).
  int64_t received() const { return received_.load(); }
  // Empty, or the stream's error when it ended other than by Stop().
  std::string error() const;

 private:
  void Read();

  grpc::ClientContext context_;
  std::shared_ptr<grpc::Channel> channel_;
  LatencyHistogram latency_ns_;
  std::atomic<int64_t> received_{0};
  mutable absl::Mutex mu_;
  absl::Time window_begin_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  absl::Time window_end_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  absl::Time last_arrival_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::string error_ ABSL_GUARDED_BY(mu_);
  std::thread reader_;
};

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_LOAD_STREAM_WATCH_H_
