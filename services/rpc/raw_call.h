// Serving a unary RPC from the raw bytes of its request, in the one order
// every handler follows: admit (identity, limits, role) -> parse (a request
// protobuf cannot parse is INVALID_ARGUMENT naming the field, not gRPC's
// bare UNIMPLEMENTED) -> the handler validates, calls the gRPC-free
// application code and finishes the call.
//
// Services register their unary methods raw (the generated
// WithRawCallbackMethod_<Rpc> classes) and forward each to ServeUnary.
#ifndef CAREGATE_SERVICES_RPC_RAW_CALL_H_
#define CAREGATE_SERVICES_RPC_RAW_CALL_H_

#include <memory>
#include <utility>

#include "grpcpp/grpcpp.h"
#include "services/rpc/call_admission.h"
#include "services/rpc/request_parser.h"
#include "services/rpc/unary_call.h"

namespace caregate {

// `handler(std::shared_ptr<UnaryCall> call, Request&, Response*)` must
// finish the call exactly once, now or later from any thread; the request
// and response live as long as the call (a handler may move parts of the
// request into work that outlives it, or take it as const Request&).
template <typename Request, typename Response, typename Handler>
grpc::ServerUnaryReactor* ServeUnary(CallAdmission& admission, Rpc rpc,
                                     grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request_bytes,
                                     grpc::ByteBuffer* reply,
                                     Handler&& handler) {
  auto call =
      std::make_shared<TypedCall<Request, Response>>(context, rpc, reply);
  if (admission.Admit(call, request_bytes->Length()) == nullptr) {
    return call->reactor();
  }
  absl::Status parsed = ParseRequest(*request_bytes, &call->request());
  if (!parsed.ok()) {
    call->Finish(parsed);
    return call->reactor();
  }
  std::forward<Handler>(handler)(std::shared_ptr<UnaryCall>(call),
                                 call->request(), call->response());
  return call->reactor();
}

}  // namespace caregate

#endif  // CAREGATE_SERVICES_RPC_RAW_CALL_H_
