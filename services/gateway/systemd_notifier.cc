#include "services/gateway/systemd_notifier.h"

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace caregate {
namespace {

std::optional<absl::Duration> WatchdogTimeoutFromEnvironment() {
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* pid = std::getenv("WATCHDOG_PID");
  int64_t micros = 0;
  if (usec == nullptr || !absl::SimpleAtoi(usec, &micros) || micros <= 0) {
    return std::nullopt;
  }
  int64_t for_pid = 0;
  if (pid != nullptr &&
      (!absl::SimpleAtoi(pid, &for_pid) || for_pid != getpid())) {
    return std::nullopt;
  }
  return absl::Microseconds(micros);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SystemdNotifier>>
SystemdNotifier::FromEnvironment() {
  auto notifier = std::unique_ptr<SystemdNotifier>(new SystemdNotifier());
  notifier->watchdog_timeout_ = WatchdogTimeoutFromEnvironment();
  const char* env = std::getenv("NOTIFY_SOCKET");
  if (env == nullptr || *env == '\0') return notifier;
  const std::string path = env;
  sockaddr_un& addr = notifier->address_;
  if ((path[0] != '/' && path[0] != '@') ||
      path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("NOTIFY_SOCKET=", path, ": not a usable socket path"));
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (path[0] == '@') addr.sun_path[0] = '\0';  // The abstract namespace.
  notifier->address_length_ =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  notifier->fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (notifier->fd_ < 0) {
    return absl::InternalError(
        absl::StrCat("NOTIFY_SOCKET: socket: ", std::strerror(errno)));
  }
  return notifier;
}

SystemdNotifier::~SystemdNotifier() {
  if (fd_ >= 0) close(fd_);
}

absl::Status SystemdNotifier::Notify(std::string_view state) const {
  if (fd_ < 0) return absl::OkStatus();
  const ssize_t n =
      sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL,
             reinterpret_cast<const sockaddr*>(&address_), address_length_);
  if (n < 0) {
    return absl::UnavailableError(
        absl::StrCat("NOTIFY_SOCKET: sendto: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace caregate
