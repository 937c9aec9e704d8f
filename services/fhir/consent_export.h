// caregate.v1.Consent -> FHIR R4 Consent (docs/fhir.md, "Consent").
//
// The shape, in short: scope patient-privacy, category LOINC 59284-0,
// policyRule hipaa-auth, the patient as an identifier scoped to the practice,
// dateTime = evidence.signed_at, the signer as performer, the practice as
// organization, the signed form as sourceAttachment with its SHA-256 in an
// extension, and one permit provision (period valid_from..expires_at, the
// grantee as actor with role IRCP, action disclose, purposes, one code per
// category) holding one nested deny provision with the withheld categories.
// status is "active", or "inactive" once revoked or expired. Evidence FHIR
// has no element for, and the revocation, go in caregate extensions.
//
// ConsentFromFhir (consent_import.h) reads this shape back.
//
// Plain functions: thread-safe, no I/O. They map whatever is set and never
// fail; fields left empty are left out.
#ifndef CAREGATE_SERVICES_FHIR_CONSENT_EXPORT_H_
#define CAREGATE_SERVICES_FHIR_CONSENT_EXPORT_H_

#include <string_view>

#include "caregate/v1/types.pb.h"
#include "services/fhir/fhir_terminology.h"

namespace caregate::fhir {

// The FHIR Consent resource of a recorded consent.
Json ConsentToFhir(const v1::Consent& consent);

// The FHIR Consent of what a message tells its recipient about a consent it
// relied on (no valid_from, withheld categories or evidence): status active,
// dateTime = signed_at, provision period end = expires_at. `patient` is the
// Consent.patient reference to use (in a bundle, the Patient entry).
Json ConsentSummaryToFhir(const v1::ConsentSummary& summary,
                          std::string_view practice_org_id, Json patient);

}  // namespace caregate::fhir

#endif  // CAREGATE_SERVICES_FHIR_CONSENT_EXPORT_H_
