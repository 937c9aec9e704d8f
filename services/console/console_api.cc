#include "services/console/console_api.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "services/common/absl_compat.h"
#include "services/common/proto_time.h"
#include "services/console/audit_csv.h"
#include "services/console/event_link.h"
#include "services/ctl/offline_verify.h"
#include "services/fhir/audit_event_export.h"
#include "services/validation/request_fields.h"

namespace caregate::console {
namespace {

using nlohmann::json;

// At most this many consents of one patient are listed (ListConsents pages
// of 500).
constexpr int kMaxConsentPages = 20;

std::string ProtoJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  // Printing a generated message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

json ProtoToJson(const google::protobuf::Message& message) {
  return json::parse(ProtoJson(message));
}

ApiResponse JsonResponse(const json& body) {
  ApiResponse r;
  r.body = body.dump();
  return r;
}

// As the protobuf JSON mapping writes a Timestamp: UTC, "Z".
std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

// The body of an error answer: {"error": message, "code": status code}.
json ErrorJson(const absl::Status& status) {
  return {{"error", std::string(status.message())},
          {"code", absl::StatusCodeToString(status.code())}};
}

json RunJson(const VerificationRunner::Run& run) {
  json out = {
      {"run", run.number},
      {"startedAt", Rfc3339(run.started)},
      {"finishedAt", Rfc3339(run.finished)},
      {"durationMs", absl::ToInt64Milliseconds(run.finished - run.started)}};
  if (run.response.ok()) {
    out["result"] = ProtoToJson(*run.response);
  } else {
    const absl::Status& s = run.response.status();
    out["error"] = ErrorJson(s);
    out["error"]["status"] = HttpStatusFor(s.code());
  }
  return out;
}

// The verification state as console_api.h describes it.
json VerificationJson(const VerificationRunner::State& state, absl::Time now) {
  json out = {{"running", state.running}, {"last", nullptr}};
  if (state.running) {
    out["runningSince"] = Rfc3339(state.running_since);
    out["runningForMs"] = absl::ToInt64Milliseconds(now - state.running_since);
  }
  if (state.last.has_value()) out["last"] = RunJson(*state.last);
  return out;
}

ApiResponse ProtoResponse(const google::protobuf::Message& message) {
  ApiResponse r;
  r.body = ProtoJson(message);
  return r;
}

std::optional<std::string> Param(const Params& params, const char* name) {
  auto it = params.find(name);
  if (it == params.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

absl::Status Invalid(std::string_view param, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat(AsAbsl(param), ": ", AsAbsl(why)));
}

// An RFC 3339 time parameter; std::nullopt when it is absent.
absl::StatusOr<std::optional<google::protobuf::Timestamp>> TimeParam(
    const Params& params, const char* name) {
  std::optional<std::string> text = Param(params, name);
  if (!text.has_value()) return std::nullopt;
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, *text, &t, &error)) {
    return Invalid(name,
                   "expected an RFC 3339 time, e.g. 2026-11-01T00:00:00Z");
  }
  return ToProtoTime(t);
}

// Sets `request`'s since and until from the parameters of those names,
// leaving those not given unset.
template <typename Request>
absl::Status SetPeriod(const Params& params, Request* request) {
  absl::StatusOr<std::optional<google::protobuf::Timestamp>> since =
      TimeParam(params, "since");
  if (!since.ok()) return since.status();
  absl::StatusOr<std::optional<google::protobuf::Timestamp>> until =
      TimeParam(params, "until");
  if (!until.ok()) return until.status();
  if (since->has_value()) *request->mutable_since() = **since;
  if (until->has_value()) *request->mutable_until() = **until;
  return absl::OkStatus();
}

// The practice and patient parameters: a patient is always the pair.
absl::Status PatientParams(const Params& params, bool required,
                           std::string* practice, std::string* patient) {
  *practice = Param(params, "practice").value_or("");
  *patient = Param(params, "patient").value_or("");
  if (required && patient->empty()) return Invalid("patient", "required");
  if (!patient->empty() && practice->empty()) {
    return Invalid("practice",
                   "required with patient (a patient is the "
                   "pair of practice and patient id)");
  }
  return absl::OkStatus();
}

template <typename Enum>
absl::StatusOr<Enum> EnumParam(std::string_view param, const std::string& text,
                               bool (*parse)(google::protobuf::ConstStringParam,
                                             Enum*)) {
  Enum value;
  if (!parse(text, &value) || static_cast<int>(value) == 0) {
    return Invalid(param, absl::StrCat("unknown value \"", text, "\""));
  }
  return value;
}

absl::StatusOr<v1::QueryAuditEventsRequest> QueryFromParams(
    const Params& params) {
  v1::QueryAuditEventsRequest r;
  std::string practice, patient;
  if (absl::Status s = PatientParams(params, false, &practice, &patient);
      !s.ok()) {
    return s;
  }
  r.set_patient_id(patient);
  r.set_practice_org_id(practice);
  r.set_actor_principal_id(Param(params, "actor").value_or(""));
  r.set_recipient_org_id(Param(params, "recipient").value_or(""));
  auto [first, last] = params.equal_range("action");
  for (auto it = first; it != last; ++it) {
    if (it->second.empty()) continue;
    absl::StatusOr<v1::AuditAction> action = EnumParam<v1::AuditAction>(
        "action", it->second, &v1::AuditAction_Parse);
    if (!action.ok()) return action.status();
    r.add_actions(*action);
  }
  if (std::optional<std::string> outcome = Param(params, "outcome")) {
    absl::StatusOr<v1::DecisionOutcome> o = EnumParam<v1::DecisionOutcome>(
        "outcome", *outcome, &v1::DecisionOutcome_Parse);
    if (!o.ok()) return o.status();
    r.set_outcome(*o);
  }
  if (absl::Status s = SetPeriod(params, &r); !s.ok()) return s;
  r.set_page_token(Param(params, "page_token").value_or(""));
  if (std::optional<std::string> size = Param(params, "page_size")) {
    int n = 0;
    if (!absl::SimpleAtoi(*size, &n) || n < 1 || n > 1000) {
      return Invalid("page_size", "expected 1..1000");
    }
    r.set_page_size(n);
  }
  return r;
}

// "valid", "not yet valid", "expired" or "revoked" at `now`.
std::string Validity(const v1::Consent& c, absl::Time now) {
  if (c.status() == v1::CONSENT_STATUS_REVOKED) return "revoked";
  if (c.status() == v1::CONSENT_STATUS_EXPIRED) return "expired";
  absl::StatusOr<absl::Time> expires = FromProtoTime(c.expires_at(), "e");
  if (expires.ok() && *expires <= now) return "expired";
  absl::StatusOr<absl::Time> from = FromProtoTime(c.valid_from(), "v");
  if (from.ok() && *from > now) return "not yet valid";
  return "valid";
}

ApiResponse Attachment(std::string body, std::string content_type,
                       std::string filename) {
  ApiResponse r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.headers.push_back(
      {"Content-Disposition",
       absl::StrCat("attachment; filename=\"", filename, "\"")});
  return r;
}

}  // namespace

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kResourceExhausted:
      return 400;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kFailedPrecondition:
      return 409;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 502;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

