// The ledger command behind AcknowledgeMessage. Plain C++: no gRPC types.
//
// On the ledger's writer thread, serialized with sends and revocations: finds
// the message and, when it is a QUEUED message of the actor's organization
// (or one pushed to its endpoint and DELIVERED, not yet acknowledged),
// marks it ACKNOWLEDGED and audits AUDIT_ACTION_MESSAGE_ACKNOWLEDGED in the
// group's transaction. Refusals reach the caller through the result:
//  - unknown id, or a message of another organization -> NOT_FOUND
//    "message_id: no message <id>" (the service refuses those before it
//    submits, and audits the refusal);
//  - WITHHELD_BY_REVOCATION, or FAILED (push) -> FAILED_PRECONDITION.
// Acknowledging again returns the first acknowledgement time and writes
// nothing. The command itself fails (and leaves nothing) only on store errors.
#ifndef CAREGATE_SERVICES_INBOX_ACKNOWLEDGE_COMMAND_H_
#define CAREGATE_SERVICES_INBOX_ACKNOWLEDGE_COMMAND_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/config/gateway_config.h"
#include "services/ledger/ledger.h"
#include "services/store/records.h"

namespace caregate {

// The acknowledgement time (microsecond precision, as stored), or the
// refusal; set once the command has run.
using AcknowledgeResult = std::shared_ptr<absl::StatusOr<absl::Time>>;

// `disclosure` is the message's disclosure, read beforehand by the caller
// (the write transaction cannot read disclosures by id); it supplies the
// patient, practice and purpose of the audit event and is ignored unless its
// id is the message's disclosure id.
LedgerCommand AcknowledgeMessageCommand(std::string message_id,
                                        PrincipalInfo actor,
                                        std::optional<DisclosureRow> disclosure,
                                        AcknowledgeResult result);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_INBOX_ACKNOWLEDGE_COMMAND_H_
