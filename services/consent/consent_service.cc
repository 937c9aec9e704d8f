#include "services/consent/consent_service.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/consent/consent_commands.h"
#include "services/consent/consent_refresh.h"
#include "services/consent/consent_text.h"
#include "services/crypto/random.h"
#include "services/rpc/raw_call.h"
#include "services/validation/consent_validation.h"
#include "services/validation/proto_convert.h"
#include "services/validation/request_fields.h"
#include "services/validation/request_fingerprint.h"
#include "spdlog/spdlog.h"

namespace caregate {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

// A store read that failed, as the caller sees it; the store's message
// (which names the operation, never a patient) goes to the log only.
absl::Status ReadFailure(const absl::Status& status) {
  spdlog::warn("consent read failed: {}", status.ToString());
  return absl::UnavailableError(
      absl::StrCat("cannot read consents from the store; retry (",
                   absl::StatusCodeToString(status.code()), ")"));
}

// One page of a patient's consents in recording order: those at positions
// >= `offset` among the ones kept (in effect or not yet valid when
// !include_inactive, every one otherwise), at most `limit`. `next_offset`
// is where the next page starts, or -1 on the last.
struct ConsentPage {
  std::vector<ConsentRecord> consents;
  int64_t next_offset = -1;
};
ConsentPage PageOf(std::vector<ConsentRecord> all, bool include_inactive,
                   absl::Time now, int64_t offset, int limit) {
  ConsentPage page;
  int64_t position = 0;
  for (ConsentRecord& consent : all) {
    if (!include_inactive && (consent.revoked() || consent.expires_at <= now)) {
      continue;
    }
    if (position++ < offset) continue;
    if (static_cast<int>(page.consents.size()) == limit) {
      page.next_offset = offset + limit;
      break;
    }
    page.consents.push_back(std::move(consent));
  }
  return page;
}

}  // namespace

grpc::ServerUnaryReactor* ConsentService::RecordConsent(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::RecordConsentRequest, v1::Consent>(
      *admission_, Rpc::kRecordConsent, context, request, response,
      [this](Call call, const auto& req, auto* resp) {
        Record(call, req, resp);
      });
}

grpc::ServerUnaryReactor* ConsentService::RevokeConsent(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::RevokeConsentRequest, v1::Consent>(
      *admission_, Rpc::kRevokeConsent, context, request, response,
      [this](Call call, const auto& req, auto* resp) {
        Revoke(call, req, resp);
      });
}

grpc::ServerUnaryReactor* ConsentService::GetConsent(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetConsentRequest, v1::Consent>(
      *admission_, Rpc::kGetConsent, context, request, response,
      [this](Call call, const auto& req, auto* resp) { Get(call, req, resp); });
}

grpc::ServerUnaryReactor* ConsentService::ListConsents(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListConsentsRequest, v1::ListConsentsResponse>(
      *admission_, Rpc::kListConsents, context, request, response,
      [this](Call call, const auto& req, auto* resp) {
        List(call, req, resp);
      });
}

void ConsentService::Record(Call call, const v1::RecordConsentRequest& request,
                            v1::Consent* response) {
  const PrincipalInfo& actor = call->principal();
  const GatewayConfig& config = admission_->config();
  absl::Status request_id_ok =
      ValidateRequestId(request.request_id(), config.limits(), false);
  if (!request_id_ok.ok()) return call->Finish(request_id_ok);
  absl::StatusOr<ConsentRecord> consent = ValidateConsentForRecording(
      request.consent(), config.directory(), config.limits(), clock_->Now());
  if (!consent.ok()) return call->Finish(consent.status());
  consent->consent_id = NewId("cns");
  consent->practice_org_id = actor.org_id;
  consent->recorded_by = actor.principal_id;
  consent->request_id = request.request_id();
  consent->request_digest =
      digester_->DigestBytes(ConsentRequestBytes(request.consent()));
  // Sealed here, off the writer thread; the store never sees the plain text.
  SealConsentText(*cipher_, &*consent);
  auto result = std::make_shared<absl::StatusOr<ConsentRecord>>(
      absl::InternalError("not run"));
  ledger_->Submit(
      RecordConsentCommand(*std::move(consent), actor, index_, cipher_,
                           config.limits().max_consents_per_patient, result),
      [this, call, response, result](absl::Status s) {
        if (s.ok()) s = result->status();
        if (s.ok()) *response = ConsentToProto(**result, clock_->Now());
        call->Finish(s);
      });
}

