// caregate.v1.AuditEvent -> FHIR R4 AuditEvent, one per event, for
// `caregatectl audit export --format fhir` (NDJSON: one resource per line).
// docs/fhir.md, "AuditEvent", has the table of every action.
//
// The patterns follow IHE Basic Audit Log Patterns (BALP) where one fits:
//  - consent decisions (disclosure permitted / redacted / denied, and a
//    message withheld after a revocation) use BALP's AuthZ-consent pattern:
//    type DICOM 110113 "Security Alert", subtype BALP AuthZ-Consent, action
//    E, outcome 0 for a permit and 8 for a deny, the recipient organization
//    as agent IRCP with purposeOfUse, the gateway as agent authserver, the
//    patient and each consent relied on as entities;
//  - access denied: the same with subtype AuthZ-Role;
//  - an acknowledgement: BALP PrivacyDisclosure.Recipient (DICOM 110107
//    "Import", ISO 21089 "disclose"); delivered/failed push: the Source
//    variant (DICOM 110106 "Export");
//  - consent recorded/revoked: DICOM 110110 "Patient Record" (C / U);
//  - audit accessed: DICOM 110101 "Audit Log Used".
// Every event also carries its caregate action as a subtype (CodeSystem
// audit-action), so the mapping is reversible. An action this code does not
// know yet maps to that caregate code alone.
//
// The resources follow the patterns' codes, agents and entities as far as a
// caregate event has the data; they do not claim the BALP profiles in
// meta.profile (the events hold no network addresses, and a denial for want
// of any consent has no consent entity), see docs/fhir.md.
//
// The chain: AuditEvent has no identifier element in R4, so the event's
// seq, hash and prev_hash (and the client's request id) are Identifiers in
// the audit-event-identifier extension (systems audit-seq, audit-hash,
// audit-prev-hash, request-id; hashes in lowercase hex), and id is
// "audit-<seq>". `caregatectl audit verify-offline` of the JSON export checks
// the same hashes.
//
// Plain functions: thread-safe, no I/O; they never fail.
#ifndef CAREGATE_SERVICES_FHIR_AUDIT_EVENT_EXPORT_H_
#define CAREGATE_SERVICES_FHIR_AUDIT_EVENT_EXPORT_H_

#include <string>

#include "caregate/v1/types.pb.h"
#include "services/fhir/fhir_terminology.h"

namespace caregate::fhir {

struct AuditExportContext {
  // Identifies the gateway that keeps the log (AuditEvent.source.observer
  // and the authorizer agent), e.g. its checkpoint origin.
  std::string gateway_id;
};

// The FHIR AuditEvent of one event.
Json AuditEventToFhir(const v1::AuditEvent& event,
                      const AuditExportContext& context);

// Appends the event as one NDJSON line (compact JSON and "\n") to `*out`.
// Invalid UTF-8 in a string field is replaced by U+FFFD, never thrown.
void AppendAuditEventNdjson(const v1::AuditEvent& event,
                            const AuditExportContext& context,
                            std::string* out);

}  // namespace caregate::fhir

#endif  // CAREGATE_SERVICES_FHIR_AUDIT_EVENT_EXPORT_H_
