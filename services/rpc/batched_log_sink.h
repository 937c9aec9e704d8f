// A spdlog sink that writes log lines to a file descriptor in batches, from a
// background thread.
//
// A logging thread only formats its line and appends it to an in-memory
// buffer under a mutex: no system call and, usually, no wake-up. The writer
// thread wakes every `interval`, when the buffer passes `batch_bytes`, or at
// once for a line of level warn or above, and writes what accumulated with as
// few write(2) calls as possible. So a busy gateway pays one write per batch
// instead of one per RPC, and a slow or blocked stderr never stalls an RPC.
//
// When the buffer holds `max_buffer_bytes` (the reader of the fd stopped
// reading), further lines are dropped and counted; the count is reported in
// a line of its own once writing resumes. These are operational logs; the
// audit record is the audit log.
//
// flush() returns once every line logged before it was written. The
// destructor flushes and joins the writer. Thread-safe.
#ifndef CAREGATE_SERVICES_RPC_BATCHED_LOG_SINK_H_
#define CAREGATE_SERVICES_RPC_BATCHED_LOG_SINK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "spdlog/formatter.h"
#include "spdlog/sinks/sink.h"

namespace caregate {

class BatchedLogSink final : public spdlog::sinks::sink {
 public:
  struct Options {
    absl::Duration interval = absl::Milliseconds(200);
    size_t batch_bytes = 64 * 1024;
    size_t max_buffer_bytes = 8 * 1024 * 1024;
  };

  // Writes to `fd` (not owned; it must stay open while the sink lives).
  BatchedLogSink(int fd, Options options);
  ~BatchedLogSink() override;
  BatchedLogSink(const BatchedLogSink&) = delete;
  BatchedLogSink& operator=(const BatchedLogSink&) = delete;

  void log(const spdlog::details::log_msg& msg) override;
  void flush() override;
  void set_pattern(const std::string& pattern) override;
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override;

  // Lines dropped because the buffer was full, since the sink was created.
  uint64_t dropped_lines() const;

 private:
  void WriterLoop();
  bool ShouldWake() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void WriteAll(const std::string& bytes);

  const int fd_;
  const Options options_;
  mutable absl::Mutex mu_;
  std::unique_ptr<spdlog::formatter> formatter_ ABSL_GUARDED_BY(mu_);
  std::string buffer_ ABSL_GUARDED_BY(mu_);
  bool urgent_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_unreported_ ABSL_GUARDED_BY(mu_) = 0;
  // Bytes logged, and bytes the writer has written (flush() waits on these).
  uint64_t appended_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread writer_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_RPC_BATCHED_LOG_SINK_H_
