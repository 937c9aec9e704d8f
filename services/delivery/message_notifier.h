// Tells inbox streams that their organization may have new messages, without
// carrying the messages: a stream that is told re-reads the store after the
// last seq it sent. So a lost or late wake-up delays a message but never
// loses it, memory holds no queue of messages, and the same stream code works
// whether the message committed in this process or in another replica
// (docs/adr/0005-replicas.md).
//
// `visible_seq()` is the highest audit seq through which every committed
// message may be shown: the ledger publishes a message only once it is
// durable, so a stream never sends a message a crash could take back.
//
// Implementation: InProcessNotifier. The ledger calls Published once a
// message's group is durable; on PostgreSQL replicas the gateway also wakes
// it for messages other replicas commit (Wake, from the LISTEN connection of
// services/store/postgres/pg_message_listener.h; WakeAll after a reconnect
// or when the log head moved). Thread-safe. Listeners run on the waking
// thread and must only note the wake-up and return.
#ifndef CAREGATE_SERVICES_DELIVERY_MESSAGE_NOTIFIER_H_
#define CAREGATE_SERVICES_DELIVERY_MESSAGE_NOTIFIER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace caregate {

class MessageNotifier {
 public:
  using Listener = std::function<void()>;
  virtual ~MessageNotifier() = default;

  // `listener` runs whenever `org_id` may have new visible messages. Returns
  // an id for Unsubscribe.
  virtual int64_t Subscribe(const std::string& org_id, Listener listener) = 0;
  // After it returns, the listener is never called again.
  virtual void Unsubscribe(int64_t subscription) = 0;
  // A message for `org_id` with audit seq `seq` is durable and may be shown.
  virtual void Published(const std::string& org_id, int64_t seq) = 0;
  // Every committed message with seq <= this may be shown.
  virtual int64_t visible_seq() const = 0;
};

// The notifier of a single gateway process.
class InProcessNotifier final : public MessageNotifier {
 public:
  // `visible_seq`: the durable head at start (everything stored then); on a
  // store whose commits are durable when they return (PostgreSQL), the
  // largest int64: every committed message may be shown, whichever replica
  // committed it.
  explicit InProcessNotifier(int64_t visible_seq = 0)
      : visible_seq_(visible_seq) {}

  int64_t Subscribe(const std::string& org_id, Listener listener) override;
  void Unsubscribe(int64_t subscription) override;
  void Published(const std::string& org_id, int64_t seq) override;
  int64_t visible_seq() const override;
  // Wakes `org_id`'s subscriptions: another replica committed a message for
  // it (a PostgreSQL notification).
  void Wake(const std::string& org_id);
  // Wakes every subscription: messages for any organization may have been
  // committed elsewhere (another replica), and listeners re-read the store.
  void WakeAll();

 private:
  struct Subscription {
    std::string org_id;
    Listener listener;
  };
  mutable absl::Mutex mu_;
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  int64_t visible_seq_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<int64_t, Subscription> subscriptions_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_DELIVERY_MESSAGE_NOTIFIER_H_
