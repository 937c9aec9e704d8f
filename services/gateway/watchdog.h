// The gateway's watchdog: a thread that probes the gateway the way a client
// reaches it (tls_probe.h on its own listening address), so that a gateway
// which stopped serving while its process lives on gets restarted.
//
// The first probe runs at once, then one every `interval` (each may take up
// to `interval`). After the first success it sends READY=1 to systemd, and
// WATCHDOG=1 after every success; so a gateway that stops answering also
// stops the keep-alives, and systemd's WatchdogSec restarts it. When probes
// have failed for `failure_limit` since the last success (or since Start),
// it logs an error, calls `on_failure` once and stops probing: the caller
// exits non-zero, so that Restart=on-failure (or any supervisor) restarts it
// without waiting for WatchdogSec.
//
// Thread-safe. The destructor stops the thread and waits for it.
#ifndef CAREGATE_SERVICES_GATEWAY_WATCHDOG_H_
#define CAREGATE_SERVICES_GATEWAY_WATCHDOG_H_

#include <functional>
#include <memory>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/gateway/systemd_notifier.h"

namespace caregate {

class Watchdog {
 public:
  struct Options {
    // OK while the gateway serves; runs on the watchdog thread.
    std::function<absl::Status()> probe;
    absl::Duration interval = absl::Seconds(5);
    absl::Duration failure_limit = absl::Seconds(30);
    // Not owned; may be null (no notifications). Must outlive the watchdog.
    const SystemdNotifier* notifier = nullptr;
    // Runs once on the watchdog thread with the last probe error; must not
    // block or destroy the watchdog.
    std::function<void(const absl::Status& last_error)> on_failure;
  };

  static std::unique_ptr<Watchdog> Start(Options options);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  explicit Watchdog(Options options) : options_(std::move(options)) {}
  void Run();
  // Waits until `until` or Stop; false when stopping.
  bool SleepUntil(absl::Time until);
  void Notify(const char* state) const;

  const Options options_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_GATEWAY_WATCHDOG_H_
