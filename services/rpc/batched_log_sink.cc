#include "services/rpc/batched_log_sink.h"

#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/thread_name.h"
#include "spdlog/pattern_formatter.h"

namespace caregate {
namespace {

// The line reporting `count` dropped lines, in the JSON-lines log format.
std::string DroppedLinesReport(uint64_t count) {
  return absl::StrCat(
      "{\"time\":\"",
      absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(),
                       absl::UTCTimeZone()),
      "\",\"level\":\"warning\",\"msg\":\"log lines dropped: stderr was not "
      "read fast enough\",\"dropped\":",
      count, "}\n");
}

// flush()'s wait: everything appended before it was written.
struct WrittenUpTo {
  const uint64_t* written;
  uint64_t target;
  bool Done() const { return *written >= target; }
};

}  // namespace

BatchedLogSink::BatchedLogSink(int fd, Options options)
    : fd_(fd),
      options_(options),
      formatter_(std::make_unique<spdlog::pattern_formatter>()) {
  writer_ = std::thread([this] {
    SetCurrentThreadName("log-writer");
    WriterLoop();
  });
}

BatchedLogSink::~BatchedLogSink() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  writer_.join();
}

void BatchedLogSink::log(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t line;
  absl::MutexLock lock(&mu_);
  formatter_->format(msg, line);
  if (buffer_.size() + line.size() > options_.max_buffer_bytes) {
    ++dropped_;
    ++dropped_unreported_;
    return;
  }
  buffer_.append(line.data(), line.size());
  appended_ += line.size();
  if (msg.level >= spdlog::level::warn) urgent_ = true;
}

void BatchedLogSink::flush() {
  absl::MutexLock lock(&mu_);
  urgent_ = true;
  WrittenUpTo done{&written_, appended_};
  mu_.Await(absl::Condition(&done, &WrittenUpTo::Done));
}

void BatchedLogSink::set_pattern(const std::string& pattern) {
  set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern));
}

void BatchedLogSink::set_formatter(
    std::unique_ptr<spdlog::formatter> formatter) {
  absl::MutexLock lock(&mu_);
  formatter_ = std::move(formatter);
}

uint64_t BatchedLogSink::dropped_lines() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

bool BatchedLogSink::ShouldWake() const {
  return stopping_ || urgent_ || buffer_.size() >= options_.batch_bytes;
}

void BatchedLogSink::WriterLoop() {
  std::string batch;
  for (;;) {
    uint64_t dropped = 0;
    bool stop = false;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(this, &BatchedLogSink::ShouldWake),
                           options_.interval);
      batch.swap(buffer_);
      urgent_ = false;
      dropped = std::exchange(dropped_unreported_, 0);
      stop = stopping_;
    }
    const uint64_t batch_size = batch.size();
    if (dropped > 0) batch += DroppedLinesReport(dropped);
    WriteAll(batch);
    batch.clear();
    absl::MutexLock lock(&mu_);
    written_ += batch_size;
    if (stop && buffer_.empty()) return;
  }
}

void BatchedLogSink::WriteAll(const std::string& bytes) {
  const char* next = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, next, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // Nowhere to log to: the lines are lost.
    next += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace caregate
