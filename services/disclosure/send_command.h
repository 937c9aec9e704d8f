// The ledger command behind SendDisclosure. Plain C++: no gRPC types.
//
// On the ledger's writer thread, serialized with every consent change: looks
// up the sender's request id (a repeat returns the first receipt), decides
// against the ConsentIndex as of now, and then either audits a denial (only
// the content's SHA-256 is kept) or writes the disclosure, its signed and
// encrypted message and its audit event — all in the group's transaction. The
// message reaches inbox streams only once durable (MessageNotifier).
#ifndef CAREGATE_SERVICES_DISCLOSURE_SEND_COMMAND_H_
#define CAREGATE_SERVICES_DISCLOSURE_SEND_COMMAND_H_

#include <memory>
#include <optional>
#include <string>

#include "caregate/v1/types.pb.h"
#include "services/config/gateway_config.h"
#include "services/crypto/data_cipher.h"
#include "services/crypto/ed25519.h"
#include "services/crypto/keyed_digest.h"
#include "services/delivery/message_notifier.h"
#include "services/ledger/ledger.h"
#include "services/policy/consent_index.h"
#include "services/validation/disclosure_validation.h"

namespace caregate {

// What the send command needs beyond the request. All pointers must outlive
// the command.
struct SendContext {
  const GatewayConfig* config;
  ConsentIndex* index;
  const Ed25519Signer* signer;
  const DataCipher* cipher;
  MessageNotifier* notifier;
  // Keyed digests of requests (idempotency) and of denied content.
  const KeyedDigest* digester;
};

// A message prepared before the command runs, so that signing and sealing
// (the costly part) happen on the caller's thread, not the single writer.
// The command re-decides and uses the draft only when the decision covers
// exactly the same sections with the same consents; otherwise it rebuilds.
struct SendDraft {
  std::string request_digest;  // keyed digest of DisclosureRequestBytes
  DecisionResult decision;     // the decision the draft was built for
  std::shared_ptr<v1::Message>
      message;                  // signed; null when that decision denied
  std::string sealed_envelope;  // the message sealed for storage
  absl::Time accepted_at;       // created_at of the message and rows
};

// Decides as of `now` and, unless denied, builds, signs and seals the message.
// Thread-safe; call it off the writer thread.
SendDraft PrepareSend(const SendContext& context, const PrincipalInfo& sender,
                      const ValidatedDisclosure& validated,
                      const v1::Disclosure& disclosure, absl::Time now);

// The outcome of a send: a receipt, a refusal, or a denial with its decision.
struct SendOutcome {
  std::optional<v1::Receipt> receipt;  // set when permitted (or repeated)
  // ALREADY_EXISTS: the request id was used before for a different request.
  std::optional<absl::Status> refusal;
  DecisionResult denial;  // meaningful when neither is set
};

// The command owns what it reads: the handler moves the disclosure out of
// the request once it has built the draft from it. A repeated
// request id of the sender returns the first receipt when the request is the
// same (same digest), and ALREADY_EXISTS naming the request id otherwise. A
// denial stores no content, only its keyed digest in the audit event.
LedgerCommand SendDisclosureCommand(
    const SendContext& context, const PrincipalInfo& sender,
    ValidatedDisclosure validated,
    std::shared_ptr<const v1::Disclosure> disclosure, std::string request_id,
    SendDraft draft, std::shared_ptr<SendOutcome> outcome);

// The DecisionRequest for a validated disclosure of `practice_org_id`.
DecisionRequest MakeDecisionRequest(const std::string& practice_org_id,
                                    const ValidatedDisclosure& validated,
                                    absl::Time now);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_DISCLOSURE_SEND_COMMAND_H_
