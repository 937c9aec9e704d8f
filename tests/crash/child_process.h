// Starting, waiting for and killing child processes for the crash-safety
// driver: fork + exec (no shell), stdout and stderr appended to a log file.
//
// A child gets SIGKILL when the thread that spawned it exits
// (PR_SET_PDEATHSIG), so a driver killed by a CTest timeout leaves no gateway
// behind: spawn from the main thread only. Waiting uses a pidfd, never a sleep.
//
// Thread-compatible: every function is a plain system-call wrapper. Errors:
// INTERNAL naming the failed system call, DEADLINE_EXCEEDED for a child that
// did not exit in time.
#ifndef CAREGATE_TESTS_CRASH_CHILD_PROCESS_H_
#define CAREGATE_TESTS_CRASH_CHILD_PROCESS_H_

#include <sys/resource.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace caregate::crash {

// What a child gets besides its arguments.
struct SpawnOptions {
  // When non-zero, the child's soft and hard RLIMIT_NOFILE (set before exec,
  // so the child cannot raise it).
  rlim_t max_open_files = 0;
  // "NAME=value" entries added to (or replacing in) the inherited environment.
  std::vector<std::string> extra_env;
};

// Starts argv[0] (a path) with `argv`; its output is appended to `log_path`.
absl::StatusOr<pid_t> SpawnChild(const std::vector<std::string>& argv,
                                 const std::string& log_path,
                                 const SpawnOptions& options = {});

// The child's wait status once it has exited (and is reaped), or nullopt
// while it runs. Never blocks.
absl::StatusOr<std::optional<int>> PollChild(pid_t pid);

// Waits up to `timeout` for the child to exit, reaps it and returns its wait
// status; DEADLINE_EXCEEDED (child still running) otherwise.
absl::StatusOr<int> WaitChild(pid_t pid, absl::Duration timeout);

// Runs `argv` to completion (at most `timeout`); OK only for exit status 0.
absl::Status RunChild(const std::vector<std::string>& argv,
                      const std::string& log_path, absl::Duration timeout);

// "exit 3", "signal 9": a wait status for messages.
std::string DescribeWaitStatus(int status);

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_CHILD_PROCESS_H_
