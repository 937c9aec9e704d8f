#include "services/gateway/store_health.h"

#include <optional>
#include <utility>

#include "services/common/thread_name.h"
#include "spdlog/spdlog.h"

namespace caregate {

std::unique_ptr<StoreHealth> StoreHealth::Start(Options options) {
  auto health =
      std::unique_ptr<StoreHealth>(new StoreHealth(std::move(options)));
  health->thread_ = std::thread([h = health.get()] {
    SetCurrentThreadName("store-health");
    h->Run();
  });
  if (health->options_.failures != nullptr) {
    health->options_.failures->Attach(health.get());
  }
  return health;
}

StoreHealth::~StoreHealth() {
  if (options_.failures != nullptr) options_.failures->Attach(nullptr);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void StoreHealth::ReportUnavailable() {
  absl::MutexLock lock(&mu_);
  write_failed_ = true;
}

void StoreFailureSignal::Attach(StoreHealth* health) {
  absl::MutexLock lock(&mu_);
  health_ = health;
}

void StoreFailureSignal::Raise() {
  absl::MutexLock lock(&mu_);
  if (health_ != nullptr) health_->ReportUnavailable();
}

void StoreHealth::Run() {
  std::optional<bool> reported;
  for (;;) {
    bool write_failed;
    {
      absl::MutexLock lock(&mu_);
      write_failed = std::exchange(write_failed_, false);
    }
    const absl::Status probed = write_failed ? absl::UnavailableError(
                                                   "a write found the store "
                                                   "unavailable")
                                             : options_.probe();
    const bool serving = probed.code() != absl::StatusCode::kUnavailable;
    if (!reported.has_value() || *reported != serving) {
      if (serving) {
        spdlog::info("store reachable: serving");
      } else {
        spdlog::error("store unreachable, answering NOT_SERVING: {}",
                      probed.ToString());
      }
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) return;
        options_.set_serving(serving);
      }
      reported = serving;
    }
    absl::MutexLock lock(&mu_);
    const auto woken = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return stopping_ || write_failed_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&woken), options_.interval);
    if (stopping_) return;
  }
}

}  // namespace caregate
