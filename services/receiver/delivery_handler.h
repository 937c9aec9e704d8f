// What caregate-receiver does with one pushed message, without gRPC: check
// who sent it and that the gateway signed it, then store it exactly once
// (ReceivedStore) with its FHIR R4 Bundle.
//
// Thread-safe; blocking (it writes and fsyncs files): call it off gRPC's
// threads.
#ifndef CAREGATE_SERVICES_RECEIVER_DELIVERY_HANDLER_H_
#define CAREGATE_SERVICES_RECEIVER_DELIVERY_HANDLER_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"
#include "services/crypto/ed25519.h"
#include "services/receiver/received_store.h"

namespace caregate::care_receiver {

struct HandlerSettings {
  // Answer acknowledged: true (--ack).
  bool acknowledge = false;
  // Accept only a client certificate with this URI SAN (--client-uri);
  // empty: any certificate from the trusted CA.
  std::string client_uri;
  // MessageHeader.destination.endpoint of the stored bundles, e.g.
  // "grpcs://127.0.0.1:9443".
  std::string destination_endpoint;
};

class DeliveryHandler {
 public:
  // `verifier` holds the gateway's published key.
  DeliveryHandler(std::unique_ptr<Ed25519Verifier> verifier,
                  std::unique_ptr<ReceivedStore> store,
                  HandlerSettings settings);

  struct Answer {
    absl::Time received_at;  // when first stored
    bool acknowledged = false;
    bool duplicate = false;
  };
  // `client_uri`: the URI SAN of the caller's certificate, "" when none.
  // PERMISSION_DENIED for another client than --client-uri allows;
  // INVALID_ARGUMENT when the signature or content hash does not verify,
  // the message id is not a safe file name or no FHIR bundle can be made
  // (nothing is stored then; the gateway does not retry these); UNAVAILABLE
  // when it cannot be stored now (the gateway retries).
  absl::StatusOr<Answer> Deliver(const v1::Message& message,
                                 std::string_view client_uri);

  const ReceivedStore& store() const { return *store_; }

 private:
  absl::StatusOr<std::string> BundleJson(const v1::Message& message,
                                         std::string_view client_uri) const;

  const std::unique_ptr<Ed25519Verifier> verifier_;
  const std::unique_ptr<ReceivedStore> store_;
  const HandlerSettings settings_;
};

}  // namespace caregate::care_receiver

#endif  // CAREGATE_SERVICES_RECEIVER_DELIVERY_HANDLER_H_
