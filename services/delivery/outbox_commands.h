// The outbox's ledger commands: what a push attempt changes in a message's
// state. Plain C++, no gRPC types, no transport: the dispatcher
// (push_dispatcher.h) turns a transport's result into a PushOutcome and
// submits RecordPushOutcomeCommand; the ledger's single writer runs it,
// serialized with sends, revocations and acknowledgements.
//
// State changes (the message is read inside the write transaction, so a
// revocation committed before the command is seen):
//  - kDelivered: a QUEUED message becomes DELIVERED (ACKNOWLEDGED when the
//    receiver acknowledged), delivered_at = received_at, audited
//    AUDIT_ACTION_MESSAGE_DELIVERED (then MESSAGE_ACKNOWLEDGED). A message
//    withheld by a revocation that committed while this attempt was in
//    flight was disclosed all the same: it becomes DELIVERED too, and the
//    audit order (MESSAGE_WITHHELD, then MESSAGE_DELIVERED with detail
//    "in flight at revocation") shows it.
//  - kRetry: a QUEUED message keeps its state; attempts, next_attempt_at and
//    last error are written. Not audited.
//  - kFailed: a QUEUED message becomes FAILED with the error, audited
//    AUDIT_ACTION_DELIVERY_FAILED.
// Any other state (already delivered, acknowledged through the inbox,
// failed) is left as it is and nothing is written: the command is idempotent
// and a duplicate outcome is harmless.
//
// RetryDeliveryCommand (compliance or an administrator): a FAILED message
// goes back to QUEUED, due at once, attempts counted again from 0 and
// retried_at = now (the retry policy's max_age counts from there), audited
// AUDIT_ACTION_DELIVERY_RETRIED with the caller as actor. Refused, writing
// nothing: an unknown id (NOT_FOUND), any other state (FAILED_PRECONDITION
// naming it), a consent it relied on that is revoked (FAILED_PRECONDITION;
// revocations withhold failed messages, so only a message failed before
// that rule can get here).
//
// Ownership: the commands own their inputs (copies); nothing points into a
// caller's object.
#ifndef CAREGATE_SERVICES_DELIVERY_OUTBOX_COMMANDS_H_
#define CAREGATE_SERVICES_DELIVERY_OUTBOX_COMMANDS_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"
#include "services/config/gateway_config.h"
#include "services/ledger/ledger.h"
#include "services/store/records.h"

namespace caregate {

// The principal id audit events of push delivery name as their actor (the
// gateway's delivery client identity).
inline constexpr char kDeliveryActorId[] = "gateway-delivery";

// What one push attempt came to, as the outbox records it.
struct PushOutcome {
  enum class Kind { kDelivered, kRetry, kFailed };
  std::string message_id;
  Kind kind = Kind::kRetry;
  int attempt = 1;  // the attempt's number, from 1
  // kDelivered: the receiver's acknowledgement and when it stored the
  // message.
  bool acknowledged = false;
  absl::Time received_at = absl::InfinitePast();
  // kRetry: when to try again.
  absl::Time next_attempt_at = absl::InfiniteFuture();
  // kRetry, kFailed: what went wrong, free of message content.
  std::string error{};
  // The message's disclosure, read beforehand (the write transaction cannot
  // read disclosures by id): the patient, practice and purpose of the audit
  // events. Ignored unless its id is the message's disclosure id.
  std::optional<DisclosureRow> disclosure{};
};

// The message as the command left it (std::nullopt for an unknown message
// id); set once the command has run.
using PushOutcomeResult =
    std::shared_ptr<absl::StatusOr<std::optional<MessageRow>>>;

// Fails (leaving nothing) only on store errors.
LedgerCommand RecordPushOutcomeCommand(PushOutcome outcome,
                                       PushOutcomeResult result);

// What a retry left: the message as it now is, and the retry's audit event.
struct RetriedDelivery {
  MessageRow message;
  int64_t audit_seq = 0;
};
// Set once the command has run: the retry, or why it was refused.
using RetryDeliveryResult = std::shared_ptr<absl::StatusOr<RetriedDelivery>>;

// `disclosure` is the message's disclosure, read beforehand (for the audit
// event's patient, practice and purpose). Fails (leaving nothing) only on
// store errors; refusals go to `result`.
LedgerCommand RetryDeliveryCommand(std::string message_id, PrincipalInfo actor,
                                   std::optional<DisclosureRow> disclosure,
                                   RetryDeliveryResult result);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_DELIVERY_OUTBOX_COMMANDS_H_
