#include "services/push/grpc_push_transport.h"

#include <array>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/proto_time.h"

namespace caregate::push {
namespace {

using receiver::v1::DeliverRequest;
using receiver::v1::DeliverResponse;

// Reconnecting to an endpoint that was down waits at most this long, so a
// receiver that comes back is reached by the next retry or the one after.
constexpr int kMaxReconnectBackoffMs = 5000;
constexpr size_t kMaxErrorTextLength = 300;

// Messages that gRPC itself writes for connection and stream failures. Any
// other status message came from the receiver and is not copied: it could
// hold anything.
constexpr std::array<std::string_view, 10> kTransportMessagePrefixes = {
    "failed to connect to all addresses",
    "Socket closed",
    "Connection reset",
    "Broken pipe",
    "GOAWAY",
    "Received RST_STREAM",
    "Stream removed",
    "keepalive watchdog timeout",
    "Ssl handshake failed",
    "DNS resolution failed",
};

bool IsRetryable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::INTERNAL:
      return true;
    default:
      return false;
  }
}

// Printable ASCII only, at most kMaxErrorTextLength characters.
std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxErrorTextLength)) {
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return out;
}

std::string ErrorText(const grpc::Status& status,
                      absl::Duration attempt_timeout) {
  const std::string name = absl::StatusCodeToString(
      static_cast<absl::StatusCode>(status.error_code()));
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::StrCat(name, ": no answer within ",
                        absl::FormatDuration(attempt_timeout));
  }
  for (std::string_view prefix : kTransportMessagePrefixes) {
    if (absl::StartsWith(AsAbsl(status.error_message()), AsAbsl(prefix))) {
      return absl::StrCat(name, ": ", Printable(status.error_message()));
    }
  }
  return name;
}

}  // namespace

struct GrpcPushTransport::Call {
  grpc::ClientContext context;
  DeliverRequest request;
  DeliverResponse response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<DeliverResponse>> reader;
  PushCallback done;
  bool cancelled_locally = false;  // guarded by the transport's mu_
};

PushResult GrpcPushResult(const grpc::Status& status,
                          const DeliverResponse& response,
                          absl::Duration attempt_timeout,
                          bool cancelled_locally, absl::Time now) {
  PushResult result;
  if (cancelled_locally) {
    result.outcome = PushResult::Outcome::kRetry;
    result.error = "CANCELLED: shutting down";
    return result;
  }
  if (status.ok()) {
    result.outcome = PushResult::Outcome::kDelivered;
    result.acknowledged = response.acknowledged();
    absl::StatusOr<absl::Time> received =
        FromProtoTime(response.received_at(), "received_at");
    result.received_at =
        IsUnset(response.received_at()) || !received.ok() ? now : *received;
    return result;
  }
  result.outcome = IsRetryable(status.error_code())
                       ? PushResult::Outcome::kRetry
                       : PushResult::Outcome::kFailed;
  result.error = ErrorText(status, attempt_timeout);
  return result;
}

absl::StatusOr<std::unique_ptr<GrpcPushTransport>> GrpcPushTransport::Create(
    GrpcPushOptions options) {
  if (options.endpoint.empty()) {
    return absl::InvalidArgumentError("gRPC push: endpoint required");
  }
  if (options.ca_pem.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "gRPC push to ", options.endpoint, ": CA certificate required"));
  }
  if (options.client_cert_pem.empty() || options.client_key_pem.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("gRPC push to ", options.endpoint,
                     ": the delivery client certificate and key are required"));
  }
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = options.ca_pem;
  tls.pem_cert_chain = options.client_cert_pem;
  tls.pem_private_key = options.client_key_pem;
  grpc::ChannelArguments args;
  if (!options.server_name.empty()) {
    args.SetSslTargetNameOverride(options.server_name);
  }
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
  // Connections are this endpoint's own, never shared with another channel.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(options.endpoint,
                                           grpc::SslCredentials(tls), args);
  return std::unique_ptr<GrpcPushTransport>(
      new GrpcPushTransport(std::move(options), std::move(channel)));
}

GrpcPushTransport::GrpcPushTransport(GrpcPushOptions options,
                                     std::shared_ptr<grpc::Channel> channel)
    : PushTransport(options.endpoint, options.max_in_flight),
      attempt_timeout_(options.attempt_timeout),
      stub_(receiver::v1::CareReceiver::NewStub(std::move(channel))),
      completions_([this] { CompletionLoop(); }) {}

GrpcPushTransport::~GrpcPushTransport() {
  {
    absl::MutexLock lock(&mu_);
    for (Call* call : calls_) {
      call->cancelled_locally = true;
      call->context.TryCancel();
    }
  }
  // Pending calls still complete (cancelled) and are called back before the
  // loop sees the end of the queue.
  queue_.Shutdown();
  completions_.join();
}

void GrpcPushTransport::Start(const v1::Message& message, int attempt,
                              PushCallback done) {
  auto call = std::make_unique<Call>();
  *call->request.mutable_message() = message;
  call->request.set_attempt(attempt);
  call->done = std::move(done);
  call->context.set_deadline(
      absl::ToChronoTime(absl::Now() + attempt_timeout_));
  {
    absl::MutexLock lock(&mu_);
    calls_.insert(call.get());
  }
  call->reader =
      stub_->PrepareAsyncDeliver(&call->context, call->request, &queue_);
  call->reader->StartCall();
  Call* raw = call.release();
  raw->reader->Finish(&raw->response, &raw->status, raw);
}

void GrpcPushTransport::CompletionLoop() {
  void* tag = nullptr;
  bool ok = false;
  while (queue_.Next(&tag, &ok)) {
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    bool cancelled_locally = false;
    {
      absl::MutexLock lock(&mu_);
      calls_.erase(call.get());
      cancelled_locally = call->cancelled_locally;
    }
    call->done(GrpcPushResult(call->status, call->response, attempt_timeout_,
                              cancelled_locally, absl::Now()));
  }
}

}  // namespace caregate::push
