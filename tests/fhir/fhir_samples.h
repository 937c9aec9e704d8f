// Sample caregate data for the FHIR mapping's tests and the sample writer
// (fhir_samples_main.cc): consents of several shapes, signed messages
// (full and redacted), and an audit event of every action. Values are
// made up; nothing here is real patient data.
#ifndef CAREGATE_TESTS_FHIR_FHIR_SAMPLES_H_
#define CAREGATE_TESTS_FHIR_FHIR_SAMPLES_H_

#include <string>
#include <vector>

#include "caregate/v1/types.pb.h"
#include "services/crypto/ed25519.h"
#include "services/fhir/audit_event_export.h"
#include "services/fhir/message_bundle.h"

namespace caregate::fhir::samples {

enum class ConsentShape {
  kOrganization,  // grantee an organization; the patient signed
  kProvider,      // one provider; withheld categories; a guardian signed
  kSpecialty,     // a specialty; a personal representative; no valid_from
  kRevoked,       // kOrganization, revoked
};
inline constexpr ConsentShape kAllConsentShapes[] = {
    ConsentShape::kOrganization, ConsentShape::kProvider,
    ConsentShape::kSpecialty, ConsentShape::kRevoked};
const char* ShapeName(ConsentShape shape);

// A recorded consent of `shape`, as GetConsent returns it.
v1::Consent SampleConsent(ConsentShape shape);

// Messages signed by `signer` (docs/message-signature.md): a full one of
// three sections relying on two consents, a redacted one (only the covered
// section of a disclosure travelled), and one with an empty title and body.
std::vector<v1::Message> SampleMessages(const Ed25519Signer& signer);

MessageBundleContext SampleBundleContext();
AuditExportContext SampleAuditContext();

// One event of every AuditAction value but UNSPECIFIED, chained (seq from
// 1, each prev_hash the previous hash).
std::vector<v1::AuditEvent> SampleAuditEvents();

}  // namespace caregate::fhir::samples

#endif  // CAREGATE_TESTS_FHIR_FHIR_SAMPLES_H_
