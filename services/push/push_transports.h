// The push side of the gateway's delivery: a transport for every clinic
// endpoint in the directory, built once at startup from the config, and the
// retry policy. The dispatcher (services/delivery's outbox) drives them:
//
//   for each due message m (state pending, next_attempt_at <= now):
//     PushTransport* t = transports.ForOrganization(m.recipient_org_id());
//     if t == nullptr: the clinic pulls; nothing to push.
//     before m's first attempt, if !retry_policy().WithinMaxAge(created, now):
//       fail m untried.
//     if !t->TryDeliver(m, attempts + 1, done): the endpoint has
//       max_in_flight attempts running; leave m due and offer it again after
//       one of t's callbacks (at most that many in flight per endpoint, so a
//       hung endpoint holds only its own slots).
//   done(result), on t's thread (must not block; hand the store write off):
//     kDelivered: DELIVERED (+ ACKNOWLEDGED if result.acknowledged) at
//       result.received_at, audited MESSAGE_DELIVERED.
//     kFailed: FAILED with result.error, audited DELIVERY_FAILED.
//     kRetry: d = retry_policy().AfterRetryableFailure(attempt, created,
//       now); d.give_up: FAILED with d.reason (+ result.error), audited;
//       else next_attempt_at = d.next_attempt_at, last error result.error.
//
// Organizations with the same endpoint (address, CA and server name) share
// one transport and its in-flight cap. Immutable after Create; thread-safe.
// Destroying it destroys the transports (see PushTransport).
#ifndef CAREGATE_SERVICES_PUSH_PUSH_TRANSPORTS_H_
#define CAREGATE_SERVICES_PUSH_PUSH_TRANSPORTS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "services/config/gateway_config.h"
#include "services/fhir/message_bundle.h"
#include "services/push/push_transport.h"
#include "services/push/retry_policy.h"

namespace caregate::push {

// The FHIR bundle's context for `message` from the config: the gateway
// (checkpoint_origin; source endpoint spiffe://<trust_domain>/gateway-
// delivery) and the directory's names and NPIs of the sending clinician (a
// provider with the sender's principal id), the practice, the clinic and the
// recipient provider. destination_endpoint is left empty.
fhir::MessageBundleContext BundleContextFor(const GatewayConfig& config,
                                            const v1::Message& message);

class PushTransports {
 public:
  // Reads the delivery certificate and key and every endpoint's CA bundle.
  // FAILED_PRECONDITION naming the file when one cannot be read (the gateway
  // should refuse to start); an empty set when no clinic has an endpoint.
  static absl::StatusOr<std::unique_ptr<PushTransports>> Create(
      std::shared_ptr<const GatewayConfig> config);

  // The transport of the organization's endpoint; nullptr when it has none
  // (it pulls) or is unknown.
  PushTransport* ForOrganization(std::string_view org_id) const;

  const RetryPolicy& retry_policy() const { return retry_policy_; }

  // Every transport, once each.
  std::vector<PushTransport*> all() const;

 private:
  explicit PushTransports(std::shared_ptr<const GatewayConfig> config);

  std::shared_ptr<const GatewayConfig> config_;
  RetryPolicy retry_policy_;
  std::vector<std::unique_ptr<PushTransport>> transports_;
  absl::flat_hash_map<std::string, PushTransport*> by_org_;
};

}  // namespace caregate::push

#endif  // CAREGATE_SERVICES_PUSH_PUSH_TRANSPORTS_H_
