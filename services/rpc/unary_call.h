// One unary RPC in flight on the callback API: its reactor, its caller, and
// the one place where its status is mapped to gRPC and logged.
//
// Requests arrive as raw bytes (raw_call.h parses them, so a request protobuf
// cannot parse answers INVALID_ARGUMENT naming the field); a TypedCall holds
// the parsed request and the response, and writes the response's bytes when
// the call finishes OK.
//
// Finish() may be called from any thread, exactly once. Hold the call in a
// std::shared_ptr across asynchronous work.
#ifndef CAREGATE_SERVICES_RPC_UNARY_CALL_H_
#define CAREGATE_SERVICES_RPC_UNARY_CALL_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/byte_buffer.h"
#include "services/config/gateway_config.h"
#include "services/security/rpc_policy.h"

namespace caregate {

// absl::Status -> grpc::Status: same canonical code and message. A status
// carrying a retry delay (WithRetryDelay) also carries a google.rpc.Status
// with a google.rpc.RetryInfo in its details (grpc-status-details-bin).
grpc::Status ToGrpcStatus(const absl::Status& status);

// `status` with a retry delay attached, for RESOURCE_EXHAUSTED answers.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

class UnaryCall {
 public:
  UnaryCall(grpc::CallbackServerContext* context, Rpc rpc);
  virtual ~UnaryCall();

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
  // Runs once when the call finishes (CallAdmission's in-flight count).
  void set_on_finish(std::function<void()> fn) { on_finish_ = std::move(fn); }

  void Finish(const absl::Status& status);
  // Finishes with `status` and `details`, a serialized google.rpc.Status sent
  // in the grpc-status-details-bin trailer.
  void FinishWithDetails(const absl::Status& status, std::string details);

 protected:
  // Writes the response's bytes; called by an OK Finish before gRPC hears of
  // it. The base call has no response body.
  virtual absl::Status WriteResponse() { return absl::OkStatus(); }

 private:
  void Done(absl::StatusCode code);

  grpc::CallbackServerContext* const context_;
  grpc::ServerUnaryReactor* const reactor_;
  const Rpc rpc_;
  const absl::Time start_;
  const PrincipalInfo* principal_ = nullptr;
  std::function<void()> on_finish_;
};

// A call whose request and response are protobuf messages of these types,
// owned by the call; the response is serialized into the raw reply buffer.
template <typename Request, typename Response>
class TypedCall final : public UnaryCall {
 public:
  TypedCall(grpc::CallbackServerContext* context, Rpc rpc,
            grpc::ByteBuffer* reply)
      : UnaryCall(context, rpc), reply_(reply) {}

  Request& request() { return request_; }
  Response* response() { return &response_; }

 private:
  absl::Status WriteResponse() override {
    bool own_buffer = false;
    const grpc::Status s = grpc::SerializationTraits<Response>::Serialize(
        response_, reply_, &own_buffer);
    if (s.ok()) return absl::OkStatus();
    return absl::InternalError("response could not be serialized");
  }

  Request request_;
  Response response_;
  grpc::ByteBuffer* const reply_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_RPC_UNARY_CALL_H_
