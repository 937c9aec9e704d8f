// caregate.v1.DeliveryService on the gRPC callback API: compliance staff and
// administrators see what push delivery has not got through, and put a
// failed delivery back in the outbox.
//
// ListDeliveries pages messages by state and recipient from the Store (no
// content: ids, states, attempts, errors, times) on the executor.
// RetryDelivery reads the message and its disclosure on the executor, then
// hands RetryDeliveryCommand (services/delivery/outbox_commands.h) to the
// Ledger and replies once the retry is durable; the push dispatcher finds
// the message due at its next look. Who may call is decided by the RPC table
// (services/security/rpc_policy.h) through CallAdmission, as for every
// service. Unary RPCs are served from their raw request bytes.
//
// Thread-safe; referenced objects must outlive the service, and the service
// must outlive the gRPC server it is registered with.
#ifndef CAREGATE_SERVICES_DELIVERY_SERVICE_DELIVERY_SERVICE_H_
#define CAREGATE_SERVICES_DELIVERY_SERVICE_DELIVERY_SERVICE_H_

#include <memory>
#include <string>

#include "caregate/v1/delivery_service.grpc.pb.h"
#include "services/config/gateway_config.h"
#include "services/ledger/ledger.h"
#include "services/rpc/call_admission.h"
#include "services/rpc/executor.h"
#include "services/rpc/unary_call.h"
#include "services/store/records.h"
#include "services/store/store.h"

namespace caregate {

// A stored message as DeliveryService shows it; `directory` names how its
// recipient receives.
v1::Delivery DeliveryProto(const MessageRow& message,
                           const Directory& directory);

using DeliveryServiceBase =
    v1::DeliveryService::WithRawCallbackMethod_ListDeliveries<
        v1::DeliveryService::WithRawCallbackMethod_RetryDelivery<
            v1::DeliveryService::Service>>;

class DeliveryService final : public DeliveryServiceBase {
 public:
  static constexpr int kDefaultPageSize = 50;
  static constexpr int kMaxPageSize = 500;

  DeliveryService(CallAdmission* admission, Ledger* ledger, Store* store,
                  Executor* executor, const GatewayConfig* config)
      : admission_(admission),
        ledger_(ledger),
        store_(store),
        executor_(executor),
        config_(config) {}

  grpc::ServerUnaryReactor* ListDeliveries(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RetryDelivery(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;

 private:
  using Call = std::shared_ptr<UnaryCall>;
  void List(Call call, const v1::ListDeliveriesRequest& request,
            v1::ListDeliveriesResponse* response);
  void ReadPage(Call call, DeliveryQuery query,
                v1::ListDeliveriesResponse* response);
  void Retry(Call call, const v1::RetryDeliveryRequest& request,
             v1::RetryDeliveryResponse* response);
  void SubmitRetry(Call call, std::string message_id,
                   v1::RetryDeliveryResponse* response);

  CallAdmission* const admission_;
  Ledger* const ledger_;
  Store* const store_;
  Executor* const executor_;
  const GatewayConfig* const config_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_DELIVERY_SERVICE_DELIVERY_SERVICE_H_
