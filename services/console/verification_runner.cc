#include "services/console/verification_runner.h"

#include <utility>

#include "services/common/thread_name.h"

namespace caregate::console {
namespace {

// What Start() waits for: a completed run numbered `number` or later.
struct RunDone {
  const std::optional<VerificationRunner::Run>* last;
  int64_t number;

  static bool Check(RunDone* self) {
    return self->last->has_value() && (*self->last)->number >= self->number;
  }
};

}  // namespace

VerificationRunner::VerificationRunner(ConsoleGateway* gateway,
                                       absl::Time (*now)())
    : gateway_(gateway), now_(now) {}

VerificationRunner::~VerificationRunner() {
  std::thread worker;
  {
    absl::MutexLock lock(&mu_);
    worker = std::move(worker_);
  }
  if (worker.joinable()) worker.join();
}

VerificationRunner::State VerificationRunner::Start(absl::Duration wait) {
  absl::MutexLock lock(&mu_);
  if (!running_) {
    // The previous run's thread has set running_ = false and is exiting.
    if (worker_.joinable()) worker_.join();
    running_ = true;
    running_since_ = now_();
    const int64_t number = ++runs_started_;
    worker_ = std::thread([this, number, started = running_since_] {
      SetCurrentThreadName("console-verify");
      Verify(number, started);
    });
  }
  return AwaitLatest(wait);
}

VerificationRunner::State VerificationRunner::Current(
    absl::Duration wait) const {
  absl::MutexLock lock(&mu_);
  return AwaitLatest(wait);
}

VerificationRunner::State VerificationRunner::AwaitLatest(
    absl::Duration wait) const {
  RunDone done{&last_, runs_started_};
  if (running_) {
    mu_.AwaitWithTimeout(absl::Condition(&RunDone::Check, &done), wait);
  }
  State state;
  state.running = running_;
  if (running_) state.running_since = running_since_;
  state.last = last_;
  return state;
}

void VerificationRunner::Verify(int64_t number, absl::Time started) {
  absl::StatusOr<v1::VerifyAuditLogResponse> response =
      gateway_->VerifyAuditLog(v1::VerifyAuditLogRequest());
  absl::MutexLock lock(&mu_);
  last_ = Run{number, started, now_(), std::move(response)};
  running_ = false;
}

}  // namespace caregate::console
