#include "services/gateway/watchdog.h"

#include "services/common/thread_name.h"
#include "spdlog/spdlog.h"

namespace caregate {

std::unique_ptr<Watchdog> Watchdog::Start(Options options) {
  auto watchdog = std::unique_ptr<Watchdog>(new Watchdog(std::move(options)));
  watchdog->thread_ = std::thread([w = watchdog.get()] {
    SetCurrentThreadName("watchdog");
    w->Run();
  });
  return watchdog;
}

Watchdog::~Watchdog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

bool Watchdog::SleepUntil(absl::Time until) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithDeadline(absl::Condition(&stopping_), until);
  return !stopping_;
}

void Watchdog::Notify(const char* state) const {
  if (options_.notifier == nullptr) return;
  absl::Status sent = options_.notifier->Notify(state);
  if (!sent.ok()) spdlog::warn("watchdog: {}", std::string(sent.message()));
}

void Watchdog::Run() {
  bool ready = false;
  bool failing = false;
  absl::Time last_ok = absl::Now();
  for (absl::Time next = absl::Now();; next += options_.interval) {
    if (!SleepUntil(next)) return;
    const absl::Status probe = options_.probe();
    const absl::Time now = absl::Now();
    if (probe.ok()) {
      if (!ready) Notify("READY=1\nSTATUS=serving");
      if (failing) spdlog::info("watchdog: serving again");
      ready = true;
      failing = false;
      last_ok = now;
      Notify("WATCHDOG=1");
    } else {
      if (!failing) spdlog::warn("watchdog: {}", std::string(probe.message()));
      failing = true;
      if (now - last_ok >= options_.failure_limit) {
        spdlog::error(
            "watchdog: not serving for {} (last probe: {}); exiting so that "
            "the service is restarted",
            absl::FormatDuration(
                absl::Trunc(now - last_ok, absl::Milliseconds(1))),
            std::string(probe.message()));
        options_.on_failure(probe);
        return;
      }
    }
    // A probe that overran its slot does not cause a burst of probes.
    if (next + options_.interval < now) next = now - options_.interval;
  }
}

}  // namespace caregate
