// Strict reading of FHIR JSON for the importers: every accessor takes the
// element's FHIR path and fails with INVALID_ARGUMENT naming it. Never throws
// and never echoes a string value it did not expect (it may be free text).
// Internal to caregate_fhir.
#ifndef CAREGATE_SERVICES_FHIR_FHIR_READER_H_
#define CAREGATE_SERVICES_FHIR_FHIR_READER_H_

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/fhir/cat.h"
#include "services/fhir/fhir_terminology.h"

namespace caregate::fhir {

// INVALID_ARGUMENT "<path>: <why>".
absl::Status Refuse(std::string_view path, std::string_view why);

// "<path>.<key>" and "<path>[<i>]".
std::string Member(std::string_view path, std::string_view key);
std::string Item(std::string_view path, size_t index);

// `element` must be an object whose keys are all in `known`; the first other
// key is refused as not supported.
absl::Status CheckObject(const Json& element, std::string_view path,
                         std::initializer_list<std::string_view> known);

// The member `key` of object `element`, or nullptr when absent.
const Json* Find(const Json& element, std::string_view key);

// A string member: nullopt when absent; refused when not a string or empty.
absl::StatusOr<std::optional<std::string>> OptionalString(
    const Json& element, std::string_view key, std::string_view path);
// As OptionalString, but absent is refused with "missing; <why_needed>".
absl::StatusOr<std::string> RequiredString(const Json& element,
                                           std::string_view key,
                                           std::string_view path,
                                           std::string_view why_needed);

// An array member: nullptr when absent; refused when not a non-empty array.
absl::StatusOr<const Json*> OptionalArray(const Json& element,
                                          std::string_view key,
                                          std::string_view path);

// A Coding's system and code, both required; display is allowed and ignored.
struct CodingValue {
  std::string system;
  std::string code;
};
absl::StatusOr<CodingValue> ReadCoding(const Json& coding,
                                       std::string_view path);

// A Coding of caregate's CodeSystem for Enum.
template <typename Enum>
absl::StatusOr<Enum> ReadCaregateCoding(const Json& coding,
                                        std::string_view path) {
  absl::StatusOr<CodingValue> value = ReadCoding(coding, path);
  if (!value.ok()) return value.status();
  if (value->system != SystemOf<Enum>()) {
    return Refuse(Member(path, "system"),
                  Cat("unknown code system \"", value->system,
                      "\" (caregate reads ", SystemOf<Enum>(), " here)"));
  }
  std::optional<Enum> e = EnumOfCode<Enum>(value->code);
  if (!e.has_value()) {
    return Refuse(Member(path, "code"), Cat("unknown code \"", value->code,
                                            "\" of ", SystemOf<Enum>()));
  }
  return *e;
}

// A CodeableConcept holding exactly one Coding of caregate's CodeSystem for
// Enum (text is allowed and ignored).
template <typename Enum>
absl::StatusOr<Enum> ReadCaregateConcept(const Json& cc,
                                         std::string_view path) {
  if (absl::Status s = CheckObject(cc, path, {"coding", "text"}); !s.ok()) {
    return s;
  }
  absl::StatusOr<const Json*> codings = OptionalArray(cc, "coding", path);
  if (!codings.ok()) return codings.status();
  if (*codings == nullptr || (*codings)->size() != 1) {
    return Refuse(Member(path, "coding"),
                  Cat("caregate reads exactly one coding of ", SystemOf<Enum>(),
                      " here"));
  }
  return ReadCaregateCoding<Enum>((**codings)[0],
                                  Item(Member(path, "coding"), 0));
}

// A CodeableConcept whose codings are all (system, code), at least one.
absl::Status ExpectConcept(const Json& cc, std::string_view path,
                           std::string_view system, std::string_view code);

}  // namespace caregate::fhir

#endif  // CAREGATE_SERVICES_FHIR_FHIR_READER_H_
