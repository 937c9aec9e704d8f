// Runs the overview's whole-log verification (the gateway's VerifyAuditLog,
// from seq 1 through the head) in the background, so that no page request
// waits for it: with a million events it takes longer than a page may. Holds
// the last completed run (the gateway's answer or its refusal, when the run
// started and finished) and the start of the run in progress, which the
// overview shows and polls. Nothing is cached in place of a run: every
// Start() that finds no run in progress makes the gateway read and check
// the whole log again.
//
// Thread-safe. At most one run at a time, on a thread of its own; the
// destructor waits for it (bounded by the gateway call's deadline). The
// gateway must outlive the runner.
#ifndef CAREGATE_SERVICES_CONSOLE_VERIFICATION_RUNNER_H_
#define CAREGATE_SERVICES_CONSOLE_VERIFICATION_RUNNER_H_

#include <cstdint>
#include <optional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "caregate/v1/audit_service.pb.h"
#include "services/console/console_gateway.h"

namespace caregate::console {

class VerificationRunner {
 public:
  // A completed run.
  struct Run {
    int64_t number = 0;  // 1 for the console's first run, then 2, ...
    absl::Time started;
    absl::Time finished;
    // The gateway's report, or its error (PERMISSION_DENIED, UNAVAILABLE..).
    absl::StatusOr<v1::VerifyAuditLogResponse> response;
  };
  // What the overview shows.
  struct State {
    bool running = false;
    absl::Time running_since;  // when running
    std::optional<Run> last;   // the last completed run, if any
  };

  // `now` is read for the runs' times (injected for tests).
  explicit VerificationRunner(ConsoleGateway* gateway,
                              absl::Time (*now)() = &absl::Now);
  ~VerificationRunner();
  VerificationRunner(const VerificationRunner&) = delete;
  VerificationRunner& operator=(const VerificationRunner&) = delete;

  // Starts a run unless one is in progress (then that one is the answer:
  // it started before this call, so it reads the log as it is now), then
  // waits up to `wait` for it to complete. Returns the state after that.
  State Start(absl::Duration wait);
  // The state, without starting anything, once the run in progress (if
  // any) has completed or `wait` has passed.
  State Current(absl::Duration wait = absl::ZeroDuration()) const;

 private:
  void Verify(int64_t number, absl::Time started);
  // Waits up to `wait` for the run numbered runs_started_ to complete.
  State AwaitLatest(absl::Duration wait) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ConsoleGateway* const gateway_;
  absl::Time (*const now_)();

  mutable absl::Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time running_since_ ABSL_GUARDED_BY(mu_);
  int64_t runs_started_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<Run> last_ ABSL_GUARDED_BY(mu_);
  std::thread worker_ ABSL_GUARDED_BY(mu_);  // the latest run's thread
};

}  // namespace caregate::console

#endif  // CAREGATE_SERVICES_CONSOLE_VERIFICATION_RUNNER_H_
