// caregate.v1.Message -> the FHIR R4 Bundle of type "message" that push
// delivery POSTs to `{base_url}/$process-message` (docs/fhir.md, "Message
// bundle").
//
// Entries, in this order, each with fullUrl "urn:uuid:<uuid>" and id <uuid>:
//  1. MessageHeader: eventCoding message-event#disclosure, source (the
//     gateway), destination (the recipient provider at its endpoint), sender
//     (the practice), author (the sending clinician), focus -> Communication.
//  2. Communication: the disclosure. One payload per section: an Attachment
//     (text/plain, the body as base64 data, the title as title) with the
//     section's category in the section-category extension. subject -> the
//     Patient; sender, recipients, sent, reasonCode = purpose, the
//     redisclosure notice as a note, identifiers message-id and
//     disclosure-id, security labels "restricted".
//  3. Provenance: target -> Communication, the gateway's Ed25519 signature
//     (type ASTM "Source Signature", who -> the gateway Device, data = the raw
//     signature, the signing key id in an extension), the content SHA-256 in
//     an extension, policy -> the Consent entries the message relied on.
//  4. Patient (identifier only), Practitioner (sender), Organization
//     (practice), Organization (recipient), Practitioner (recipient), Device
//     (the gateway), then one Consent per consent summary.
// Bundle.identifier = message_id (system message-id), so a receiver
// deduplicates; Bundle.timestamp = created_at.
//
// Deterministic: the same message and context always give the same JSON.
// Each UUID is NameBasedUuid("<kind>\n<message_id>") (fhir_json.h), with
// kind one of MessageHeader, Communication, Provenance, Patient, Sender,
// SenderPractice, RecipientOrganization, RecipientProvider, Gateway, Bundle,
// and "Consent\n<message_id>\n<consent_id>" for consents.
//
// The bundle carries every signed field of the message, so a receiver can
// rebuild the canonical bytes of docs/message-signature.md and verify the
// signature (docs/fhir.md lists where each one is).
//
// A plain function: thread-safe, no I/O.
#ifndef CAREGATE_SERVICES_FHIR_MESSAGE_BUNDLE_H_
#define CAREGATE_SERVICES_FHIR_MESSAGE_BUNDLE_H_

#include <string>

#include "absl/status/statusor.h"
#include "caregate/v1/types.pb.h"
#include "services/fhir/fhir_terminology.h"

namespace caregate::fhir {

// What the directory knows about a party of the message; both optional.
struct PartyDetails {
  std::string display_name;
  // National Provider Identifier (10 digits), added as a us-npi identifier.
  std::string npi;
};

// What the bundle needs beyond the message. The ids come from the message.
struct MessageBundleContext {
  // Identifies the gateway (the Device that signs), e.g. its checkpoint
  // origin "caregate.local/audit"; required.
  std::string gateway_id;
  // MessageHeader.source.endpoint: where the gateway is reached; required.
  std::string source_endpoint;
  // MessageHeader.destination.endpoint: the recipient's FHIR base URL;
  // required.
  std::string destination_endpoint;
  PartyDetails sender;              // the sending clinician (principal)
  PartyDetails sender_practice;     // sender_org_id
  PartyDetails recipient_org;       // recipient_org_id
  PartyDetails recipient_provider;  // recipient_provider_id
};

// The Bundle. INVALID_ARGUMENT naming the field when the message lacks
// message_id, sender_org_id, patient_id, recipient_org_id,
// recipient_provider_id, a purpose, sections, signature or created_at, or the
// context lacks gateway_id or an endpoint.
absl::StatusOr<Json> BuildMessageBundle(const v1::Message& message,
                                        const MessageBundleContext& context);

}  // namespace caregate::fhir

#endif  // CAREGATE_SERVICES_FHIR_MESSAGE_BUNDLE_H_
