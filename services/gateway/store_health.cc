#include "services/gateway/store_health.h"

#include <optional>
#include <utility>

#include "spdlog/spdlog.h"

namespace caregate {

std::unique_ptr<StoreHealth> StoreHealth::Start(Options options) {
  auto health =
      std::unique_ptr<StoreHealth>(new StoreHealth(std::move(options)));
  health->thread_ = std::thread([h = health.get()] { h->Run(); });
  return health;
}

StoreHealth::~StoreHealth() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void StoreHealth::Run() {
  std::optional<bool> reported;
  for (;;) {
    const absl::Status probed = options_.probe();
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
    const auto stop = [this]()
                          ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
    if (mu_.AwaitWithTimeout(absl::Condition(&stop), options_.interval)) {
      return;
    }
  }
}

}  // namespace caregate
