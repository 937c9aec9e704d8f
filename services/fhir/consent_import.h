// FHIR R4 Consent JSON -> caregate.v1.Consent, the input of RecordConsent.
//
// Reads the shape ConsentToFhir writes (consent_export.h, docs/fhir.md) and
// other FHIR Consents of that shape. It maps every element it understands
// and refuses the whole resource, with INVALID_ARGUMENT naming the FHIR
// element path, for any element it cannot map faithfully, e.g.
//   "Consent.provision.provision[1].code[0].coding[0].system: unknown code
//    system \"http://example.org/x\" (caregate reads ...)"
//   "Consent.dateTime: missing; caregate needs the date the form was signed"
//   "Consent.provision.provision[0].provision: not supported ..."
// Among them: an unknown code system or code, a status other than "active",
// nested provisions other than one level of "deny" with codes, a partial
// date, a signed-form hash that is only SHA-1, an unknown extension or a
// modifierExtension, and any element caregate has no field for. Text the
// resource carries (names, descriptions) is never echoed in errors.
//
// Ignored, because they do not change what a consent permits: id, meta,
// text, language, identifier, display texts, CodeableConcept.text,
// sourceAttachment title/contentType/creation/url/size/language, and the
// literal `reference` of Consent.patient beside its identifier.
//
// The result has patient_id, practice_org_id (from the patient identifier's
// system; the caller checks it is the recording therapist's practice),
// grantee, purposes, categories, withheld_categories, valid_from,
// expires_at and evidence set. Output-only fields stay empty; RecordConsent
// still validates the values (e.g. that expires_at is in the future).
//
// Plain functions: thread-safe, no I/O.
#ifndef CAREGATE_SERVICES_FHIR_CONSENT_IMPORT_H_
#define CAREGATE_SERVICES_FHIR_CONSENT_IMPORT_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "caregate/v1/types.pb.h"
#include "services/fhir/fhir_terminology.h"

namespace caregate::fhir {

// From a parsed resource. Not a JSON object, or resourceType other than
// "Consent" -> INVALID_ARGUMENT.
absl::StatusOr<v1::Consent> ConsentFromFhir(const Json& resource);

// From JSON text; text that is not JSON -> INVALID_ARGUMENT "not valid JSON
// (syntax error at byte N)".
absl::StatusOr<v1::Consent> ConsentFromFhirJson(std::string_view json_text);

}  // namespace caregate::fhir

#endif  // CAREGATE_SERVICES_FHIR_CONSENT_IMPORT_H_
