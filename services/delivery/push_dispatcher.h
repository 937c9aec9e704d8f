// The push side of the outbox: finds the messages due for a push in the
// Store and offers them to their clinic's PushTransport; records each
// attempt's outcome through the ledger (outbox_commands.h). Plain C++: no
// gRPC types (the transports hide theirs).
//
// Threads: the dispatcher runs on its own thread (its executor), never on
// the ledger's writer thread or a gRPC reactor. It wakes when a message for
// a push clinic becomes durable (MessageNotifier), when an attempt's outcome
// is durable, and at least every `poll_interval` (retries fall due). Store
// reads and message opening happen on that thread; transport callbacks only
// compute the outcome and Submit() it to the ledger, which never blocks.
//
// Durability and restarts: everything the dispatcher knows is in the Store
// (state QUEUED and next_attempt_at due), so a restarted gateway resumes
// where the last one stopped. A message's state is read again right before
// each attempt: a message withheld by a revocation (or acknowledged, or
// failed) meanwhile is never pushed. A message whose outcome is not yet
// recorded is not offered again (at most one attempt per message in this
// process); after a crash mid-attempt it is pushed again, so receivers
// deduplicate by message_id. Only messages the notifier says are durable
// (seq <= visible_seq) are pushed.
//
// Several gateways on one database (replicas): the dispatcher takes its due
// messages with Store::ClaimDueMessages, which leases them to this gateway
// (Options::lease_owner) for Options::lease; another gateway takes none of
// them until the outcome is recorded (which ends the lease) or the lease
// runs out, so two replicas never push one message at once, and a message
// whose replica died mid-push is pushed by another once its lease ends.
//
// Isolation: each organization's transport has its own in-flight cap and
// I/O thread; the dispatcher skips a full transport and goes on with the
// others, so a hung endpoint delays only its own clinic.
//
// Thread-safe. Stop() (or the destructor) joins the thread and waits for
// outcomes being recorded; outcomes reported after Stop() (transports
// cancelling their attempts) are dropped: those messages stay due.
#ifndef CAREGATE_SERVICES_DELIVERY_PUSH_DISPATCHER_H_
#define CAREGATE_SERVICES_DELIVERY_PUSH_DISPATCHER_H_

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/common/clock.h"
#include "services/crypto/data_cipher.h"
#include "services/delivery/message_notifier.h"
#include "services/delivery/outbox_commands.h"
#include "services/ledger/ledger.h"
#include "services/push/push_transport.h"
#include "services/push/push_transports.h"
#include "services/push/retry_policy.h"
#include "services/store/store.h"

namespace caregate {

// An organization that takes pushes, and its endpoint's transport.
struct PushRoute {
  std::string org_id;
  push::PushTransport* transport = nullptr;
};

// The routes of every organization of `config` with a delivery block.
std::vector<PushRoute> PushRoutesFor(const GatewayConfig& config,
                                     const push::PushTransports& transports);

class PushDispatcher {
 public:
  // What the dispatcher uses; all must outlive it. `notifier` may be null
  // (then every committed message counts as durable, for tests).
  struct Deps {
    Store* store = nullptr;
    Ledger* ledger = nullptr;
    const DataCipher* cipher = nullptr;
    MessageNotifier* notifier = nullptr;
    const Clock* clock = nullptr;
    const push::RetryPolicy* retry_policy = nullptr;
  };
  struct Options {
    // Longest sleep between two looks at the store.
    absl::Duration poll_interval = absl::Milliseconds(100);
    // Due messages claimed per organization and look.
    int batch_size = 64;
    // Who claims (Store::ClaimDueMessages), unique among the gateways on one
    // database; empty: "<hostname>/<pid>/<random>".
    std::string lease_owner{};
    // How long a claim keeps other gateways off a message; longer than an
    // attempt takes (the transport's attempt_timeout) plus recording its
    // outcome.
    absl::Duration lease = absl::Minutes(1);
  };

  // Starts the dispatcher's thread. INVALID_ARGUMENT for a missing
  // dependency or a route without a transport.
  static absl::StatusOr<std::unique_ptr<PushDispatcher>> Create(
      Deps deps, std::vector<PushRoute> routes, Options options);
  ~PushDispatcher();
  PushDispatcher(const PushDispatcher&) = delete;
  PushDispatcher& operator=(const PushDispatcher&) = delete;

  // Stops looking for due messages and waits until every outcome already
  // submitted to the ledger is recorded. Idempotent. Call before the
  // transports are destroyed and while the ledger runs.
  void Stop();

  // Attempts started since Create (for tests and logs).
  int64_t attempts_started() const;

 private:
  PushDispatcher(Deps deps, std::vector<PushRoute> routes, Options options);
  void Loop();
  // Offers the due messages of `route`'s organization to its transport.
  void Pump(const PushRoute& route);
  // Re-reads the message and starts its next attempt; false when the
  // transport is full.
  bool Attempt(const PushRoute& route, const std::string& message_id);
  void OnResult(const std::string& message_id, int attempt, absl::Time since,
                std::optional<DisclosureRow> disclosure,
                push::PushResult result);
  // Records `outcome` through the ledger; the message may be offered again
  // once that is durable.
  void Record(PushOutcome outcome);
  void Wake();

  const Deps deps_;
  const std::vector<PushRoute> routes_;
  const Options options_;
  std::vector<int64_t> subscriptions_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  // Messages with an attempt in flight or an outcome not yet recorded.
  absl::flat_hash_set<std::string> busy_ ABSL_GUARDED_BY(mu_);
  int recording_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t attempts_started_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_DELIVERY_PUSH_DISPATCHER_H_
