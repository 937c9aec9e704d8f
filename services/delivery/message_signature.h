// The content hash and the gateway's signature of a delivered Message, so a
// recipient can check that a message came from the gateway unchanged.
// docs/message-signature.md specifies the bytes for other implementations.
#ifndef CAREGATE_SERVICES_DELIVERY_MESSAGE_SIGNATURE_H_
#define CAREGATE_SERVICES_DELIVERY_MESSAGE_SIGNATURE_H_

#include <string>

#include "caregate/v1/types.pb.h"
#include "services/crypto/ed25519.h"

namespace caregate {

// The sections' canonical bytes: tag "caregate.content.v1", count, then
// category, title, body of each.
std::string ContentCanonicalBytes(
    const google::protobuf::RepeatedPtrField<v1::Section>& sections);

// Lowercase hex SHA-256 of ContentCanonicalBytes.
std::string ContentSha256(
    const google::protobuf::RepeatedPtrField<v1::Section>& sections);

// The bytes the gateway signs: tag "caregate.message.v1" and every field of
// the message that the sender fixed (ids, parties, purpose, consent
// summaries, notice, content hash, creation time). Delivery state and the
// signature itself are not covered.
std::string CanonicalMessageBytes(const v1::Message& message);

// Sets content_sha256, signing_key_id and signature.
void SignMessage(const Ed25519Signer& signer, v1::Message* message);

// True when content_sha256 matches the sections and the signature verifies.
bool VerifyMessage(const Ed25519Verifier& verifier, const v1::Message& message);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_DELIVERY_MESSAGE_SIGNATURE_H_
