#include "services/inbox/inbox_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/proto_time.h"
#include "services/inbox/acknowledge_command.h"
#include "services/rpc/raw_call.h"
#include "services/validation/request_fields.h"

namespace caregate {
namespace {

std::string NoMessage(const std::string& id) {
  return absl::StrCat("message_id: no message ", id);
}

}  // namespace

grpc::ServerUnaryReactor* InboxService::ListMessages(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListMessagesRequest, v1::ListMessagesResponse>(
      *admission_, Rpc::kListMessages, context, request, response,
      [this](Call call, const auto& req, auto* resp) { List(call, req, resp); });
}

grpc::ServerUnaryReactor* InboxService::GetMessage(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetMessageRequest, v1::Message>(
      *admission_, Rpc::kGetMessage, context, request, response,
      [this](Call call, const auto& req, auto* resp) { Get(call, req, resp); });
}

grpc::ServerUnaryReactor* InboxService::AcknowledgeMessage(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::AcknowledgeMessageRequest,
                    v1::AcknowledgeMessageResponse>(
      *admission_, Rpc::kAcknowledgeMessage, context, request, response,
      [this](Call call, const auto& req, auto* resp) { Ack(call, req, resp); });
}

grpc::ServerWriteReactor<v1::Message>* InboxService::StreamMessages(
    grpc::CallbackServerContext* context,
    const v1::StreamMessagesRequest* /*request*/) {
  return MessageStream::Start(
      context, MessageStreamDeps{admission_, store_, executor_, cipher_,
                                 notifier_, &streams_});
}

void InboxService::CloseStreams() {
  streams_.CloseAll(absl::UnavailableError("gateway is shutting down"));
}

void InboxService::List(Call call, const v1::ListMessagesRequest& request,
                        v1::ListMessagesResponse* response) {
  absl::StatusOr<int> page_size =
      ValidatePageSize(request.page_size(), kDefaultPageSize, kMaxPageSize);
  absl::StatusOr<int64_t> after_seq = DecodePageToken(request.page_token());
  absl::Status valid = page_size.status();
  if (valid.ok()) valid = after_seq.status();
  if (!valid.ok()) return call->Finish(valid);
  InboxPageRequest page;
  page.include_acknowledged = request.include_acknowledged();
  page.after_seq = *after_seq;
  page.through_seq = notifier_->visible_seq();
  page.max_messages = *page_size;
  page.max_bytes = kMaxPageBytes;
  page.summaries = true;
  executor_->Post([this, call, page, response] {
    ReadMessages(call, page, response);
  });
}

void InboxService::ReadMessages(Call call, InboxPageRequest request,
                                v1::ListMessagesResponse* response) {
  absl::StatusOr<InboxPage> page =
      ReadInboxPage(*store_, *cipher_, call->principal().org_id, request);
  if (!page.ok()) return call->Finish(page.status());
  for (v1::Message& message : page->messages) {
    *response->add_messages() = std::move(message);
  }
  if (page->more) {
    response->set_next_page_token(EncodePageToken(page->last_seq));
  }
  call->Finish(absl::OkStatus());
}

void InboxService::Get(Call call, const v1::GetMessageRequest& request,
                       v1::Message* response) {
  absl::Status valid = ValidateIdField(request.message_id(), "message_id",
                                       admission_->config().limits());
  if (!valid.ok()) return call->Finish(valid);
  executor_->Post([this, call, id = request.message_id(), response] {
    ReadMessage(call, id, response);
  });
}

void InboxService::ReadMessage(Call call, std::string message_id,
                               v1::Message* response) {
  bool other_organization = false;
  absl::StatusOr<std::optional<v1::Message>> message =
      ReadInboxMessage(*store_, *cipher_, call->principal().org_id,
                       message_id, &other_organization);
  if (!message.ok()) return call->Finish(message.status());
  if (!message->has_value()) {
    return call->Finish(admission_->RefuseId(call->principal(), call->rpc(),
                                             message_id, NoMessage(message_id),
                                             other_organization));
  }
  *response = **std::move(message);
  call->Finish(absl::OkStatus());
}

void InboxService::Ack(Call call, const v1::AcknowledgeMessageRequest& request,
                       v1::AcknowledgeMessageResponse* response) {
  absl::Status valid = ValidateIdField(request.message_id(), "message_id",
                                       admission_->config().limits());
  if (!valid.ok()) return call->Finish(valid);
  executor_->Post([this, call, id = request.message_id(), response] {
    Acknowledge(call, id, response);
  });
}

void InboxService::Acknowledge(Call call, std::string message_id,
                               v1::AcknowledgeMessageResponse* response) {
  // The write transaction cannot read disclosures by id, so the disclosure
  // that names the patient is read here; the command decides on the message
  // as it is when the command runs.
  const PrincipalInfo& actor = call->principal();
  absl::StatusOr<std::optional<MessageRow>> message =
      store_->GetMessage(message_id);
  if (!message.ok()) return call->Finish(message.status());
  const bool other_organization =
      message->has_value() && (*message)->recipient_org_id != actor.org_id;
  if (!message->has_value() || other_organization) {
    return call->Finish(admission_->RefuseId(actor, call->rpc(), message_id,
                                             NoMessage(message_id),
                                             other_organization));
  }
  absl::StatusOr<std::optional<DisclosureRow>> disclosure =
      store_->GetDisclosure((*message)->disclosure_id);
  if (!disclosure.ok()) return call->Finish(disclosure.status());
  auto result = std::make_shared<absl::StatusOr<absl::Time>>(
      absl::InternalError("acknowledge command did not run"));
  ledger_->Submit(AcknowledgeMessageCommand(std::move(message_id), actor,
                                            *std::move(disclosure), result),
                  [call, response, result](absl::Status s) {
                    if (s.ok()) s = result->status();
                    if (s.ok()) {
                      *response->mutable_acknowledged_at() =
                          ToProtoTime(**result);
                    }
                    call->Finish(s);
                  });
}

}  // namespace caregate
