#include "services/delivery/message_notifier.h"

#include <algorithm>

namespace caregate {

int64_t InProcessNotifier::Subscribe(const std::string& org_id,
                                     Listener listener) {
  absl::MutexLock lock(&mu_);
  const int64_t id = next_id_++;
  subscriptions_.emplace(id, Subscription{org_id, std::move(listener)});
  return id;
}

void InProcessNotifier::Unsubscribe(int64_t subscription) {
  absl::MutexLock lock(&mu_);
  subscriptions_.erase(subscription);
}

void InProcessNotifier::Published(const std::string& org_id, int64_t seq) {
  // Listeners run under the lock so Unsubscribe() guarantees no later call;
  // they only note the wake-up and return.
  absl::MutexLock lock(&mu_);
  visible_seq_ = std::max(visible_seq_, seq);
  for (auto& [id, sub] : subscriptions_) {
    if (sub.org_id == org_id) sub.listener();
  }
}

void InProcessNotifier::Wake(const std::string& org_id) {
  absl::MutexLock lock(&mu_);
  for (auto& [id, sub] : subscriptions_) {
    if (sub.org_id == org_id) sub.listener();
  }
}

void InProcessNotifier::WakeAll() {
  absl::MutexLock lock(&mu_);
  for (auto& [id, sub] : subscriptions_) sub.listener();
}

int64_t InProcessNotifier::visible_seq() const {
  absl::MutexLock lock(&mu_);
  return visible_seq_;
}

}  // namespace caregate