void ConsentService::Revoke(Call call, const v1::RevokeConsentRequest& request,
                            v1::Consent* response) {
  const PrincipalInfo& actor = call->principal();
  const InputLimits& limits = admission_->config().limits();
  absl::Status valid =
      ValidateIdField(request.consent_id(), "consent_id", limits);
  if (valid.ok()) {
    valid = ValidateTextField(request.reason(), "reason", kMaxFreeTextBytes,
                              /*required=*/true);
  }
  if (!valid.ok()) return call->Finish(valid);
  // A consent never changes practice, so this check holds when the command
  // runs. One this replica does not know may have been recorded through
  // another: the command reads the store and says whether it exists.
  std::optional<IndexedConsent> found = index_->Find(request.consent_id());
  if (found.has_value() && found->practice_org_id != actor.org_id) {
    return call->Finish(admission_->RefuseId(
        actor, call->rpc(), request.consent_id(),
        absl::StrCat("consent_id: no consent ", request.consent_id()),
        /*other_organization=*/true));
  }
  auto result = std::make_shared<absl::StatusOr<ConsentRecord>>(
      absl::InternalError("not run"));
  auto other_organization = std::make_shared<bool>(false);
  ledger_->Submit(
      RevokeConsentCommand(request.consent_id(), request.reason(),
                           SealRevocationReason(*cipher_, request.consent_id(),
                                                request.reason()),
                           actor, index_, cipher_, result, other_organization),
      [this, call, response, result, other_organization,
       consent_id = request.consent_id()](absl::Status s) {
        if (s.ok()) s = result->status();
        if (s.code() == absl::StatusCode::kNotFound) {
          s = admission_->RefuseId(call->principal(), call->rpc(), consent_id,
                                   std::string(s.message()),
                                   *other_organization);
        }
        if (s.ok()) *response = ConsentToProto(**result, clock_->Now());
        call->Finish(s);
      });
}

std::string ConsentService::ReadablePractice(const PrincipalInfo& principal,
                                             const std::string& requested) {
  if (principal.role == v1::ROLE_THERAPIST) return principal.org_id;
  return requested.empty() ? principal.org_id : requested;
}

void ConsentService::Get(Call call, const v1::GetConsentRequest& request,
                         v1::Consent* response) {
  executor_->Post(
      [this, call, request, response] { AnswerGet(call, request, response); });
}

void ConsentService::List(Call call, const v1::ListConsentsRequest& request,
                          v1::ListConsentsResponse* response) {
  executor_->Post(
      [this, call, request, response] { AnswerList(call, request, response); });
}

void ConsentService::AnswerGet(Call call, const v1::GetConsentRequest& request,
                               v1::Consent* response) {
  const PrincipalInfo& actor = call->principal();
  absl::Status valid = ValidateIdField(request.consent_id(), "consent_id",
                                       admission_->config().limits());
  if (!valid.ok()) return call->Finish(valid);
  absl::StatusOr<std::optional<ConsentRecord>> stored =
      store_->GetConsent(request.consent_id());
  if (!stored.ok()) return call->Finish(ReadFailure(stored.status()));
  // COMPLIANCE reads every practice; a THERAPIST only its own.
  const std::optional<ConsentRecord>& consent = *stored;
  const bool hidden = consent.has_value() && actor.role == v1::ROLE_THERAPIST &&
                      consent->practice_org_id != actor.org_id;
  if (!consent.has_value() || hidden) {
    return call->Finish(admission_->RefuseId(
        actor, call->rpc(), request.consent_id(),
        absl::StrCat("consent_id: no consent ", request.consent_id()),
        /*other_organization=*/hidden));
  }
  absl::StatusOr<ConsentRecord> opened = OpenStoredConsent(*cipher_, *consent);
  if (!opened.ok()) return call->Finish(opened.status());
  *response = ConsentToProto(*opened, clock_->Now());
  call->Finish(absl::OkStatus());
}

void ConsentService::AnswerList(Call call,
                                const v1::ListConsentsRequest& request,
                                v1::ListConsentsResponse* response) {
  const PrincipalInfo& actor = call->principal();
  const InputLimits& limits = admission_->config().limits();
  const std::string practice =
      ReadablePractice(actor, request.practice_org_id());
  absl::Status valid =
      ValidateIdField(request.patient_id(), "patient_id", limits);
  if (valid.ok()) valid = ValidateIdField(practice, "practice_org_id", limits);
  absl::StatusOr<int> page_size =
      ValidatePageSize(request.page_size(), kDefaultPageSize, kMaxPageSize);
  if (valid.ok()) valid = page_size.status();
  absl::StatusOr<int64_t> offset = DecodePageToken(request.page_token());
  if (valid.ok()) valid = offset.status();
  if (!valid.ok()) return call->Finish(valid);
  absl::StatusOr<std::vector<ConsentRecord>> stored =
      store_->GetPatientConsents(PatientRef{practice, request.patient_id()});
  if (!stored.ok()) return call->Finish(ReadFailure(stored.status()));
  const absl::Time now = clock_->Now();
  ConsentPage page = PageOf(*std::move(stored), request.include_inactive(), now,
                            *offset, *page_size);
  for (ConsentRecord& consent : page.consents) {
    absl::StatusOr<ConsentRecord> opened =
        OpenStoredConsent(*cipher_, std::move(consent));
    if (!opened.ok()) return call->Finish(opened.status());
    *response->add_consents() = ConsentToProto(*opened, now);
  }
  if (page.next_offset >= 0) {
    response->set_next_page_token(EncodePageToken(page.next_offset));
  }
  call->Finish(absl::OkStatus());
}

}  // namespace caregate