ConsoleApi::ConsoleApi(ConsoleGateway* gateway, SessionInfo session,
                       absl::Time (*now)(), absl::Duration verify_wait)
    : gateway_(gateway),
      session_(std::move(session)),
      now_(now),
      verify_wait_(verify_wait),
      verification_(std::make_unique<VerificationRunner>(gateway, now)) {}

ApiResponse ErrorResponse(const absl::Status& status) {
  ApiResponse r = JsonResponse(ErrorJson(status));
  r.status = HttpStatusFor(status.code());
  return r;
}

ApiResponse ConsoleApi::Handle(std::string_view method, std::string_view path,
                               const Params& params) const {
  const bool get = method == "GET" || method == "HEAD";
  const bool post = method == "POST";
  auto wrong_method = [] {
    ApiResponse r =
        ErrorResponse(absl::InvalidArgumentError("method not allowed"));
    r.status = 405;
    return r;
  };
  if (path == "/api/session") return get ? Session() : wrong_method();
  if (path == "/api/verify") {
    return post || get ? Verify(/*start=*/post) : wrong_method();
  }
  if (path == "/api/summary") return get ? Summary(params) : wrong_method();
  if (path == "/api/events") return get ? Events(params) : wrong_method();
  if (path == "/api/event") return get ? Event(params) : wrong_method();
  if (path == "/api/consents") return get ? Consents(params) : wrong_method();
  if (path == "/api/accounting") {
    return get ? Accounting(params) : wrong_method();
  }
  if (path == "/api/deliveries") {
    return get ? Deliveries(params) : wrong_method();
  }
  if (path == "/api/deliveries/retry") {
    return post ? RetryDelivery(params) : wrong_method();
  }
  if (path == "/api/export/audit.json") {
    return post ? ExportJson() : wrong_method();
  }
  if (path == "/api/export/audit.csv") {
    return post ? ExportCsv(params) : wrong_method();
  }
  if (path == "/api/export/audit.ndjson") {
    return post ? ExportFhirNdjson(params) : wrong_method();
  }
  return ErrorResponse(absl::NotFoundError("no such endpoint"));
}

ApiResponse ConsoleApi::Session() const {
  return JsonResponse(
      {{"principal", session_.principal}, {"gateway", session_.gateway}});
}

