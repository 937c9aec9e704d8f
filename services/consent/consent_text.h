// Sealing and opening a consent's patient-identifying text: the evidence's
// information description, signer name, representative authority and
// witness, and the revocation reason. They are PHI, so the store keeps them
// only sealed with the data key (AES-256-GCM), like message bodies. The
// associated data binds each sealed value to its consent id and field, so a
// sealed value moved to another consent or field does not open.
//
// Thread-safe (DataCipher is).
#ifndef CAREGATE_SERVICES_CONSENT_CONSENT_TEXT_H_
#define CAREGATE_SERVICES_CONSENT_CONSENT_TEXT_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "services/crypto/data_cipher.h"
#include "services/policy/consent_record.h"

namespace caregate {

// Sets consent->sealed.key_id and .evidence from the plain evidence fields
// (and .revocation_reason when revoked). consent_id must be set.
void SealConsentText(const DataCipher& cipher, ConsentRecord* consent);

// The sealed form of `reason` for consent `consent_id`.
std::string SealRevocationReason(const DataCipher& cipher,
                                 std::string_view consent_id,
                                 std::string_view reason);

// Fills the plain fields from consent->sealed. DATA_LOSS naming the consent
// (never its content) when it was sealed with another key or altered.
absl::Status OpenConsentText(const DataCipher& cipher, ConsentRecord* consent);

// The record as callers see it: the storage-only fields (sealed text, the
// request digest) cleared.
ConsentRecord ForCaller(ConsentRecord consent);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CONSENT_CONSENT_TEXT_H_
