#include "services/disclosure/disclosure_service.h"

#include "absl/strings/str_cat.h"
#include "google/rpc/status.pb.h"
#include "services/common/proto_time.h"
#include "services/rpc/raw_call.h"
#include "services/validation/proto_convert.h"
#include "services/validation/request_fields.h"

namespace caregate {

std::pair<absl::Status, std::string> DeniedStatus(
    const DecisionResult& decision) {
  absl::Status status = absl::FailedPreconditionError(DenialMessage(decision));
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(status.message()));
  details.add_details()->PackFrom(DecisionToProto(decision));
  return {status, details.SerializeAsString()};
}

grpc::ServerUnaryReactor* DisclosureService::CheckDisclosure(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::CheckDisclosureRequest, v1::CheckDisclosureResponse>(
      *admission_, Rpc::kCheckDisclosure, context, request, response,
      [this](Call call, const auto& req, auto* resp) {
        Check(call, req, resp);
      });
}

grpc::ServerUnaryReactor* DisclosureService::SendDisclosure(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::SendDisclosureRequest, v1::SendDisclosureResponse>(
      *admission_, Rpc::kSendDisclosure, context, request, response,
      [this](Call call, auto& req, auto* resp) { Send(call, req, resp); });
}

grpc::ServerUnaryReactor* DisclosureService::GetDisclosure(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetDisclosureRequest, v1::DisclosureRecord>(
      *admission_, Rpc::kGetDisclosure, context, request, response,
      [this](Call call, const auto& req, auto* resp) { Get(call, req, resp); });
}

void DisclosureService::Check(Call call,
                              const v1::CheckDisclosureRequest& request,
                              v1::CheckDisclosureResponse* response) {
  const GatewayConfig& config = admission_->config();
  absl::StatusOr<ValidatedDisclosure> validated = ValidateDisclosure(
      request.disclosure(), config.directory(), config.limits());
  if (!validated.ok()) return call->Finish(validated.status());
  DecisionResult decision = send_.index->Decide(
      MakeDecisionRequest(call->principal().org_id, *validated, clock_->Now()));
  *response->mutable_decision() = DecisionToProto(decision);
  call->Finish(absl::OkStatus());
}

void DisclosureService::Send(Call call, v1::SendDisclosureRequest& request,
                             v1::SendDisclosureResponse* response) {
  const PrincipalInfo& actor = call->principal();
  const GatewayConfig& config = admission_->config();
  absl::Status request_id_ok =
      ValidateRequestId(request.request_id(), config.limits(), true);
  if (!request_id_ok.ok()) return call->Finish(request_id_ok);
  absl::StatusOr<ValidatedDisclosure> validated = ValidateDisclosure(
      request.disclosure(), config.directory(), config.limits());
  if (!validated.ok()) return call->Finish(validated.status());
  // Signing and sealing happen here, off the single writer thread.
  SendDraft draft = PrepareSend(send_, actor, *validated, request.disclosure(),
                                clock_->Now());
  auto outcome = std::make_shared<SendOutcome>();
  ledger_->Submit(
      SendDisclosureCommand(send_, actor, *std::move(validated),
                            std::make_shared<const v1::Disclosure>(
                                std::move(*request.mutable_disclosure())),
                            std::move(*request.mutable_request_id()),
                            std::move(draft), outcome),
      [call, response, outcome](absl::Status s) {
        if (!s.ok()) {
          call->Finish(s);
        } else if (outcome->refusal.has_value()) {
          call->Finish(*outcome->refusal);
        } else if (outcome->receipt.has_value()) {
          *response->mutable_receipt() = *std::move(outcome->receipt);
          call->Finish(absl::OkStatus());
        } else {
          auto [status, details] = DeniedStatus(outcome->denial);
          call->FinishWithDetails(status, std::move(details));
        }
      });
}

namespace {

// The message's delivery as the sender sees it (no content).
void SetDeliveryFields(const MessageRow& m, v1::DisclosureRecord& record) {
  if (m.acknowledged_at.has_value()) {
    *record.mutable_acknowledged_at() = ToProtoTime(*m.acknowledged_at);
  }
  record.set_delivery_attempts(m.delivery_attempts);
  record.set_last_delivery_error(m.last_delivery_error);
  if (m.next_attempt_at.has_value()) {
    *record.mutable_next_attempt_at() = ToProtoTime(*m.next_attempt_at);
  }
  if (m.delivered_at.has_value()) {
    *record.mutable_delivered_at() = ToProtoTime(*m.delivered_at);
  }
}

}  // namespace

void DisclosureService::Get(Call call, const v1::GetDisclosureRequest& request,
                            v1::DisclosureRecord* response) {
  absl::Status valid = ValidateIdField(request.disclosure_id(), "disclosure_id",
                                       admission_->config().limits());
  if (!valid.ok()) return call->Finish(valid);
  executor_->Post([this, call, id = request.disclosure_id(), response] {
    ReadDisclosure(call, id, response);
  });
}

void DisclosureService::ReadDisclosure(std::shared_ptr<UnaryCall> call,
                                       std::string disclosure_id,
                                       v1::DisclosureRecord* response) {
  const std::string not_found =
      absl::StrCat("disclosure_id: no disclosure ", disclosure_id);
  absl::StatusOr<std::optional<DisclosureRow>> row =
      store_->GetDisclosure(disclosure_id);
  if (!row.ok()) return call->Finish(row.status());
  // Unknown and another practice's ids get the same answer at the same cost.
  const bool hidden =
      row->has_value() && (*row)->practice_org_id != call->principal().org_id;
  if (!row->has_value() || hidden) {
    return call->Finish(admission_->RefuseId(call->principal(), call->rpc(),
                                             disclosure_id, not_found, hidden));
  }
  const DisclosureRow& d = **row;
  absl::StatusOr<std::optional<MessageRow>> message =
      store_->GetMessage(d.message_id);
  if (!message.ok()) return call->Finish(message.status());
  v1::Receipt* receipt = response->mutable_receipt();
  receipt->set_disclosure_id(d.disclosure_id);
  receipt->mutable_decision()->ParseFromString(d.decision_bytes);
  receipt->set_audit_seq(d.audit_seq);
  receipt->set_content_sha256(d.content_sha256);
  receipt->set_delivery_state(message->has_value()
                                  ? (*message)->state
                                  : v1::DELIVERY_STATE_UNSPECIFIED);
  if (message->has_value()) SetDeliveryFields(**message, *response);
  response->set_patient_id(d.patient_id);
  response->set_recipient_org_id(d.recipient_org_id);
  response->set_recipient_provider_id(d.recipient_provider_id);
  response->set_purpose(d.purpose);
  for (v1::Category c : d.categories) response->add_categories(c);
  response->set_sender_principal_id(d.sender_principal_id);
  response->set_message_id(d.message_id);
  *response->mutable_created_at() = ToProtoTime(d.created_at);
  response->set_request_id(d.request_id);
  call->Finish(absl::OkStatus());
}

}  // namespace caregate