ApiResponse ConsoleApi::Verify(bool start) const {
  const VerificationRunner::State state =
      start ? verification_->Start(verify_wait_) : verification_->Current();
  if (!state.running && state.last.has_value() && !state.last->response.ok()) {
    return ErrorResponse(state.last->response.status());
  }
  return JsonResponse(VerificationJson(state, now_()));
}

ApiResponse ConsoleApi::Summary(const Params& params) const {
  v1::SummarizeAuditEventsRequest request;
  if (absl::Status s = SetPeriod(params, &request); !s.ok()) {
    return ErrorResponse(s);
  }
  absl::StatusOr<v1::SummarizeAuditEventsResponse> r =
      gateway_->SummarizeAuditEvents(request);
  return r.ok() ? ProtoResponse(*r) : ErrorResponse(r.status());
}

ApiResponse ConsoleApi::Events(const Params& params) const {
  absl::StatusOr<v1::QueryAuditEventsRequest> request = QueryFromParams(params);
  if (!request.ok()) return ErrorResponse(request.status());
  absl::StatusOr<v1::QueryAuditEventsResponse> r =
      gateway_->QueryAuditEvents(*request);
  return r.ok() ? ProtoResponse(*r) : ErrorResponse(r.status());
}

ApiResponse ConsoleApi::Event(const Params& params) const {
  int64_t seq = 0;
  if (!absl::SimpleAtoi(Param(params, "seq").value_or(""), &seq) || seq < 1) {
    return ErrorResponse(Invalid("seq", "expected a positive number"));
  }
  // The event and its predecessor: the page after seq - 2.
  v1::QueryAuditEventsRequest request;
  request.set_page_token(EncodePageToken(seq >= 2 ? seq - 2 : 0));
  request.set_page_size(2);
  absl::StatusOr<v1::QueryAuditEventsResponse> page =
      gateway_->QueryAuditEvents(request);
  if (!page.ok()) return ErrorResponse(page.status());
  const v1::AuditEvent* event = nullptr;
  std::optional<AuditEvent> predecessor;
  for (const v1::AuditEvent& e : page->events()) {
    if (e.seq() == seq) event = &e;
    if (e.seq() == seq - 1) {
      absl::StatusOr<AuditEvent> p = ctl::AuditEventFromProto(e);
      if (p.ok()) predecessor = *std::move(p);
    }
  }
  if (event == nullptr) {
    return ErrorResponse(absl::NotFoundError(absl::StrCat("no event ", seq)));
  }
  absl::StatusOr<AuditEvent> plain = ctl::AuditEventFromProto(*event);
  if (!plain.ok()) return ErrorResponse(plain.status());
  const EventLinkCheck link = CheckEventLink(*plain, predecessor);
  json body = {{"event", ProtoToJson(*event)},
               {"link",
                {{"hashOk", link.hash_ok},
                 {"recomputedHash", link.recomputed_hash_hex},
                 {"linkOk", link.link_ok},
                 {"predecessorSeq", link.predecessor_seq},
                 {"predecessorHash", link.predecessor_hash_hex},
                 {"problem", link.problem}}}};
  absl::StatusOr<v1::Checkpoint> checkpoint = gateway_->GetCheckpoint();
  if (checkpoint.ok()) {
    body["checkpoint"] = ProtoToJson(*checkpoint);
    body["coveredByCheckpoint"] = seq <= checkpoint->seq();
  } else {
    body["checkpoint"] = nullptr;
    body["coveredByCheckpoint"] = false;
  }
  return JsonResponse(body);
}

ApiResponse ConsoleApi::Consents(const Params& params) const {
  std::string practice, patient;
  if (absl::Status s = PatientParams(params, true, &practice, &patient);
      !s.ok()) {
    return ErrorResponse(s);
  }
  v1::ListConsentsRequest request;
  request.set_patient_id(patient);
  request.set_practice_org_id(practice);
  request.set_include_inactive(true);
  request.set_page_size(500);
  const absl::Time now = now_();
  json consents = json::array();
  bool truncated = false;
  for (int page = 0;; ++page) {
    absl::StatusOr<v1::ListConsentsResponse> r =
        gateway_->ListConsents(request);
    if (!r.ok()) return ErrorResponse(r.status());
    for (const v1::Consent& c : r->consents()) {
      consents.push_back(
          {{"consent", ProtoToJson(c)}, {"validity", Validity(c, now)}});
    }
    request.set_page_token(r->next_page_token());
    if (request.page_token().empty()) break;
    if (page + 1 == kMaxConsentPages) {
      truncated = true;
      break;
    }
  }
  return JsonResponse(
      {{"consents", consents},
       {"truncated", truncated},
       {"now", absl::FormatTime(absl::RFC3339_sec, now, absl::UTCTimeZone())}});
}

