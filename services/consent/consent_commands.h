// Ledger commands that change consents. Plain C++: no gRPC types.
//
// Each command runs on the ledger's writer thread, first brings the patient's
// consents in the ConsentIndex up to the store's consent revision (another
// replica may have changed them, consent_refresh.h), writes the consent, its
// audit event and the patient's new revision in the group's transaction,
// updates the in-memory ConsentIndex only once that transaction commits, and
// ends the group so the next decision sees the change.
#ifndef CAREGATE_SERVICES_CONSENT_CONSENT_COMMANDS_H_
#define CAREGATE_SERVICES_CONSENT_CONSENT_COMMANDS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/config/gateway_config.h"
#include "services/crypto/data_cipher.h"
#include "services/ledger/ledger.h"
#include "services/policy/consent_index.h"

namespace caregate {

// The result a command leaves for its caller once the group has committed.
template <typename T>
using CommandResult = std::shared_ptr<absl::StatusOr<T>>;

// Records `consent` (validated; consent_id, practice, recorder, request id and
// digest set, text sealed). When `consent.recorded_by` already recorded a
// consent with the same non-empty request id, that consent is the result
// and nothing is written; when that earlier request differed (another
// request digest), ALREADY_EXISTS naming the request id.
// A patient who already has `max_per_patient` consents (any state) gets
// RESOURCE_EXHAUSTED naming consent.patient_id, and nothing is written.
LedgerCommand RecordConsentCommand(ConsentRecord consent,
                                   const PrincipalInfo& actor,
                                   ConsentIndex* index,
                                   const DataCipher* cipher,
                                   int max_per_patient,
                                   CommandResult<ConsentRecord> result);

// Revokes `consent_id` of the actor's practice and withholds every queued
// message that relied on it (audited MESSAGE_WITHHELD). The consent is read
// from the store (it may have been recorded through another replica). An
// unknown id, or one of another practice, is NOT_FOUND, with
// `*other_organization` set for the latter (the service refuses those and
// audits the refusal). Revoking a revoked consent returns it unchanged.
// `sealed_reason` is `reason` sealed for the store (SealRevocationReason).
LedgerCommand RevokeConsentCommand(std::string consent_id, std::string reason,
                                   std::string sealed_reason,
                                   const PrincipalInfo& actor,
                                   ConsentIndex* index,
                                   const DataCipher* cipher,
                                   CommandResult<ConsentRecord> result,
                                   std::shared_ptr<bool> other_organization);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CONSENT_CONSENT_COMMANDS_H_
