#include "services/push/fhir_push_transport.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"

namespace caregate::push {
namespace {

constexpr char kFhirJson[] = "application/fhir+json";

bool IsRetryableHttpStatus(long status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

}  // namespace

PushResult FhirPushResult(const HttpsPostLoop::Result& post, absl::Time now) {
  PushResult result;
  if (post.cancelled) {
    result.outcome = PushResult::Outcome::kRetry;
    result.error = "CANCELLED: shutting down";
  } else if (!post.body_error.empty()) {
    result.outcome = PushResult::Outcome::kFailed;
    result.error =
        absl::StrCat("cannot build the FHIR bundle: ", post.body_error);
  } else if (post.curl_code != 0) {
    result.outcome = PushResult::Outcome::kRetry;
    result.error = absl::StrCat("network error: ", post.curl_error);
  } else if (post.http_status >= 200 && post.http_status <= 299) {
    result.outcome = PushResult::Outcome::kDelivered;
    result.received_at = now;
  } else {
    result.outcome = IsRetryableHttpStatus(post.http_status)
                         ? PushResult::Outcome::kRetry
                         : PushResult::Outcome::kFailed;
    result.error = absl::StrCat("HTTP ", post.http_status);
    if (post.http_status >= 300 && post.http_status <= 399) {
      absl::StrAppend(&result.error, " (redirects are not followed)");
    }
  }
  return result;
}

absl::StatusOr<std::unique_ptr<FhirPushTransport>> FhirPushTransport::Create(
    FhirPushOptions options) {
  if (!absl::StartsWithIgnoreCase(AsAbsl(options.base_url), "https://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "FHIR push: base URL \"", options.base_url, "\" is not https"));
  }
  if (!options.bundle_context) {
    return absl::InvalidArgumentError(
        "FHIR push: a bundle context is required");
  }
  HttpsPostOptions post;
  post.ca_pem = options.ca_pem;
  post.client_cert_pem = options.client_cert_pem;
  post.client_key_pem = options.client_key_pem;
  post.headers = {absl::StrCat("Content-Type: ", kFhirJson),
                  absl::StrCat("Accept: ", kFhirJson),
                  // No "100 Continue" round trip before large bundles.
                  "Expect:"};
  post.timeout = options.attempt_timeout;
  absl::StatusOr<std::unique_ptr<HttpsPostLoop>> loop =
      HttpsPostLoop::Create(std::move(post));
  if (!loop.ok()) {
    return absl::Status(loop.status().code(),
                        absl::StrCat("FHIR push to ", options.base_url, ": ",
                                     loop.status().message()));
  }
  return std::unique_ptr<FhirPushTransport>(
      new FhirPushTransport(std::move(options), *std::move(loop)));
}

FhirPushTransport::FhirPushTransport(FhirPushOptions options,
                                     std::unique_ptr<HttpsPostLoop> loop)
    : PushTransport(options.base_url, options.max_in_flight),
      url_(absl::StrCat(options.base_url, "/$process-message")),
      bundle_context_(std::move(options.bundle_context)),
      loop_(std::move(loop)) {}

// The loop goes first: its callbacks use bundle_context_ and url_.
FhirPushTransport::~FhirPushTransport() { loop_.reset(); }

void FhirPushTransport::Start(const v1::Message& message, int attempt,
                              PushCallback done) {
  auto make_body = [this, message]() -> absl::StatusOr<std::string> {
    fhir::MessageBundleContext context = bundle_context_(message);
    context.destination_endpoint = endpoint();
    absl::StatusOr<fhir::Json> bundle =
        fhir::BuildMessageBundle(message, context);
    if (!bundle.ok()) return bundle.status();
    return bundle->dump();
  };
  loop_->Post(url_, std::move(make_body),
              [done = std::move(done)](HttpsPostLoop::Result post) {
                done(FhirPushResult(post, absl::Now()));
              });
}

}  // namespace caregate::push