ApiResponse ConsoleApi::Accounting(const Params& params) const {
  std::string practice, patient;
  if (absl::Status s = PatientParams(params, true, &practice, &patient);
      !s.ok()) {
    return ErrorResponse(s);
  }
  v1::GetAccountingOfDisclosuresRequest request;
  request.set_patient_id(patient);
  request.set_practice_org_id(practice);
  if (absl::Status s = SetPeriod(params, &request); !s.ok()) {
    return ErrorResponse(s);
  }
  absl::StatusOr<v1::GetAccountingOfDisclosuresResponse> r =
      gateway_->GetAccountingOfDisclosures(request);
  return r.ok() ? ProtoResponse(*r) : ErrorResponse(r.status());
}

ApiResponse ConsoleApi::Deliveries(const Params& params) const {
  v1::ListDeliveriesRequest request;
  if (std::optional<std::string> state = Param(params, "state")) {
    if (*state == "pending") {
      request.set_state(v1::DELIVERY_STATE_QUEUED);
    } else {
      absl::StatusOr<v1::DeliveryState> s = EnumParam<v1::DeliveryState>(
          "state", *state, &v1::DeliveryState_Parse);
      if (!s.ok()) return ErrorResponse(s.status());
      request.set_state(*s);
    }
  }
  request.set_recipient_org_id(Param(params, "recipient").value_or(""));
  request.set_page_token(Param(params, "page_token").value_or(""));
  request.set_page_size(100);
  absl::StatusOr<v1::ListDeliveriesResponse> r =
      gateway_->ListDeliveries(request);
  return r.ok() ? ProtoResponse(*r) : ErrorResponse(r.status());
}

ApiResponse ConsoleApi::RetryDelivery(const Params& params) const {
  std::optional<std::string> id = Param(params, "message_id");
  if (!id.has_value()) return ErrorResponse(Invalid("message_id", "required"));
  v1::RetryDeliveryRequest request;
  request.set_message_id(*id);
  absl::StatusOr<v1::RetryDeliveryResponse> r =
      gateway_->RetryDelivery(request);
  return r.ok() ? ProtoResponse(*r) : ErrorResponse(r.status());
}

ApiResponse ConsoleApi::ExportJson() const {
  absl::StatusOr<std::string> x = gateway_->ExportAuditLogJson();
  if (!x.ok()) return ErrorResponse(x.status());
  return Attachment(
      *std::move(x), "application/json",
      absl::StrCat("caregate-audit-export-",
                   absl::FormatTime("%Y-%m-%d", now_(), absl::UTCTimeZone()),
                   ".json"));
}

ApiResponse ConsoleApi::ExportCsv(const Params& params) const {
  absl::StatusOr<v1::QueryAuditEventsRequest> request = QueryFromParams(params);
  if (!request.ok()) return ErrorResponse(request.status());
  request->set_page_size(1000);
  request->clear_page_token();
  std::string csv = AuditCsvHeader();
  do {
    absl::StatusOr<v1::QueryAuditEventsResponse> page =
        gateway_->QueryAuditEvents(*request);
    if (!page.ok()) return ErrorResponse(page.status());
    for (const v1::AuditEvent& e : page->events()) csv += AuditCsvRow(e);
    request->set_page_token(page->next_page_token());
  } while (!request->page_token().empty());
  return Attachment(
      std::move(csv), "text/csv; charset=utf-8",
      absl::StrCat("caregate-audit-events-",
                   absl::FormatTime("%Y-%m-%d", now_(), absl::UTCTimeZone()),
                   ".csv"));
}

// The events of the filters, as ExportCsv reads them, as FHIR R4 AuditEvent
// NDJSON (services/fhir/audit_event_export.h); the log's checkpoint origin
// names the gateway.
ApiResponse ConsoleApi::ExportFhirNdjson(const Params& params) const {
  absl::StatusOr<v1::QueryAuditEventsRequest> request = QueryFromParams(params);
  if (!request.ok()) return ErrorResponse(request.status());
  fhir::AuditExportContext context;
  if (absl::StatusOr<v1::Checkpoint> checkpoint = gateway_->GetCheckpoint();
      checkpoint.ok()) {
    context.gateway_id = checkpoint->origin();
  }
  request->set_page_size(1000);
  request->clear_page_token();
  std::string ndjson;
  do {
    absl::StatusOr<v1::QueryAuditEventsResponse> page =
        gateway_->QueryAuditEvents(*request);
    if (!page.ok()) return ErrorResponse(page.status());
    for (const v1::AuditEvent& e : page->events()) {
      fhir::AppendAuditEventNdjson(e, context, &ndjson);
    }
    request->set_page_token(page->next_page_token());
  } while (!request->page_token().empty());
  return Attachment(
      std::move(ndjson), "application/fhir+ndjson",
      absl::StrCat("caregate-audit-events-",
                   absl::FormatTime("%Y-%m-%d", now_(), absl::UTCTimeZone()),
                   ".ndjson"));
}

}  // namespace caregate::console
