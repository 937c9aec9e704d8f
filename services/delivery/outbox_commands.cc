#include "services/delivery/outbox_commands.h"

#include <utility>

#include "services/common/status_macros.h"

namespace caregate {
namespace {

constexpr char kInFlightAtRevocation[] = "in flight at revocation";

AuditEvent DeliveryEvent(const MessageRow& row, v1::AuditAction action,
                         const std::optional<DisclosureRow>& disclosure) {
  AuditEvent event;
  event.actor_principal_id = kDeliveryActorId;
  event.action = action;
  event.recipient_org_id = row.recipient_org_id;
  event.consent_ids = row.consent_ids;
  event.subject_id = row.message_id;
  if (disclosure.has_value() &&
      disclosure->disclosure_id == row.disclosure_id) {
    event.practice_org_id = disclosure->practice_org_id;
    event.patient_id = disclosure->patient_id;
    event.purpose = disclosure->purpose;
  }
  return event;
}

// The time as the store keeps it.
absl::Time StoredPrecision(absl::Time t) {
  return absl::FromUnixMicros(absl::ToUnixMicros(t));
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

}  // namespace

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
