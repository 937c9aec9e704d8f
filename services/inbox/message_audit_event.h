// What every audit event about one message holds, for the commands that
// change a message's state (acknowledge, push outcomes, retry).
// Plain functions; thread-safe.
#ifndef CAREGATE_SERVICES_INBOX_MESSAGE_AUDIT_EVENT_H_
#define CAREGATE_SERVICES_INBOX_MESSAGE_AUDIT_EVENT_H_

#include <optional>

#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"
#include "services/audit/audit_event.h"
#include "services/config/gateway_config.h"
#include "services/store/records.h"

namespace caregate {

// An event of `action` about `message`: its id as subject, its recipient and
// consents, and, from `disclosure` when it is the message's own (read
// beforehand: a write transaction cannot read disclosures by id), the
// patient, practice and purpose. No actor: see WithActor.
AuditEvent MessageAuditEvent(const MessageRow& message, v1::AuditAction action,
                             const std::optional<DisclosureRow>& disclosure);

// `event` with `actor` (principal, role, organization) as its actor.
AuditEvent WithActor(AuditEvent event, const PrincipalInfo& actor);

// `t` as the store keeps it (whole microseconds), so what a command returns
// equals what a later read returns.
absl::Time StoredPrecision(absl::Time t);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_INBOX_MESSAGE_AUDIT_EVENT_H_
