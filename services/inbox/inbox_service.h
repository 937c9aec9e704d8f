// caregate.v1.InboxService on the gRPC callback API: a CLINIC reads and
// acknowledges its own organization's inbox.
//
// ListMessages pages summaries (no section bodies, a page bounded in count
// and bytes) and GetMessage reads one whole message, both on the executor.
// StreamMessages is a MessageStream (message_stream.h). AcknowledgeMessage
// reads the message on the executor, refuses ids that are unknown or belong
// to another organization (CallAdmission::RefuseId), then hands
// AcknowledgeMessageCommand to the Ledger and replies once the
// acknowledgement is durable. Stored messages are sealed with `cipher`; one
// that cannot be opened fails its call with DATA_LOSS. Unary RPCs are served
// from their raw request bytes (services/rpc/raw_call.h).
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
#include "services/crypto/data_cipher.h"
#include "services/delivery/message_notifier.h"
#include "services/inbox/inbox_reader.h"
#include "services/inbox/message_stream.h"
#include "services/ledger/ledger.h"
#include "services/rpc/call_admission.h"
#include "services/rpc/executor.h"
#include "services/rpc/unary_call.h"
#include "services/store/store.h"

namespace caregate {

using InboxServiceBase = v1::InboxService::WithRawCallbackMethod_ListMessages<
    v1::InboxService::WithRawCallbackMethod_GetMessage<
        v1::InboxService::WithCallbackMethod_StreamMessages<
            v1::InboxService::WithRawCallbackMethod_AcknowledgeMessage<
                v1::InboxService::Service>>>>;

class InboxService final : public InboxServiceBase {
 public:
  static constexpr int kDefaultPageSize = 50;
  static constexpr int kMaxPageSize = 500;
  static constexpr size_t kMaxPageBytes = 1 << 20;

  InboxService(CallAdmission* admission, Ledger* ledger, Store* store,
               Executor* executor, const DataCipher* cipher,
               MessageNotifier* notifier)
      : admission_(admission),
        ledger_(ledger),
        store_(store),
        executor_(executor),
        cipher_(cipher),
        notifier_(notifier) {}

  grpc::ServerUnaryReactor* ListMessages(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetMessage(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<v1::Message>* StreamMessages(
      grpc::CallbackServerContext* context,
      const v1::StreamMessagesRequest* request) override;
  grpc::ServerUnaryReactor* AcknowledgeMessage(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;

  // Finishes every open stream, and every later one, with UNAVAILABLE.
  void CloseStreams();

 private:
  using Call = std::shared_ptr<UnaryCall>;
  void List(Call call, const v1::ListMessagesRequest& request,
            v1::ListMessagesResponse* response);
  void Get(Call call, const v1::GetMessageRequest& request,
           v1::Message* response);
  void Ack(Call call, const v1::AcknowledgeMessageRequest& request,
           v1::AcknowledgeMessageResponse* response);
  void ReadMessages(Call call, InboxPageRequest page,
                    v1::ListMessagesResponse* response);
  void ReadMessage(Call call, std::string message_id, v1::Message* response);
  void Acknowledge(Call call, std::string message_id,
                   v1::AcknowledgeMessageResponse* response);

  CallAdmission* const admission_;
  Ledger* const ledger_;
  Store* const store_;
  Executor* const executor_;
  const DataCipher* const cipher_;
  MessageNotifier* const notifier_;
  InboxStreams streams_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_INBOX_INBOX_SERVICE_H_
