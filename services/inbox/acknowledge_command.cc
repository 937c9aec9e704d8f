#include "services/inbox/acknowledge_command.h"

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/inbox/message_audit_event.h"
#include "services/security/rpc_policy.h"

namespace caregate {
namespace {

AuditEvent AcknowledgedEvent(const PrincipalInfo& actor, const MessageRow& row,
                             const std::optional<DisclosureRow>& disclosure) {
  return WithActor(
      MessageAuditEvent(row, v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED, disclosure),
      actor);
}

}  // namespace

LedgerCommand AcknowledgeMessageCommand(std::string message_id,
                                        PrincipalInfo actor,
                                        std::optional<DisclosureRow> disclosure,
                                        AcknowledgeResult result) {
  return [message_id = std::move(message_id), actor = std::move(actor),
          disclosure = std::move(disclosure),
          result](LedgerTxn& txn) -> absl::Status {
    CG_ASSIGN_OR_RETURN(std::optional<MessageRow> row,
                        txn.store().FindMessage(message_id));
    // The service refused (and audited) other organizations' ids before it
    // submitted; messages never change recipient, so this is a second check.
    if (!row.has_value() || row->recipient_org_id != actor.org_id) {
      *result = absl::NotFoundError(
          absl::StrCat("message_id: no message ", message_id));
      return absl::OkStatus();
    }
    switch (row->state) {
      case v1::DELIVERY_STATE_QUEUED:
      case v1::DELIVERY_STATE_DELIVERED:  // pushed, not acknowledged by push
        break;
      case v1::DELIVERY_STATE_ACKNOWLEDGED:
        *result = row->acknowledged_at.value_or(row->created_at);
        return absl::OkStatus();
      case v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION:
        *result = absl::FailedPreconditionError(
            "message_id: message was withheld after its consent was revoked");
        return absl::OkStatus();
      case v1::DELIVERY_STATE_FAILED:
        *result = absl::FailedPreconditionError(
            "message_id: push delivery of the message failed");
        return absl::OkStatus();
      default:
        return absl::InternalError(
            absl::StrCat("message ", message_id, ": unknown delivery state"));
    }
    const absl::Time at = StoredPrecision(txn.now());
    CG_RETURN_IF_ERROR(txn.store().MarkMessageAcknowledged(message_id, at));
    CG_RETURN_IF_ERROR(
        txn.Audit(AcknowledgedEvent(actor, *row, disclosure)).status());
    *result = at;
    return absl::OkStatus();
  };
}

}  // namespace caregate
