#include "tests/crash/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace caregate::crash {
namespace {

absl::Status Errno(const char* call) {
  return absl::InternalError(absl::StrCat(call, ": ", std::strerror(errno)));
}

// The inherited environment with `extra` ("NAME=value") added or replacing
// entries of the same name. Built before fork: the child may not allocate.
std::vector<std::string> ChildEnvironment(
    const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  const auto replaced = [&](std::string_view entry) {
    const std::string_view name = entry.substr(0, entry.find('=') + 1);
    for (const std::string& e : extra) {
      if (std::string_view(e).substr(0, e.find('=') + 1) == name) return true;
    }
    return false;
  };
  for (char** e = environ; *e != nullptr; ++e) {
    if (!replaced(*e)) env.emplace_back(*e);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// Runs in the child between fork and exec: async-signal-safe calls only.
[[noreturn]] void ExecChild(char* const* argv, char* const* envp, int log_fd,
                            pid_t parent, rlim_t max_open_files) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(126);  // The driver already died.
  if (max_open_files != 0) {
    const rlimit limit{max_open_files, max_open_files};
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(125);
  }
  dup2(log_fd, STDOUT_FILENO);
  dup2(log_fd, STDERR_FILENO);
  close(log_fd);
  execve(argv[0], argv, envp);
  _exit(127);
}

}  // namespace

absl::StatusOr<pid_t> SpawnChild(const std::vector<std::string>& argv,
                                 const std::string& log_path,
                                 const SpawnOptions& options) {
  if (argv.empty()) return absl::InvalidArgumentError("argv: empty");
  std::vector<char*> c_argv;
  for (const std::string& arg : argv) {
    c_argv.push_back(const_cast<char*>(arg.c_str()));
  }
  c_argv.push_back(nullptr);
  const std::vector<std::string> env = ChildEnvironment(options.extra_env);
  std::vector<char*> c_env;
  for (const std::string& entry : env) {
    c_env.push_back(const_cast<char*>(entry.c_str()));
  }
  c_env.push_back(nullptr);
  const int log_fd =
      open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) return Errno("open log");
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    ExecChild(c_argv.data(), c_env.data(), log_fd, parent,
              options.max_open_files);
  }
  const int fork_errno = errno;
  close(log_fd);
  if (pid < 0) {
    errno = fork_errno;
    return Errno("fork");
  }
  return pid;
}

absl::StatusOr<std::optional<int>> PollChild(pid_t pid) {
  int status = 0;
  const pid_t r = waitpid(pid, &status, WNOHANG);
  if (r < 0) return Errno("waitpid");
  if (r == 0) return std::nullopt;
  return status;
}

absl::StatusOr<int> WaitChild(pid_t pid, absl::Duration timeout) {
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return Errno("pidfd_open");
  pollfd fd{pidfd, POLLIN, 0};
  const int ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  int ready = 0;
  do {
    ready = poll(&fd, 1, ms);
  } while (ready < 0 && errno == EINTR);
  close(pidfd);
  if (ready < 0) return Errno("poll pidfd");
  if (ready == 0) {
    return absl::DeadlineExceededError(absl::StrCat(
        "pid ", pid, " still running after ", absl::FormatDuration(timeout)));
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return Errno("waitpid");
  return status;
}

absl::Status RunChild(const std::vector<std::string>& argv,
                      const std::string& log_path, absl::Duration timeout) {
  absl::StatusOr<pid_t> pid = SpawnChild(argv, log_path);
  if (!pid.ok()) return pid.status();
  absl::StatusOr<int> status = WaitChild(*pid, timeout);
  if (!status.ok()) {
    kill(*pid, SIGKILL);
    waitpid(*pid, nullptr, 0);
    return status.status();
  }
  if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(argv[0], ": ",
                                          DescribeWaitStatus(*status),
                                          " (output in ", log_path, ")"));
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exit ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("signal ", WTERMSIG(status));
  return absl::StrCat("wait status ", status);
}

}  // namespace caregate::crash
