// Service notifications to systemd (the sd_notify protocol, without
// libsystemd): one datagram per message to the Unix socket named by
// $NOTIFY_SOCKET, e.g. "READY=1", "WATCHDOG=1", "STOPPING=1".
//
// Without $NOTIFY_SOCKET (not started by systemd with Type=notify) every
// Notify() is a successful no-op. The socket is opened at creation, so
// notifying later needs no new file even when the process is at its file
// limit. Thread-safe.
#ifndef CAREGATE_SERVICES_GATEWAY_SYSTEMD_NOTIFIER_H_
#define CAREGATE_SERVICES_GATEWAY_SYSTEMD_NOTIFIER_H_

#include <sys/socket.h>
#include <sys/un.h>

#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace caregate {

class SystemdNotifier {
 public:
  // From the environment: $NOTIFY_SOCKET (a path, or "@name" in the abstract
  // namespace) and $WATCHDOG_USEC / $WATCHDOG_PID. INVALID_ARGUMENT for a
  // socket address it cannot use; INTERNAL when the socket cannot be made.
  static absl::StatusOr<std::unique_ptr<SystemdNotifier>> FromEnvironment();
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  // True when there is a socket to notify.
  bool enabled() const { return fd_ >= 0; }
  // Sends `state` (newline-separated VAR=value lines). UNAVAILABLE naming the
  // error when the datagram cannot be sent.
  absl::Status Notify(std::string_view state) const;
  // systemd's WatchdogSec for this process ($WATCHDOG_USEC, when
  // $WATCHDOG_PID is unset or names this process).
  std::optional<absl::Duration> watchdog_timeout() const {
    return watchdog_timeout_;
  }

 private:
  SystemdNotifier() = default;

  int fd_ = -1;
  sockaddr_un address_{};
  socklen_t address_length_ = 0;
  std::optional<absl::Duration> watchdog_timeout_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_GATEWAY_SYSTEMD_NOTIFIER_H_
