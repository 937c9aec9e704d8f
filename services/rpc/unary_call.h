// One unary RPC in flight on the callback API: its reactor, its caller, and
// the one place where its status is mapped to gRPC and logged.
//
// Finish() may be called from any thread, exactly once. Hold the call in a
// std::shared_ptr across asynchronous work.
#ifndef CAREGATE_SERVICES_RPC_UNARY_CALL_H_
#define CAREGATE_SERVICES_RPC_UNARY_CALL_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "services/config/gateway_config.h"
#include "services/security/rpc_policy.h"

namespace caregate {

// absl::Status -> grpc::Status (same canonical codes, same message).
grpc::Status ToGrpcStatus(const absl::Status& status);

class UnaryCall {
 public:
  UnaryCall(grpc::CallbackServerContext* context, Rpc rpc);

  static std::shared_ptr<UnaryCall> Start(grpc::CallbackServerContext* context,
                                          Rpc rpc) {
    return std::make_shared<UnaryCall>(context, rpc);
  }

  grpc::ServerUnaryReactor* reactor() const { return reactor_; }
  grpc::CallbackServerContext* context() const { return context_; }
  Rpc rpc() const { return rpc_; }

  // The admitted caller; set by CallAdmission.
  void set_principal(const PrincipalInfo* principal) { principal_ = principal; }
  const PrincipalInfo& principal() const { return *principal_; }

  void Finish(const absl::Status& status);
  // Finishes with `status` and `details`, a serialized google.rpc.Status sent
  // in the grpc-status-details-bin trailer.
  void FinishWithDetails(const absl::Status& status, std::string details);

 private:
  grpc::CallbackServerContext* const context_;
  grpc::ServerUnaryReactor* const reactor_;
  const Rpc rpc_;
  const absl::Time start_;
  const PrincipalInfo* principal_ = nullptr;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_RPC_UNARY_CALL_H_
