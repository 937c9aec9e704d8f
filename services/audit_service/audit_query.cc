#include "services/audit_service/audit_query.h"

#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "services/audit_service/audit_event_proto.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/validation/request_fields.h"

namespace caregate {
namespace {

// An id filter: empty matches everything, anything else must be a valid id.
absl::Status ValidateOptionalId(const std::string& value,
                                std::string_view field,
                                const InputLimits& limits) {
  if (value.empty()) return absl::OkStatus();
  return ValidateIdField(value, field, limits);
}

absl::StatusOr<std::optional<absl::Time>> OptionalTime(
    const google::protobuf::Timestamp& ts, std::string_view field) {
  if (IsUnset(ts)) return std::nullopt;
  CG_ASSIGN_OR_RETURN(absl::Time t, FromProtoTime(ts, field));
  return t;
}

absl::Status ValidateActions(const v1::QueryAuditEventsRequest& request) {
  for (int i = 0; i < request.actions_size(); ++i) {
    const int action = request.actions(i);
    if (action == v1::AUDIT_ACTION_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("actions[", i, "]: must not be UNSPECIFIED"));
    }
    if (!v1::AuditAction_IsValid(action)) {
      return absl::InvalidArgumentError(
          absl::StrCat("actions[", i, "]: unknown value ", action));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AuditQuery> AuditQueryFromRequest(
    const v1::QueryAuditEventsRequest& request, const InputLimits& limits) {
  CG_RETURN_IF_ERROR(
      ValidateOptionalId(request.patient_id(), "patient_id", limits));
  if (!request.patient_id().empty()) {
    // Two practices' "p-1" are two people: a patient is named by both.
    if (request.practice_org_id().empty()) {
      return absl::InvalidArgumentError(
          "practice_org_id: required with patient_id (a patient is the pair "
          "practice, patient id)");
    }
    CG_RETURN_IF_ERROR(
        ValidateIdField(request.practice_org_id(), "practice_org_id", limits));
  } else if (!request.practice_org_id().empty()) {
    return absl::InvalidArgumentError(
        "practice_org_id: only with patient_id (it names the patient's "
        "practice)");
  }
  CG_RETURN_IF_ERROR(ValidateOptionalId(request.actor_principal_id(),
                                        "actor_principal_id", limits));
  CG_RETURN_IF_ERROR(ValidateOptionalId(request.recipient_org_id(),
                                        "recipient_org_id", limits));
  CG_RETURN_IF_ERROR(ValidateActions(request));
  if (!v1::DecisionOutcome_IsValid(request.outcome())) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcome: unknown value ", request.outcome()));
  }
  AuditQuery query;
  CG_ASSIGN_OR_RETURN(query.since, OptionalTime(request.since(), "since"));
  CG_ASSIGN_OR_RETURN(query.until, OptionalTime(request.until(), "until"));
  CG_ASSIGN_OR_RETURN(
      query.limit, ValidatePageSize(request.page_size(), kDefaultAuditPageSize,
                                    kMaxAuditPageSize));
  CG_ASSIGN_OR_RETURN(query.after_seq, DecodePageToken(request.page_token()));
  query.patient = {request.practice_org_id(), request.patient_id()};
  query.actor_principal_id = request.actor_principal_id();
  query.recipient_org_id = request.recipient_org_id();
  for (int action : request.actions()) {
    query.actions.push_back(static_cast<v1::AuditAction>(action));
  }
  query.outcome = request.outcome();
  return query;
}

v1::QueryAuditEventsResponse AuditEventsPage(
    const std::vector<AuditEvent>& events, int page_size) {
  v1::QueryAuditEventsResponse response;
  const bool more = static_cast<int>(events.size()) > page_size;
  const size_t count = more ? page_size : events.size();
  for (size_t i = 0; i < count; ++i) {
    *response.add_events() = AuditEventToProto(events[i]);
  }
  if (more && count > 0) {
    response.set_next_page_token(EncodePageToken(events[count - 1].seq));
  }
  return response;
}

CheckpointSeqRange PageCheckpointRange(
    int64_t after_seq, const v1::QueryAuditEventsResponse& page) {
  CheckpointSeqRange range;
  range.first = after_seq == 0 ? 0 : after_seq + 1;
  range.last = page.next_page_token().empty() || page.events().empty()
                   ? std::numeric_limits<int64_t>::max()
                   : page.events(page.events_size() - 1).seq();
  return range;
}

}  // namespace caregate
