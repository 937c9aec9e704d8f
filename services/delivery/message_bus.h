// Pushes messages to the inbox streams of their recipient organization as
// soon as they commit, without polling.
//
// Thread-safe. Listeners are called on the publishing thread (the ledger's
// writer) and must only queue the message and return.
#ifndef CAREGATE_SERVICES_DELIVERY_MESSAGE_BUS_H_
#define CAREGATE_SERVICES_DELIVERY_MESSAGE_BUS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "caregate/v1/types.pb.h"

namespace caregate {

class MessageBus {
 public:
  using Listener = std::function<void(std::shared_ptr<const v1::Message>)>;

  // Returns an id for Unsubscribe.
  int64_t Subscribe(const std::string& org_id, Listener listener);
  // After it returns, the listener is never called again.
  void Unsubscribe(int64_t subscription);
  void Publish(std::shared_ptr<const v1::Message> message);

 private:
  struct Subscription {
    std::string org_id;
    Listener listener;
  };
  absl::Mutex mu_;
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  absl::flat_hash_map<int64_t, Subscription> subscriptions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_DELIVERY_MESSAGE_BUS_H_
