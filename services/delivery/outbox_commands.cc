#include "services/delivery/outbox_commands.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/inbox/message_audit_event.h"

namespace caregate {
namespace {

constexpr char kInFlightAtRevocation[] = "in flight at revocation";

// An event of the gateway's push delivery about `row`.
AuditEvent DeliveryEvent(const MessageRow& row, v1::AuditAction action,
                         const std::optional<DisclosureRow>& disclosure) {
  AuditEvent event = MessageAuditEvent(row, action, disclosure);
  event.actor_principal_id = kDeliveryActorId;
  return event;
}

absl::Status RecordDelivered(LedgerTxn& txn, const PushOutcome& outcome,
                             MessageRow& row) {
  const bool was_withheld =
      row.state == v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION;
  const absl::Time at = StoredPrecision(
      outcome.received_at == absl::InfinitePast() ? txn.now()
                                                  : outcome.received_at);
  row.state = outcome.acknowledged ? v1::DELIVERY_STATE_ACKNOWLEDGED
                                   : v1::DELIVERY_STATE_DELIVERED;
  row.delivery_attempts = outcome.attempt;
  row.next_attempt_at.reset();
  row.last_delivery_error.clear();
  row.delivered_at = at;
  if (outcome.acknowledged) row.acknowledged_at = at;
  CG_RETURN_IF_ERROR(txn.store().UpdateMessageDelivery(row));
  AuditEvent delivered = DeliveryEvent(row, v1::AUDIT_ACTION_MESSAGE_DELIVERED,
                                       outcome.disclosure);
  if (was_withheld) delivered.detail = kInFlightAtRevocation;
  CG_RETURN_IF_ERROR(txn.Audit(std::move(delivered)).status());
  if (!outcome.acknowledged) return absl::OkStatus();
  AuditEvent acknowledged = DeliveryEvent(
      row, v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED, outcome.disclosure);
  acknowledged.detail = "acknowledged by the receiver";
  return txn.Audit(std::move(acknowledged)).status();
}

absl::Status RecordRetry(LedgerTxn& txn, const PushOutcome& outcome,
                         MessageRow& row) {
  row.delivery_attempts = outcome.attempt;
  row.next_attempt_at = StoredPrecision(outcome.next_attempt_at);
  row.last_delivery_error = outcome.error;
  return txn.store().UpdateMessageDelivery(row);
}

absl::Status RecordFailed(LedgerTxn& txn, const PushOutcome& outcome,
                          MessageRow& row) {
  row.state = v1::DELIVERY_STATE_FAILED;
  row.delivery_attempts = outcome.attempt;
  row.next_attempt_at.reset();
  row.last_delivery_error = outcome.error;
  CG_RETURN_IF_ERROR(txn.store().UpdateMessageDelivery(row));
  AuditEvent failed =
      DeliveryEvent(row, v1::AUDIT_ACTION_DELIVERY_FAILED, outcome.disclosure);
  failed.detail = outcome.error.substr(0, 200);
  return txn.Audit(std::move(failed)).status();
}

absl::Status Record(LedgerTxn& txn, const PushOutcome& outcome,
                    MessageRow& row) {
  const bool queued = row.state == v1::DELIVERY_STATE_QUEUED;
  switch (outcome.kind) {
    case PushOutcome::Kind::kDelivered:
      if (queued || row.state == v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION) {
        return RecordDelivered(txn, outcome, row);
      }
      return absl::OkStatus();
    case PushOutcome::Kind::kRetry:
      return queued ? RecordRetry(txn, outcome, row) : absl::OkStatus();
    case PushOutcome::Kind::kFailed:
      return queued ? RecordFailed(txn, outcome, row) : absl::OkStatus();
  }
  return absl::OkStatus();
}

// Why `row` may not be pushed again, or OK.
absl::StatusOr<absl::Status> RetryRefusal(LedgerTxn& txn,
                                          const MessageRow& row) {
  if (row.state != v1::DELIVERY_STATE_FAILED) {
    return absl::FailedPreconditionError(
        absl::StrCat("message_id: message ", row.message_id, " is ",
                     v1::DeliveryState_Name(row.state),
                     "; only a DELIVERY_STATE_FAILED delivery can be retried"));
  }
  // PostgreSQL locks each consent row until commit, so a revocation on
  // another replica runs before or after this command, never beside it.
  for (const std::string& consent_id : row.consent_ids) {
    CG_ASSIGN_OR_RETURN(std::optional<ConsentRecord> consent,
                        txn.store().FindConsent(consent_id));
    if (consent.has_value() && consent->revoked()) {
      return absl::FailedPreconditionError(
          absl::StrCat("message_id: its consent ", consent_id,
                       " was revoked; the message may not be pushed"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<RetriedDelivery> Retry(LedgerTxn& txn,
                                      const PrincipalInfo& actor,
                                      const std::optional<DisclosureRow>& d,
                                      MessageRow row) {
  const int failed_attempts = row.delivery_attempts;
  row.state = v1::DELIVERY_STATE_QUEUED;
  row.delivery_attempts = 0;
  row.next_attempt_at.reset();
  row.retried_at = StoredPrecision(txn.now());
  CG_RETURN_IF_ERROR(txn.store().UpdateMessageDelivery(row));
  AuditEvent retried = WithActor(
      MessageAuditEvent(row, v1::AUDIT_ACTION_DELIVERY_RETRIED, d), actor);
  retried.detail = absl::StrCat("after ", failed_attempts, " failed attempt",
                                failed_attempts == 1 ? "" : "s");
  CG_ASSIGN_OR_RETURN(int64_t seq, txn.Audit(std::move(retried)));
  return RetriedDelivery{std::move(row), seq};
}

}  // namespace

LedgerCommand RetryDeliveryCommand(std::string message_id, PrincipalInfo actor,
                                   std::optional<DisclosureRow> disclosure,
                                   RetryDeliveryResult result) {
  return [message_id = std::move(message_id), actor = std::move(actor),
          disclosure = std::move(disclosure),
          result = std::move(result)](LedgerTxn& txn) -> absl::Status {
    CG_ASSIGN_OR_RETURN(std::optional<MessageRow> row,
                        txn.store().FindMessage(message_id));
    if (!row.has_value()) {
      *result = absl::NotFoundError(
          absl::StrCat("message_id: no message ", message_id));
      return absl::OkStatus();
    }
    CG_ASSIGN_OR_RETURN(absl::Status refusal, RetryRefusal(txn, *row));
    if (!refusal.ok()) {
      *result = std::move(refusal);
      return absl::OkStatus();
    }
    absl::StatusOr<RetriedDelivery> retried =
        Retry(txn, actor, disclosure, *std::move(row));
    if (!retried.ok()) return retried.status();
    *result = *std::move(retried);
    return absl::OkStatus();
  };
}

LedgerCommand RecordPushOutcomeCommand(PushOutcome outcome,
                                       PushOutcomeResult result) {
  return [outcome = std::move(outcome),
          result = std::move(result)](LedgerTxn& txn) -> absl::Status {
    CG_ASSIGN_OR_RETURN(std::optional<MessageRow> row,
                        txn.store().FindMessage(outcome.message_id));
    if (row.has_value()) CG_RETURN_IF_ERROR(Record(txn, outcome, *row));
    *result = std::move(row);
    return absl::OkStatus();
  };
}

}  // namespace caregate
