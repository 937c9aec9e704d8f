// Building blocks of FHIR R4 JSON shared by the bundle, audit and consent
// mappings: instants, codings, identifiers, references and deterministic
// urn:uuid names. Thread-safe free functions without I/O.
#ifndef CAREGATE_SERVICES_FHIR_FHIR_JSON_H_
#define CAREGATE_SERVICES_FHIR_FHIR_JSON_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/fhir/fhir_terminology.h"

namespace caregate::fhir {

// A FHIR instant/dateTime in UTC: "2024-05-01T09:30:00Z", with as many
// fractional digits as the timestamp needs ("...:00.25Z"), never fewer.
std::string FhirInstant(const google::protobuf::Timestamp& ts);

// Parses a FHIR dateTime that names an exact instant: date, time to the
// second (optionally fractional) and a zone ("Z" or "+hh:mm"). A partial
// date ("2024", "2024-05-01") or a time without zone -> INVALID_ARGUMENT
// "<path>: ..." (caregate cannot guess the instant it means).
absl::StatusOr<google::protobuf::Timestamp> ParseFhirInstant(
    std::string_view text, std::string_view path);

// True when `id` is a valid FHIR resource id: [A-Za-z0-9\-.]{1,64}.
bool IsFhirId(std::string_view id);

// {"system", "code"[, "display"]}.
Json Coding(std::string_view system, std::string_view code,
            std::string_view display = {});
// {"coding": [coding]}.
Json Concept(Json coding);
// {"system", "value"}.
Json Identifier(std::string_view system, std::string_view value);
// A reference by business identifier: {"type", "identifier"[, "display"]}.
Json LogicalReference(std::string_view type, std::string_view system,
                      std::string_view value, std::string_view display = {});

// The patient (practice, patient id) as an Identifier.
Json PatientIdentifier(std::string_view practice_org_id,
                       std::string_view patient_id);

// A name-based UUID (RFC 9562 version 8, the SHA-256 variant of its
// appendix B.2): the first 16 bytes of SHA-256(kUuidNamespace || name) with
// the version nibble set to 8 and the variant bits to 10, in the 8-4-4-4-12
// lowercase form. The same name always gives the same UUID.
std::string NameBasedUuid(std::string_view name);
// "urn:uuid:" + NameBasedUuid(name).
std::string UrnUuid(std::string_view name);

// The namespace of NameBasedUuid, c606d5ba-7eb9-4ce0-a274-9b7c5edef4a8, as
// its 16 bytes.
inline constexpr std::string_view kUuidNamespace =
    "\xc6\x06\xd5\xba\x7e\xb9\x4c\xe0\xa2\x74\x9b\x7c\x5e\xde\xf4\xa8";

}  // namespace caregate::fhir

#endif  // CAREGATE_SERVICES_FHIR_FHIR_JSON_H_
