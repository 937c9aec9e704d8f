// Fuzz target: the request validators of every RPC, as the services call
// them, against the dev sample directory.
//
// Input: byte 0 picks the request (low nibble, modulo kRequestKinds) and the
// limits (bit 4: tight limits); the rest is the request's protobuf wire form.
// Requests that do not parse are skipped. GetCheckpoint and StreamMessages
// have no fields to validate.
//
// Asserted besides "no crash, no UB, no leak": the documented status codes
// and field-named messages; that an accepted request satisfies what the
// validator promises (ids valid, referenced organizations and providers
// exist, limits respected, consent elements present); and that no error
// message depends on free text (the same request with its names, notes,
// titles and bodies masked gets the very same status).
#include <cstddef>
#include <cstdint>

#include "caregate/v1/audit_service.pb.h"
#include "caregate/v1/consent_service.pb.h"
#include "caregate/v1/disclosure_service.pb.h"
#include "caregate/v1/inbox_service.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "services/audit_service/accounting.h"
#include "services/audit_service/audit_query.h"
#include "services/audit_service/log_verification.h"
#include "services/common/proto_time.h"
#include "services/validation/consent_validation.h"
#include "services/validation/disclosure_validation.h"
#include "services/validation/request_fields.h"
#include "tests/fuzz/consent_properties.h"
#include "tests/fuzz/fuzz_bytes.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/request_properties.h"

