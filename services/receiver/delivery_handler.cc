#include "services/receiver/delivery_handler.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "services/delivery/message_signature.h"
#include "services/fhir/message_bundle.h"

namespace caregate::care_receiver {
namespace {

// Who pushed, when the client certificate names no URI.
constexpr char kUnknownGateway[] = "urn:caregate:gateway";

}  // namespace

DeliveryHandler::DeliveryHandler(std::unique_ptr<Ed25519Verifier> verifier,
                                 std::unique_ptr<ReceivedStore> store,
                                 HandlerSettings settings)
    : verifier_(std::move(verifier)),
      store_(std::move(store)),
      settings_(std::move(settings)) {}

absl::StatusOr<std::string> DeliveryHandler::BundleJson(
    const v1::Message& message, std::string_view client_uri) const {
  fhir::MessageBundleContext context;
  // The gateway is known here by its delivery certificate.
  context.gateway_id =
      client_uri.empty() ? kUnknownGateway : std::string(client_uri);
  context.source_endpoint = context.gateway_id;
  context.destination_endpoint = settings_.destination_endpoint;
  absl::StatusOr<fhir::Json> bundle =
      fhir::BuildMessageBundle(message, context);
  if (!bundle.ok()) return bundle.status();
  return bundle->dump(2);
}

absl::StatusOr<DeliveryHandler::Answer> DeliveryHandler::Deliver(
    const v1::Message& message, std::string_view client_uri) {
  if (!settings_.client_uri.empty() && client_uri != settings_.client_uri) {
    return absl::PermissionDeniedError(
        absl::StrCat("client \"", std::string(client_uri),
                     "\" is not the gateway this receiver accepts"));
  }
  if (!VerifyMessage(*verifier_, message)) {
    return absl::InvalidArgumentError(
        "message: the gateway's signature or the content hash does not "
        "verify");
  }
  if (!IsSafeMessageId(message.message_id())) {
    return absl::InvalidArgumentError(
        "message.message_id: must be 1..256 characters of [A-Za-z0-9._:-]");
  }
  absl::StatusOr<std::string> bundle = BundleJson(message, client_uri);
  if (!bundle.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no FHIR bundle: ", bundle.status().message()));
  }
  std::string message_json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  if (!google::protobuf::util::MessageToJsonString(message, &message_json,
                                                   options)
           .ok()) {
    return absl::InvalidArgumentError("message: no JSON form");
  }
  absl::StatusOr<ReceivedStore::Stored> stored =
      store_->StoreOnce(message.message_id(), message_json, *bundle);
  if (!stored.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot store the message now: ",
                                               stored.status().message()));
  }
  return Answer{stored->received_at, settings_.acknowledge, stored->duplicate};
}

}  // namespace caregate::care_receiver
