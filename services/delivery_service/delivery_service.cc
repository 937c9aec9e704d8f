#include "services/delivery_service/delivery_service.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/proto_time.h"
#include "services/delivery/outbox_commands.h"
#include "services/rpc/raw_call.h"
#include "services/validation/request_fields.h"

namespace caregate {
namespace {

std::string_view TransportName(const Directory& directory,
                               const std::string& org_id) {
  const OrganizationInfo* org = directory.FindOrganization(org_id);
  if (org == nullptr) return "unknown";
  switch (org->delivery.kind) {
    case DeliveryEndpoint::Kind::kGrpc:
      return "grpc";
    case DeliveryEndpoint::Kind::kFhir:
      return "fhir";
    case DeliveryEndpoint::Kind::kNone:
      return "pull";
  }
  return "unknown";
}

void SetTime(const std::optional<absl::Time>& t,
             google::protobuf::Timestamp* out) {
  if (t.has_value()) *out = ToProtoTime(*t);
}

// The request's filters, or INVALID_ARGUMENT / NOT_FOUND naming the field.
absl::StatusOr<DeliveryQuery> QueryOf(const v1::ListDeliveriesRequest& request,
                                      const GatewayConfig& config,
                                      int default_size, int max_size) {
  DeliveryQuery query;
  if (!v1::DeliveryState_IsValid(request.state())) {
    return absl::InvalidArgumentError(
        absl::StrCat("state: unknown delivery state ", request.state()));
  }
  query.state = request.state();
  if (!request.recipient_org_id().empty()) {
    absl::Status valid = ValidateIdField(request.recipient_org_id(),
                                         "recipient_org_id", config.limits());
    if (!valid.ok()) return valid;
    if (config.directory().FindOrganization(request.recipient_org_id()) ==
        nullptr) {
      return absl::NotFoundError(absl::StrCat(
          "recipient_org_id: no organization ", request.recipient_org_id()));
    }
    query.recipient_org_id = request.recipient_org_id();
  }
  absl::StatusOr<int> page_size =
      ValidatePageSize(request.page_size(), default_size, max_size);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<int64_t> after_seq = DecodePageToken(request.page_token());
  if (!after_seq.ok()) return after_seq.status();
  query.after_seq = *after_seq;
  query.limit = *page_size + 1;  // one more tells whether a next page exists
  return query;
}

}  // namespace

v1::Delivery DeliveryProto(const MessageRow& m, const Directory& directory) {
  v1::Delivery d;
  d.set_message_id(m.message_id);
  d.set_disclosure_id(m.disclosure_id);
  d.set_recipient_org_id(m.recipient_org_id);
  d.set_transport(std::string(TransportName(directory, m.recipient_org_id)));
  d.set_state(m.state);
  d.set_delivery_attempts(m.delivery_attempts);
  d.set_last_delivery_error(m.last_delivery_error);
  *d.mutable_created_at() = ToProtoTime(m.created_at);
  SetTime(m.next_attempt_at, d.mutable_next_attempt_at());
  SetTime(m.delivered_at, d.mutable_delivered_at());
  SetTime(m.acknowledged_at, d.mutable_acknowledged_at());
  SetTime(m.retried_at, d.mutable_retried_at());
  d.set_audit_seq(m.seq);
  return d;
}

grpc::ServerUnaryReactor* DeliveryService::ListDeliveries(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListDeliveriesRequest, v1::ListDeliveriesResponse>(
      *admission_, Rpc::kListDeliveries, context, request, response,
      [this](Call call, const auto& req, auto* resp) {
        List(call, req, resp);
      });
}

grpc::ServerUnaryReactor* DeliveryService::RetryDelivery(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::RetryDeliveryRequest, v1::RetryDeliveryResponse>(
      *admission_, Rpc::kRetryDelivery, context, request, response,
      [this](Call call, const auto& req, auto* resp) {
        Retry(call, req, resp);
      });
}

void DeliveryService::List(Call call, const v1::ListDeliveriesRequest& request,
                           v1::ListDeliveriesResponse* response) {
  absl::StatusOr<DeliveryQuery> query =
      QueryOf(request, *config_, kDefaultPageSize, kMaxPageSize);
  if (!query.ok()) return call->Finish(query.status());
  executor_->Post([this, call, query = *std::move(query), response] {
    ReadPage(call, query, response);
  });
}

void DeliveryService::ReadPage(Call call, DeliveryQuery query,
                               v1::ListDeliveriesResponse* response) {
  absl::StatusOr<std::vector<MessageRow>> rows = store_->ListDeliveries(query);
  if (!rows.ok()) return call->Finish(rows.status());
  const size_t page_size = static_cast<size_t>(query.limit - 1);
  const bool more = rows->size() > page_size;
  if (more) rows->resize(page_size);
  for (const MessageRow& row : *rows) {
    *response->add_deliveries() = DeliveryProto(row, config_->directory());
  }
  if (more && !rows->empty()) {
    response->set_next_page_token(EncodePageToken(rows->back().seq));
  }
  call->Finish(absl::OkStatus());
}

void DeliveryService::Retry(Call call, const v1::RetryDeliveryRequest& request,
                            v1::RetryDeliveryResponse* response) {
  absl::Status valid =
      ValidateIdField(request.message_id(), "message_id", config_->limits());
  if (!valid.ok()) return call->Finish(valid);
  executor_->Post([this, call, id = request.message_id(), response] {
    SubmitRetry(call, id, response);
  });
}

void DeliveryService::SubmitRetry(Call call, std::string message_id,
                                  v1::RetryDeliveryResponse* response) {
  // The write transaction cannot read disclosures by id, so the disclosure
  // that names the patient for the audit event is read here; the command
  // decides on the message as it is when the command runs.
  absl::StatusOr<std::optional<MessageRow>> message =
      store_->GetMessage(message_id);
  if (!message.ok()) return call->Finish(message.status());
  if (!message->has_value()) {
    return call->Finish(absl::NotFoundError(
        absl::StrCat("message_id: no message ", message_id)));
  }
  absl::StatusOr<std::optional<DisclosureRow>> disclosure =
      store_->GetDisclosure((*message)->disclosure_id);
  if (!disclosure.ok()) return call->Finish(disclosure.status());
  auto result = std::make_shared<absl::StatusOr<RetriedDelivery>>(
      absl::InternalError("retry command did not run"));
  ledger_->Submit(RetryDeliveryCommand(std::move(message_id), call->principal(),
                                       *std::move(disclosure), result),
                  [this, call, response, result](absl::Status s) {
                    if (s.ok()) s = result->status();
                    if (s.ok()) {
                      *response->mutable_delivery() = DeliveryProto(
                          (*result)->message, config_->directory());
                      response->set_audit_seq((*result)->audit_seq);
                    }
                    call->Finish(s);
                  });
}

}  // namespace caregate
