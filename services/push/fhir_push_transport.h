// Push as FHIR R4 messages: each attempt POSTs the message's Bundle
// (fhir::BuildMessageBundle, Content-Type application/fhir+json) to
// {base_url}/$process-message over HTTPS, verifying the server against the
// organization's CA and presenting the gateway's delivery certificate.
// One HttpsPostLoop (one thread) per endpoint; the bundle is built on it.
//
// Result: 2xx = kDelivered; 408, 429, 5xx and network errors (connection,
// TLS, timeout) = kRetry; any other status = kFailed at once (a redirect is
// not followed and fails too); a message the bundle cannot be built from =
// kFailed. The response body is read and dropped. acknowledged is never set:
// a FHIR clinic acknowledges through the inbox API. Thread-safety and the
// in-flight cap: see PushTransport.
#ifndef CAREGATE_SERVICES_PUSH_FHIR_PUSH_TRANSPORT_H_
#define CAREGATE_SERVICES_PUSH_FHIR_PUSH_TRANSPORT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/fhir/message_bundle.h"
#include "services/push/https_post_loop.h"
#include "services/push/push_transport.h"

namespace caregate::push {

struct FhirPushOptions {
  // The server's https base URL, without a trailing '/'.
  std::string base_url;
  // PEM CA bundle the server's certificate must chain to.
  std::string ca_pem;
  // The gateway's delivery client certificate and key; both or neither.
  std::string client_cert_pem;
  std::string client_key_pem;
  absl::Duration attempt_timeout = absl::Seconds(30);
  int max_in_flight = 8;
  // The bundle's context for a message (names, NPIs, the gateway's ids);
  // destination_endpoint is set to base_url by the transport. Called on the
  // transport's thread; must be thread-safe. Required.
  std::function<fhir::MessageBundleContext(const v1::Message&)> bundle_context;
};

// The PushResult of a finished POST. Exposed for tests.
PushResult FhirPushResult(const HttpsPostLoop::Result& post, absl::Time now);

class FhirPushTransport : public PushTransport {
 public:
  // INVALID_ARGUMENT for a base URL that is not https, a missing CA or
  // bundle_context, or half a client credential.
  static absl::StatusOr<std::unique_ptr<FhirPushTransport>> Create(
      FhirPushOptions options);
  ~FhirPushTransport() override;

  // {base_url}/$process-message.
  const std::string& url() const { return url_; }

 protected:
  void Start(const v1::Message& message, int attempt,
             PushCallback done) override;

 private:
  FhirPushTransport(FhirPushOptions options,
                    std::unique_ptr<HttpsPostLoop> loop);

  const std::string url_;
  const std::function<fhir::MessageBundleContext(const v1::Message&)>
      bundle_context_;
  std::unique_ptr<HttpsPostLoop> loop_;
};

}  // namespace caregate::push

#endif  // CAREGATE_SERVICES_PUSH_FHIR_PUSH_TRANSPORT_H_
