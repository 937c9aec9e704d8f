// caregate.v1.InboxService on the gRPC callback API: a CLINIC reads and
// acknowledges its own organization's inbox.
//
// ListMessages reads the store on the executor. StreamMessages is a
// MessageStream (message_stream.h). AcknowledgeMessage reads the message's
// disclosure on the executor, then hands AcknowledgeMessageCommand to the
// Ledger and replies once the acknowledgement is durable. Stored messages are
// sealed with `cipher`; one that cannot be opened fails its call with
// DATA_LOSS.
//
// Thread-safe; referenced objects must outlive the service, and the service
// must outlive the gRPC server it is registered with. Before shutting the
// server down, call CloseStreams() so open streams end.
#ifndef CAREGATE_SERVICES_INBOX_INBOX_SERVICE_H_
#define CAREGATE_SERVICES_INBOX_INBOX_SERVICE_H_

#include <memory>
#include <optional>
#include <string>

#include "caregate/v1/inbox_service.grpc.pb.h"
#include "services/common/clock.h"
#include "services/crypto/data_cipher.h"
#include "services/delivery/message_bus.h"
#include "services/inbox/message_stream.h"
#include "services/ledger/ledger.h"
#include "services/rpc/call_admission.h"
#include "services/rpc/executor.h"
#include "services/rpc/unary_call.h"
#include "services/store/store.h"

namespace caregate {

class InboxService final : public v1::InboxService::CallbackService {
 public:
  static constexpr int kDefaultPageSize = 50;
  static constexpr int kMaxPageSize = 500;

  InboxService(CallAdmission* admission, Ledger* ledger, Store* store,
               Executor* executor, const Clock* clock, const DataCipher* cipher,
               MessageBus* bus)
      : admission_(admission),
        ledger_(ledger),
        store_(store),
        executor_(executor),
        clock_(clock),
        cipher_(cipher),
        bus_(bus) {}

  grpc::ServerUnaryReactor* ListMessages(
      grpc::CallbackServerContext* context,
      const v1::ListMessagesRequest* request,
      v1::ListMessagesResponse* response) override;
  grpc::ServerWriteReactor<v1::Message>* StreamMessages(
      grpc::CallbackServerContext* context,
      const v1::StreamMessagesRequest* request) override;
  grpc::ServerUnaryReactor* AcknowledgeMessage(
      grpc::CallbackServerContext* context,
      const v1::AcknowledgeMessageRequest* request,
      v1::AcknowledgeMessageResponse* response) override;

  // Finishes every open stream, and every later one, with UNAVAILABLE.
  void CloseStreams();

 private:
  void ReadMessages(std::shared_ptr<UnaryCall> call, bool include_acknowledged,
                    int64_t after_seq, int page_size,
                    v1::ListMessagesResponse* response);
  void Acknowledge(std::shared_ptr<UnaryCall> call, std::string message_id,
                   v1::AcknowledgeMessageResponse* response);

  CallAdmission* const admission_;
  Ledger* const ledger_;
  Store* const store_;
  Executor* const executor_;
  const Clock* const clock_;  // unused so far: times come from the Ledger
  const DataCipher* const cipher_;
  MessageBus* const bus_;
  InboxStreams streams_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_INBOX_INBOX_SERVICE_H_
