#include "services/delivery/message_bus.h"

namespace caregate {

int64_t MessageBus::Subscribe(const std::string& org_id, Listener listener) {
  absl::MutexLock lock(&mu_);
  const int64_t id = next_id_++;
  subscriptions_.emplace(id, Subscription{org_id, std::move(listener)});
  return id;
}

void MessageBus::Unsubscribe(int64_t subscription) {
  absl::MutexLock lock(&mu_);
  subscriptions_.erase(subscription);
}

void MessageBus::Publish(std::shared_ptr<const v1::Message> message) {
  // Listeners run under the lock so Unsubscribe() guarantees no later call;
  // they only queue and return.
  absl::MutexLock lock(&mu_);
  for (auto& [id, sub] : subscriptions_) {
    if (sub.org_id == message->recipient_org_id()) sub.listener(message);
  }
}

}  // namespace caregate
