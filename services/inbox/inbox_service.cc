#include "services/inbox/inbox_service.h"

#include <utility>

#include "services/common/proto_time.h"
#include "services/inbox/acknowledge_command.h"
#include "services/inbox/inbox_reader.h"
#include "services/validation/request_fields.h"

namespace caregate {

grpc::ServerUnaryReactor* InboxService::ListMessages(
    grpc::CallbackServerContext* context,
    const v1::ListMessagesRequest* request,
    v1::ListMessagesResponse* response) {
  auto call = UnaryCall::Start(context, Rpc::kListMessages);
  if (admission_->Admit(call) == nullptr) return call->reactor();
  absl::StatusOr<int> page_size =
      ValidatePageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  absl::StatusOr<int64_t> after_seq = DecodePageToken(request->page_token());
  absl::Status valid = page_size.status();
  if (valid.ok()) valid = after_seq.status();
  if (!valid.ok()) {
    call->Finish(valid);
    return call->reactor();
  }
  executor_->Post([this, call, include = request->include_acknowledged(),
                   after = *after_seq, size = *page_size, response] {
    ReadMessages(call, include, after, size, response);
  });
  return call->reactor();
}

void InboxService::ReadMessages(std::shared_ptr<UnaryCall> call,
                                bool include_acknowledged, int64_t after_seq,
                                int page_size,
                                v1::ListMessagesResponse* response) {
  absl::StatusOr<InboxPage> page =
      ReadInboxPage(*store_, *cipher_, call->principal().org_id,
                    include_acknowledged, after_seq, page_size);
  if (!page.ok()) return call->Finish(page.status());
  for (v1::Message& message : page->messages) {
    *response->add_messages() = std::move(message);
  }
  if (page->more)
    response->set_next_page_token(EncodePageToken(page->last_seq));
  call->Finish(absl::OkStatus());
}

grpc::ServerWriteReactor<v1::Message>* InboxService::StreamMessages(
    grpc::CallbackServerContext* context,
    const v1::StreamMessagesRequest* /*request*/) {
  return MessageStream::Start(
      context, MessageStreamDeps{admission_, store_, executor_, cipher_, bus_,
                                 &streams_});
}

void InboxService::CloseStreams() {
  streams_.CloseAll(absl::UnavailableError("gateway is shutting down"));
}

grpc::ServerUnaryReactor* InboxService::AcknowledgeMessage(
    grpc::CallbackServerContext* context,
    const v1::AcknowledgeMessageRequest* request,
    v1::AcknowledgeMessageResponse* response) {
  auto call = UnaryCall::Start(context, Rpc::kAcknowledgeMessage);
  if (admission_->Admit(call) == nullptr) return call->reactor();
  absl::Status valid = ValidateIdField(request->message_id(), "message_id",
                                       admission_->config().limits());
  if (!valid.ok()) {
    call->Finish(valid);
    return call->reactor();
  }
  executor_->Post([this, call, id = request->message_id(), response] {
    Acknowledge(call, id, response);
  });
  return call->reactor();
}

void InboxService::Acknowledge(std::shared_ptr<UnaryCall> call,
                               std::string message_id,
                               v1::AcknowledgeMessageResponse* response) {
  // The write transaction cannot read disclosures by id, so the disclosure
  // that names the patient is read here; the command decides on the message
  // as it is when the command runs.
  const PrincipalInfo& actor = call->principal();
  std::optional<DisclosureRow> disclosure;
  absl::StatusOr<std::optional<MessageRow>> message =
      store_->GetMessage(message_id);
  if (!message.ok()) return call->Finish(message.status());
  if (message->has_value() && (*message)->recipient_org_id == actor.org_id) {
    absl::StatusOr<std::optional<DisclosureRow>> row =
        store_->GetDisclosure((*message)->disclosure_id);
    if (!row.ok()) return call->Finish(row.status());
    disclosure = *std::move(row);
  }
  auto result = std::make_shared<absl::StatusOr<absl::Time>>(
      absl::InternalError("acknowledge command did not run"));
  ledger_->Submit(AcknowledgeMessageCommand(std::move(message_id), actor,
                                            std::move(disclosure), result),
                  [call, response, result](absl::Status s) {
                    if (s.ok()) s = result->status();
                    if (s.ok())
                      *response->mutable_acknowledged_at() =
                          ToProtoTime(**result);
                    call->Finish(s);
                  });
}

}  // namespace caregate
