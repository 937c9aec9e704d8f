#include "services/rpc/unary_call.h"

#include <optional>

#include "absl/strings/cord.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/rpc/json_log.h"

namespace caregate {
namespace {

constexpr char kRetryInfoUrl[] =
    "type.googleapis.com/google.rpc.RetryInfo";

}  // namespace

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  google::rpc::RetryInfo info;
  const int64_t ms = absl::ToInt64Milliseconds(delay);
  info.mutable_retry_delay()->set_seconds(ms / 1000);
  info.mutable_retry_delay()->set_nanos(static_cast<int32_t>(ms % 1000) *
                                        1000000);
  status.SetPayload(kRetryInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  const auto retry = status.GetPayload(kRetryInfoUrl);
  if (!retry.has_value()) return grpc::Status(code, message);
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(message);
  google::protobuf::Any* any = details.add_details();
  any->set_type_url(kRetryInfoUrl);
  any->set_value(std::string(*retry));
  return grpc::Status(code, message, details.SerializeAsString());
}

UnaryCall::UnaryCall(grpc::CallbackServerContext* context, Rpc rpc)
    : context_(context),
      reactor_(context->DefaultReactor()),
      rpc_(rpc),
      start_(absl::Now()) {}

UnaryCall::~UnaryCall() = default;

void UnaryCall::Done(absl::StatusCode code) {
  LogFinishedCall(RpcName(rpc_),
                  principal_ ? std::string_view(principal_->principal_id) : "",
                  code, absl::Now() - start_);
  if (on_finish_) {
    on_finish_();
    on_finish_ = nullptr;
  }
}

void UnaryCall::Finish(const absl::Status& status) {
  absl::Status final_status = status;
  if (status.ok()) final_status = WriteResponse();
  Done(final_status.code());
  reactor_->Finish(ToGrpcStatus(final_status));
}

void UnaryCall::FinishWithDetails(const absl::Status& status,
                                  std::string details) {
  Done(status.code());
  reactor_->Finish(grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                                std::string(status.message()),
                                std::move(details)));
}

}  // namespace caregate
