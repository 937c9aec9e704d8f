#include "services/rpc/unary_call.h"

#include "absl/time/clock.h"
#include "services/rpc/json_log.h"

namespace caregate {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

UnaryCall::UnaryCall(grpc::CallbackServerContext* context, Rpc rpc)
    : context_(context),
      reactor_(context->DefaultReactor()),
      rpc_(rpc),
      start_(absl::Now()) {}

void UnaryCall::Finish(const absl::Status& status) {
  LogFinishedCall(RpcName(rpc_),
                  principal_ ? std::string_view(principal_->principal_id) : "",
                  status.code(), absl::Now() - start_);
  reactor_->Finish(ToGrpcStatus(status));
}

void UnaryCall::FinishWithDetails(const absl::Status& status,
                                  std::string details) {
  LogFinishedCall(RpcName(rpc_),
                  principal_ ? std::string_view(principal_->principal_id) : "",
                  status.code(), absl::Now() - start_);
  reactor_->Finish(grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                                std::string(status.message()),
                                std::move(details)));
}

}  // namespace caregate
