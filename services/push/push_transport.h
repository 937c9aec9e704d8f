// A PushTransport delivers messages to one clinic endpoint: one attempt per
// call, answered asynchronously with a PushResult that says whether the
// endpoint took the message, whether to try again later, or whether to give
// up. It keeps no state about messages: the caller (the outbox's dispatcher)
// owns attempts, retries (RetryPolicy) and what is durable.
//
// Isolation between endpoints: each transport owns one I/O thread and at most
// max_in_flight() attempts at a time (DeliveryPolicy.max_in_flight_per_
// endpoint), so an endpoint that hangs holds its own slots and thread and
// nothing else. The cap is enforced here, not by the caller: TryDeliver
// refuses an attempt over it, and the caller offers the message again once
// one of this transport's attempts has finished.
//
// Thread-safe: TryDeliver may be called from any thread, concurrently, but
// not concurrently with the destructor. Destroying a transport cancels the
// attempts in flight; their callbacks run (kRetry, "CANCELLED: shutting
// down") before the destructor returns.
#ifndef CAREGATE_SERVICES_PUSH_PUSH_TRANSPORT_H_
#define CAREGATE_SERVICES_PUSH_PUSH_TRANSPORT_H_

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"

namespace caregate::push {

// What became of one delivery attempt.
struct PushResult {
  enum class Outcome {
    // The endpoint accepted the message (gRPC OK, HTTP 2xx).
    kDelivered,
    // Not delivered; worth trying again later (network errors, timeouts,
    // gRPC UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED,
    // INTERNAL; HTTP 408, 429, 5xx).
    kRetry,
    // The endpoint refused it for good (any other gRPC code, any other HTTP
    // status), or it cannot be sent in this form: do not retry.
    kFailed,
  };
  Outcome outcome = Outcome::kRetry;
  // kDelivered only: the receiver also confirmed receipt (CareReceiver's
  // DeliverResponse.acknowledged). FHIR endpoints never set it.
  bool acknowledged = false;
  // kDelivered only: when the receiver says it stored the message, else when
  // its answer arrived (the gateway's clock).
  absl::Time received_at = absl::InfinitePast();
  // Not kDelivered: what went wrong, free of message content, e.g.
  // "UNAVAILABLE: failed to connect to all addresses; ...", "HTTP 503",
  // "network error: Timeout was reached". Text an endpoint sends back (a
  // gRPC status message, an HTTP body) is never copied into it.
  std::string error{};
};

// "DELIVERED", "RETRY" or "FAILED".
std::string_view OutcomeName(PushResult::Outcome outcome);

// Called once per attempt with its result.
using PushCallback = std::function<void(PushResult)>;

class PushTransport {
 public:
  virtual ~PushTransport() = default;
  PushTransport(const PushTransport&) = delete;
  PushTransport& operator=(const PushTransport&) = delete;

  // Starts attempt number `attempt` (from 1) to deliver `message`, unless
  // max_in_flight() attempts are in flight already: then returns false and
  // never calls `done`. Otherwise returns true at once (the message is
  // copied; nothing blocks on the network) and calls `done` exactly once,
  // later, on this transport's I/O thread: possibly before TryDeliver has
  // returned, never on the calling thread. The attempt's slot is free again
  // when `done` runs, so `done` may start the next attempt.
  //
  // `done` must not block: it holds up this endpoint's other results. Hand
  // slow work (store writes) to another thread.
  bool TryDeliver(const v1::Message& message, int attempt, PushCallback done);

  // "host:port" of a CareReceiver or the FHIR base URL.
  const std::string& endpoint() const { return endpoint_; }
  int max_in_flight() const { return max_in_flight_; }
  // Attempts started and not yet called back.
  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 protected:
  PushTransport(std::string endpoint, int max_in_flight);

  // Starts the attempt; `done` (which frees the slot) must be called exactly
  // once, on the transport's I/O thread, also when the transport is being
  // destroyed.
  virtual void Start(const v1::Message& message, int attempt,
                     PushCallback done) = 0;

 private:
  const std::string endpoint_;
  const int max_in_flight_;
  std::atomic<int> in_flight_{0};
};

}  // namespace caregate::push

#endif  // CAREGATE_SERVICES_PUSH_PUSH_TRANSPORT_H_
