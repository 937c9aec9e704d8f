// Internal helpers of caregate_validation: errors that name a field by its
// proto path ("consent.evidence.signed_at: required") and checks shared by the
// validators. Not part of the library's public API.
//
// Messages built here never contain the value of a free-text field; only
// field paths, enum names, numbers and ids go into them.
#ifndef CAREGATE_SERVICES_VALIDATION_FIELD_ERRORS_H_
#define CAREGATE_SERVICES_VALIDATION_FIELD_ERRORS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace caregate::validation_internal {

// "field: problem" with the given code.
absl::Status FieldError(absl::StatusCode code, std::string_view field,
                        std::string_view problem);
inline absl::Status InvalidField(std::string_view field,
                                 std::string_view problem) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, problem);
}

// "field[index]".
std::string Indexed(std::string_view field, int index);

// An enum field that must be set: UNSPECIFIED (0) -> "field: required", a
// number outside the enum -> "field: unknown value N".
absl::Status CheckRequiredEnum(int value, bool (*is_valid)(int),
                               std::string_view field);
// An optional enum field: 0 is fine, any other number must be defined.
absl::Status CheckOptionalEnum(int value, bool (*is_valid)(int),
                               std::string_view field);

}  // namespace caregate::validation_internal

#endif  // CAREGATE_SERVICES_VALIDATION_FIELD_ERRORS_H_
