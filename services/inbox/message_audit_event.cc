#include "services/inbox/message_audit_event.h"

#include <utility>

namespace caregate {

AuditEvent MessageAuditEvent(const MessageRow& message, v1::AuditAction action,
                             const std::optional<DisclosureRow>& disclosure) {
  AuditEvent event;
  event.action = action;
  event.subject_id = message.message_id;
  event.recipient_org_id = message.recipient_org_id;
  event.consent_ids = message.consent_ids;
  if (disclosure.has_value() &&
      disclosure->disclosure_id == message.disclosure_id) {
    event.practice_org_id = disclosure->practice_org_id;
    event.patient_id = disclosure->patient_id;
    event.purpose = disclosure->purpose;
  }
  return event;
}

AuditEvent WithActor(AuditEvent event, const PrincipalInfo& actor) {
  event.actor_principal_id = actor.principal_id;
  event.actor_role = actor.role;
  event.actor_org_id = actor.org_id;
  return event;
}

absl::Time StoredPrecision(absl::Time t) {
  return absl::FromUnixMicros(absl::ToUnixMicros(t));
}

}  // namespace caregate
