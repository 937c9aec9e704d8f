// caregate.v1.DisclosureService on the gRPC callback API.
//
// CheckDisclosure decides in memory on the calling thread (a dry run: nothing
// queued, nothing audited). SendDisclosure hands the SendDisclosureCommand to
// the Ledger and replies once it is durable. GetDisclosure reads the store on
// the executor. Every RPC is served from its raw request bytes
// (services/rpc/raw_call.h). Thread-safe; referenced objects must outlive the
// service.
#ifndef CAREGATE_SERVICES_DISCLOSURE_DISCLOSURE_SERVICE_H_
#define CAREGATE_SERVICES_DISCLOSURE_DISCLOSURE_SERVICE_H_

#include "caregate/v1/disclosure_service.grpc.pb.h"
#include "services/common/clock.h"
#include "services/disclosure/send_command.h"
#include "services/rpc/call_admission.h"
#include "services/rpc/executor.h"
#include "services/store/store.h"

namespace caregate {

using DisclosureServiceBase =
    v1::DisclosureService::WithRawCallbackMethod_CheckDisclosure<
        v1::DisclosureService::WithRawCallbackMethod_SendDisclosure<
            v1::DisclosureService::WithRawCallbackMethod_GetDisclosure<
                v1::DisclosureService::Service>>>;

class DisclosureService final : public DisclosureServiceBase {
 public:
  DisclosureService(CallAdmission* admission, Ledger* ledger, Store* store,
                    Executor* executor, const Clock* clock, SendContext send)
      : admission_(admission),
        ledger_(ledger),
        store_(store),
        executor_(executor),
        clock_(clock),
        send_(send) {}

  grpc::ServerUnaryReactor* CheckDisclosure(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* SendDisclosure(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetDisclosure(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;

 private:
  using Call = std::shared_ptr<UnaryCall>;
  void Check(Call call, const v1::CheckDisclosureRequest& request,
             v1::CheckDisclosureResponse* response);
  // Moves the disclosure and request id out of `request` into the command.
  void Send(Call call, v1::SendDisclosureRequest& request,
            v1::SendDisclosureResponse* response);
  void Get(Call call, const v1::GetDisclosureRequest& request,
           v1::DisclosureRecord* response);
  void ReadDisclosure(std::shared_ptr<UnaryCall> call,
                      std::string disclosure_id,
                      v1::DisclosureRecord* response);

  CallAdmission* const admission_;
  Ledger* const ledger_;
  Store* const store_;
  Executor* const executor_;
  const Clock* const clock_;
  const SendContext send_;
};

// The FAILED_PRECONDITION status of a denied send, and its details: a
// serialized google.rpc.Status carrying the Decision.
std::pair<absl::Status, std::string> DeniedStatus(
    const DecisionResult& decision);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_DISCLOSURE_DISCLOSURE_SERVICE_H_
