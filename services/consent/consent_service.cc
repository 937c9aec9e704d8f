#include "services/consent/consent_service.h"

#include "absl/strings/str_cat.h"
#include "services/consent/consent_commands.h"
#include "services/crypto/random.h"
#include "services/validation/consent_validation.h"
#include "services/validation/proto_convert.h"
#include "services/validation/request_fields.h"

namespace caregate {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

}  // namespace

grpc::ServerUnaryReactor* ConsentService::RecordConsent(
    grpc::CallbackServerContext* context,
    const v1::RecordConsentRequest* request, v1::Consent* response) {
  auto call = UnaryCall::Start(context, Rpc::kRecordConsent);
  const PrincipalInfo* actor = admission_->Admit(call);
  if (actor == nullptr) return call->reactor();
  const GatewayConfig& config = admission_->config();
  absl::Status request_id_ok =
      ValidateRequestId(request->request_id(), config.limits(), false);
  if (!request_id_ok.ok()) {
    call->Finish(request_id_ok);
    return call->reactor();
  }
  absl::StatusOr<ConsentRecord> consent = ValidateConsentForRecording(
      request->consent(), config.directory(), config.limits(), clock_->Now());
  if (!consent.ok()) {
    call->Finish(consent.status());
    return call->reactor();
  }
  consent->consent_id = NewId("cns");
  consent->practice_org_id = actor->org_id;
  consent->recorded_by = actor->principal_id;
  consent->request_id = request->request_id();
  auto result = std::make_shared<absl::StatusOr<ConsentRecord>>(
      absl::InternalError("not run"));
  ledger_->Submit(RecordConsentCommand(*std::move(consent), *actor, index_, result),
                  [this, call, response, result](absl::Status s) {
                    if (s.ok()) s = result->status();
                    if (s.ok()) *response = ConsentToProto(**result, clock_->Now());
                    call->Finish(s);
                  });
  return call->reactor();
}

grpc::ServerUnaryReactor* ConsentService::RevokeConsent(
    grpc::CallbackServerContext* context,
    const v1::RevokeConsentRequest* request, v1::Consent* response) {
  auto call = UnaryCall::Start(context, Rpc::kRevokeConsent);
  const PrincipalInfo* actor = admission_->Admit(call);
  if (actor == nullptr) return call->reactor();
  const InputLimits& limits = admission_->config().limits();
  absl::Status valid =
      ValidateIdField(request->consent_id(), "consent_id", limits);
  if (valid.ok()) {
    valid = ValidateTextField(request->reason(), "reason", kMaxFreeTextBytes,
                              /*required=*/true);
  }
  if (!valid.ok()) {
    call->Finish(valid);
    return call->reactor();
  }
  auto result = std::make_shared<absl::StatusOr<ConsentRecord>>(
      absl::InternalError("not run"));
  ledger_->Submit(RevokeConsentCommand(request->consent_id(), request->reason(),
                                       *actor, index_, result),
                  [this, call, response, result](absl::Status s) {
                    if (s.ok()) s = result->status();
                    if (s.ok()) *response = ConsentToProto(**result, clock_->Now());
                    call->Finish(s);
                  });
  return call->reactor();
}

std::string ConsentService::ReadablePractice(const PrincipalInfo& principal,
                                             const std::string& requested) {
  if (principal.role == v1::ROLE_THERAPIST) return principal.org_id;
  return requested.empty() ? principal.org_id : requested;
}

grpc::ServerUnaryReactor* ConsentService::GetConsent(
    grpc::CallbackServerContext* context, const v1::GetConsentRequest* request,
    v1::Consent* response) {
  auto call = UnaryCall::Start(context, Rpc::kGetConsent);
  const PrincipalInfo* actor = admission_->Admit(call);
  if (actor == nullptr) return call->reactor();
  absl::Status valid = ValidateIdField(request->consent_id(), "consent_id",
                                       admission_->config().limits());
  if (!valid.ok()) {
    call->Finish(valid);
    return call->reactor();
  }
  std::optional<ConsentRecord> consent = index_->Find(request->consent_id());
  const std::string not_found =
      absl::StrCat("consent_id: no consent ", request->consent_id());
  if (!consent.has_value()) {
    call->Finish(absl::NotFoundError(not_found));
    return call->reactor();
  }
  // COMPLIANCE reads every practice; a THERAPIST only its own.
  if (actor->role == v1::ROLE_THERAPIST &&
      consent->practice_org_id != actor->org_id) {
    admission_->RefuseAsNotFound(*actor, call->rpc(), request->consent_id(),
                                 not_found,
                                 [call](absl::Status s) { call->Finish(s); });
    return call->reactor();
  }
  *response = ConsentToProto(*consent, clock_->Now());
  call->Finish(absl::OkStatus());
  return call->reactor();
}

grpc::ServerUnaryReactor* ConsentService::ListConsents(
    grpc::CallbackServerContext* context,
    const v1::ListConsentsRequest* request,
    v1::ListConsentsResponse* response) {
  auto call = UnaryCall::Start(context, Rpc::kListConsents);
  const PrincipalInfo* actor = admission_->Admit(call);
  if (actor == nullptr) return call->reactor();
  const InputLimits& limits = admission_->config().limits();
  const std::string practice =
      ReadablePractice(*actor, request->practice_org_id());
  absl::Status valid = ValidateIdField(request->patient_id(), "patient_id", limits);
  if (valid.ok()) valid = ValidateIdField(practice, "practice_org_id", limits);
  absl::StatusOr<int> page_size =
      ValidatePageSize(request->page_size(), kDefaultPageSize, kMaxPageSize);
  if (valid.ok()) valid = page_size.status();
  absl::StatusOr<int64_t> offset = request->page_token().empty()
                                       ? absl::StatusOr<int64_t>(0)
                                       : DecodePageToken(request->page_token());
  if (valid.ok()) valid = offset.status();
  if (!valid.ok()) {
    call->Finish(valid);
    return call->reactor();
  }
  const absl::Time now = clock_->Now();
  std::vector<ConsentRecord> consents =
      index_->ListForPatient(practice, request->patient_id());
  int64_t position = 0;
  for (const ConsentRecord& consent : consents) {
    if (!request->include_inactive() &&
        (consent.revoked() || consent.expires_at <= now)) {
      continue;
    }
    if (position++ < *offset) continue;
    if (response->consents_size() == *page_size) {
      response->set_next_page_token(EncodePageToken(*offset + *page_size));
      break;
    }
    *response->add_consents() = ConsentToProto(consent, now);
  }
  call->Finish(absl::OkStatus());
  return call->reactor();
}

}  // namespace caregate