namespace caregate::fuzz {
namespace {

using absl::StatusCode;

// Page sizes of ListConsents and ListMessages (API.md).
constexpr int kListDefaultPageSize = 50;
constexpr int kListMaxPageSize = 500;

template <typename Request>
bool Parse(std::string_view wire, Request& request) {
  return request.ParseFromArray(wire.data(), static_cast<int>(wire.size()));
}

void RecordConsent(const v1::RecordConsentRequest& r, const RequestEnv& env) {
  CheckIdResult(ValidateRequestId(r.request_id(), env.limits, false),
                r.request_id(), "request_id", env.limits, /*optional=*/true);
  auto record = ValidateConsentForRecording(r.consent(), *env.directory,
                                            env.limits, env.now);
  auto masked = ValidateConsentForRecording(
      MaskConsentText(r.consent()), *env.directory, env.limits, env.now);
  CheckSameStatus(record.status(), masked.status());
  if (!record.ok()) {
    CheckRefusal(record.status(),
                 {StatusCode::kInvalidArgument, StatusCode::kResourceExhausted},
                 "consent.");
    return;
  }
  CheckRecordedConsent(r.consent(), *record, env);
}

void Disclose(const v1::Disclosure& d, const RequestEnv& env) {
  auto validated = ValidateDisclosure(d, *env.directory, env.limits);
  auto masked =
      ValidateDisclosure(MaskDisclosureText(d), *env.directory, env.limits);
  CheckSameStatus(validated.status(), masked.status());
  if (!validated.ok()) {
    CheckRefusal(validated.status(),
                 {StatusCode::kInvalidArgument, StatusCode::kNotFound,
                  StatusCode::kResourceExhausted},
                 "disclosure.");
    return;
  }
  CheckValidatedDisclosure(d, *validated, env);
}

void RevokeConsent(const v1::RevokeConsentRequest& r, const RequestEnv& env) {
  CheckIdResult(ValidateIdField(r.consent_id(), "consent_id", env.limits),
                r.consent_id(), "consent_id", env.limits, false);
  const absl::Status reason =
      ValidateTextField(r.reason(), "reason", kMaxFreeTextBytes, true);
  CheckSameStatus(reason, ValidateTextField(MaskText(r.reason()), "reason",
                                            kMaxFreeTextBytes, true));
  if (!reason.ok()) {
    CheckRefusal(reason,
                 {StatusCode::kInvalidArgument, StatusCode::kResourceExhausted},
                 "reason: ");
  } else {
    CG_FUZZ_CHECK(r.reason().size() <= kMaxFreeTextBytes);
  }
}

void CheckId(std::string_view value, std::string_view field,
             const RequestEnv& env) {
  CheckIdResult(ValidateIdField(value, field, env.limits), value, field,
                env.limits, /*optional=*/false);
}

// An optional id filter of an accepted request: empty or a valid id.
bool OptionalIdOk(std::string_view value, const RequestEnv& env) {
  return value.empty() || IsValidId(value, env.limits.max_id_length);
}

void CheckPage(int32_t page_size, std::string_view token, int default_size,
               int max_size) {
  CheckPageSizeResult(ValidatePageSize(page_size, default_size, max_size),
                      page_size, default_size, max_size);
  CheckPageTokenResult(DecodePageToken(token), token);
}

void ListConsents(const v1::ListConsentsRequest& r, const RequestEnv& env) {
  CheckId(r.patient_id(), "patient_id", env);
  if (!r.practice_org_id().empty()) {
    CheckId(r.practice_org_id(), "practice_org_id", env);
  }
  CheckPage(r.page_size(), r.page_token(), kListDefaultPageSize,
            kListMaxPageSize);
}

void QueryAuditEvents(const v1::QueryAuditEventsRequest& r,
                      const RequestEnv& env) {
  auto query = AuditQueryFromRequest(r, env.limits);
  if (!query.ok()) {
    CheckRefusal(query.status(),
                 {StatusCode::kInvalidArgument, StatusCode::kResourceExhausted},
                 "");
    return;
  }
  CG_FUZZ_CHECK(query->patient.patient_id == r.patient_id() &&
                query->patient.practice_org_id == r.practice_org_id() &&
                query->actor_principal_id == r.actor_principal_id() &&
                query->recipient_org_id == r.recipient_org_id());
  // A patient is always named with its practice.
  CG_FUZZ_CHECK(r.patient_id().empty() == r.practice_org_id().empty());
  CG_FUZZ_CHECK(OptionalIdOk(r.patient_id(), env) &&
                OptionalIdOk(r.practice_org_id(), env) &&
                OptionalIdOk(r.actor_principal_id(), env) &&
                OptionalIdOk(r.recipient_org_id(), env));
  CG_FUZZ_CHECK(query->actions.size() == static_cast<size_t>(r.actions_size()));
  for (v1::AuditAction a : query->actions) {
    CG_FUZZ_CHECK(a != v1::AUDIT_ACTION_UNSPECIFIED &&
                  v1::AuditAction_IsValid(a));
  }
  CG_FUZZ_CHECK(v1::DecisionOutcome_IsValid(query->outcome));
  CG_FUZZ_CHECK(query->since.has_value() == !IsUnset(r.since()) &&
                query->until.has_value() == !IsUnset(r.until()));
  CG_FUZZ_CHECK((!query->since || InTimestampRange(*query->since)) &&
                (!query->until || InTimestampRange(*query->until)));
  CheckPage(r.page_size(), r.page_token(), kDefaultAuditPageSize,
            kMaxAuditPageSize);
  CG_FUZZ_CHECK(query->limit >= 1 && query->limit <= kMaxAuditPageSize &&
                query->after_seq >= 0);
}

void VerifyRange(const v1::VerifyAuditLogRequest& r) {
  const absl::Status s = ValidateVerifyRange(r.from_seq(), r.to_seq());
  const bool valid = r.from_seq() >= 0 && r.to_seq() >= 0 &&
                     (r.to_seq() == 0 || r.to_seq() >= r.from_seq());
  CG_FUZZ_CHECK(s.ok() == valid);
  if (!valid) CheckRefusal(s, {StatusCode::kInvalidArgument}, "");
}

void Accounting(const v1::GetAccountingOfDisclosuresRequest& r,
                const RequestEnv& env) {
  auto parsed = ParseAccountingRequest(r, env.limits);
  if (!parsed.ok()) {
    CheckRefusal(parsed.status(),
                 {StatusCode::kInvalidArgument, StatusCode::kResourceExhausted},
                 "");
    return;
  }
  CG_FUZZ_CHECK(IsValidId(r.patient_id(), env.limits.max_id_length) &&
                IsValidId(r.practice_org_id(), env.limits.max_id_length));
  CG_FUZZ_CHECK(parsed->patient.patient_id == r.patient_id() &&
                parsed->patient.practice_org_id == r.practice_org_id());
  CG_FUZZ_CHECK(IsUnset(r.since()) ? parsed->since == absl::InfinitePast()
                                   : InTimestampRange(parsed->since));
  CG_FUZZ_CHECK(IsUnset(r.until()) ? parsed->until == absl::InfiniteFuture()
                                   : InTimestampRange(parsed->until));
}

// Page tokens on their own: any token, and the round trip of any position.
void PageTokens(FuzzBytes& in) {
  const int64_t position = in.I64();
  absl::StatusOr<int64_t> round = DecodePageToken(EncodePageToken(position));
  CG_FUZZ_CHECK(position >= 0 ? (round.ok() && *round == position)
                              : !round.ok());
  const std::string_view token = in.Rest();
  CheckPageTokenResult(DecodePageToken(token), token);
}

template <typename Request, typename Check>
void ParseAnd(std::string_view wire, Check check) {
  Request request;
  if (Parse(wire, request)) check(request);
}

void RunRequest(int kind, FuzzBytes& in, const RequestEnv& env) {
  if (kind == 12) return PageTokens(in);
  const std::string_view wire = in.Rest();
  switch (kind) {
    case 0:
      return ParseAnd<v1::RecordConsentRequest>(
          wire, [&](auto& r) { RecordConsent(r, env); });
    case 1:
      return ParseAnd<v1::RevokeConsentRequest>(
          wire, [&](auto& r) { RevokeConsent(r, env); });
    case 2:
      return ParseAnd<v1::GetConsentRequest>(
          wire, [&](auto& r) { CheckId(r.consent_id(), "consent_id", env); });
    case 3:
      return ParseAnd<v1::ListConsentsRequest>(
          wire, [&](auto& r) { ListConsents(r, env); });
    case 4:
      return ParseAnd<v1::CheckDisclosureRequest>(
          wire, [&](auto& r) { Disclose(r.disclosure(), env); });
    case 5:
      return ParseAnd<v1::SendDisclosureRequest>(wire, [&](auto& r) {
        CheckIdResult(ValidateRequestId(r.request_id(), env.limits, true),
                      r.request_id(), "request_id", env.limits, false);
        Disclose(r.disclosure(), env);
      });
    case 6:
      return ParseAnd<v1::GetDisclosureRequest>(wire, [&](auto& r) {
        CheckId(r.disclosure_id(), "disclosure_id", env);
      });
    case 7:
      return ParseAnd<v1::ListMessagesRequest>(wire, [&](auto& r) {
        CheckPage(r.page_size(), r.page_token(), kListDefaultPageSize,
                  kListMaxPageSize);
      });
    case 8:
      return ParseAnd<v1::AcknowledgeMessageRequest>(
          wire, [&](auto& r) { CheckId(r.message_id(), "message_id", env); });
    case 9:
      return ParseAnd<v1::QueryAuditEventsRequest>(
          wire, [&](auto& r) { QueryAuditEvents(r, env); });
    case 10:
      return ParseAnd<v1::VerifyAuditLogRequest>(
          wire, [&](auto& r) { VerifyRange(r); });
    case 11:
      return ParseAnd<v1::GetAccountingOfDisclosuresRequest>(
          wire, [&](auto& r) { Accounting(r, env); });
  }
}

constexpr int kRequestKinds = 13;

}  // namespace
}  // namespace caregate::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using caregate::fuzz::RequestEnv;
  // Invalid UTF-8 in a string field fails the parse with a log line each time.
  static const bool kQuiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)kQuiet;
  static const RequestEnv kDefault = caregate::fuzz::SampleEnv(false);
  static const RequestEnv kTight = caregate::fuzz::SampleEnv(true);
  caregate::fuzz::FuzzBytes in(data, size);
  const uint8_t selector = in.U8();
  const int kind = (selector & 0x0f) % caregate::fuzz::kRequestKinds;
  caregate::fuzz::RunRequest(kind, in, (selector & 0x10) ? kTight : kDefault);
  return 0;
}
