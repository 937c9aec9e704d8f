#include "tests/crash/crash_calls.h"

#include <chrono>
#include <utility>

namespace caregate::crash {
namespace {

std::unique_ptr<grpc::ClientContext> Context(absl::Duration deadline) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(deadline));
  return ctx;
}

// Records one attempt's status; true when it was an answer.
bool Record(const grpc::Status& status, CallState& call) {
  ++call.attempts;
  if (!IsAnswer(status.error_code())) {
    call.error = status.error_message();
    call.code = status.error_code();
    return false;
  }
  call.answered = true;
  call.code = status.error_code();
  call.error = status.ok() ? "" : status.error_message();
  return true;
}

}  // namespace

bool IsAnswer(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::OUT_OF_RANGE:
      return true;
    default:
      return false;
  }
}

void CallRecords::Append(CallRecords other) {
  for (SendCall& c : other.sends) sends.push_back(std::move(c));
  for (AckCall& c : other.acks) acks.push_back(std::move(c));
  for (RevokeCall& c : other.revokes) revokes.push_back(std::move(c));
}

int CallRecords::Unanswered() const {
  int n = 0;
  for (const auto& c : sends) n += !c.answered;
  for (const auto& c : acks) n += !c.answered;
  for (const auto& c : revokes) n += !c.answered;
  return n;
}

void AttemptSend(v1::DisclosureService::Stub& stub, SendCall& call,
                 absl::Duration deadline) {
  if (call.answered) return;
  v1::SendDisclosureRequest request;
  *request.mutable_disclosure() = call.disclosure;
  request.set_request_id(call.request_id);
  v1::SendDisclosureResponse response;
  const grpc::Status status =
      stub.SendDisclosure(Context(deadline).get(), request, &response);
  if (!Record(status, call)) return;
  if (status.ok()) call.receipt = std::move(*response.mutable_receipt());
  call.disclosure.Clear();
}

void AttemptAck(v1::InboxService::Stub& stub, AckCall& call,
                absl::Duration deadline) {
  if (call.answered) return;
  v1::AcknowledgeMessageRequest request;
  request.set_message_id(call.message_id);
  v1::AcknowledgeMessageResponse response;
  Record(stub.AcknowledgeMessage(Context(deadline).get(), request, &response),
         call);
}

void AttemptRevoke(v1::ConsentService::Stub& stub, RevokeCall& call,
                   absl::Duration deadline) {
  if (call.answered) return;
  v1::RevokeConsentRequest request;
  request.set_consent_id(call.consent_id);
  request.set_reason("patient revoked in writing (crash test)");
  v1::Consent response;
  Record(stub.RevokeConsent(Context(deadline).get(), request, &response), call);
}

}  // namespace caregate::crash
