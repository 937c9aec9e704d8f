#include "services/validation/field_errors.h"

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"

namespace caregate::validation_internal {

absl::Status FieldError(absl::StatusCode code, std::string_view field,
                        std::string_view problem) {
  return absl::Status(code, absl::StrCat(AsAbsl(field), ": ", AsAbsl(problem)));
}

std::string Indexed(std::string_view field, int index) {
  return absl::StrCat(AsAbsl(field), "[", index, "]");
}

absl::Status CheckRequiredEnum(int value, bool (*is_valid)(int),
                               std::string_view field) {
  if (value == 0) return InvalidField(field, "required");
  return CheckOptionalEnum(value, is_valid, field);
}

absl::Status CheckOptionalEnum(int value, bool (*is_valid)(int),
                               std::string_view field) {
  if (value != 0 && !is_valid(value)) {
    return InvalidField(field, absl::StrCat("unknown value ", value));
  }
  return absl::OkStatus();
}

}  // namespace caregate::validation_internal
