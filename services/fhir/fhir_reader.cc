#include "services/fhir/fhir_reader.h"

#include <algorithm>

#include "services/fhir/cat.h"

namespace caregate::fhir {

absl::Status Refuse(std::string_view path, std::string_view why) {
  return absl::InvalidArgumentError(Cat(path, ": ", why));
}

std::string Member(std::string_view path, std::string_view key) {
  return Cat(path, ".", key);
}

std::string Item(std::string_view path, size_t index) {
  return Cat(path, "[", index, "]");
}

absl::Status CheckObject(const Json& element, std::string_view path,
                         std::initializer_list<std::string_view> known) {
  if (!element.is_object()) return Refuse(path, "must be a JSON object");
  for (const auto& [key, value] : element.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return Refuse(Member(path, key),
                    "not supported by caregate's import (it has no faithful "
                    "caregate equivalent)");
    }
  }
  return absl::OkStatus();
}

const Json* Find(const Json& element, std::string_view key) {
  if (!element.is_object()) return nullptr;
  const auto it = element.find(key);
  return it == element.end() ? nullptr : &*it;
}

absl::StatusOr<std::optional<std::string>> OptionalString(
    const Json& element, std::string_view key, std::string_view path) {
  const Json* value = Find(element, key);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return Refuse(Member(path, key), "must be a string");
  std::string text = value->get<std::string>();
  if (text.empty()) {
    return Refuse(Member(path, key), "must not be empty (FHIR forbids \"\")");
  }
  return std::optional<std::string>(std::move(text));
}

absl::StatusOr<std::string> RequiredString(const Json& element,
                                           std::string_view key,
                                           std::string_view path,
                                           std::string_view why_needed) {
  absl::StatusOr<std::optional<std::string>> value =
      OptionalString(element, key, path);
  if (!value.ok()) return value.status();
  if (!value->has_value()) {
    return Refuse(Member(path, key), Cat("missing; ", why_needed));
  }
  return **value;
}

absl::StatusOr<const Json*> OptionalArray(const Json& element,
                                          std::string_view key,
                                          std::string_view path) {
  const Json* value = Find(element, key);
  if (value == nullptr) return value;
  if (!value->is_array()) return Refuse(Member(path, key), "must be an array");
  if (value->empty()) {
    return Refuse(Member(path, key), "must not be empty (FHIR forbids [])");
  }
  return value;
}

absl::StatusOr<CodingValue> ReadCoding(const Json& coding,
                                       std::string_view path) {
  if (absl::Status s = CheckObject(coding, path, {"system", "code", "display"});
      !s.ok()) {
    return s;
  }
  CodingValue value;
  absl::StatusOr<std::string> system =
      RequiredString(coding, "system", path, "caregate needs the code system");
  if (!system.ok()) return system.status();
  absl::StatusOr<std::string> code =
      RequiredString(coding, "code", path, "caregate needs the code");
  if (!code.ok()) return code.status();
  value.system = *std::move(system);
  value.code = *std::move(code);
  return value;
}

absl::Status ExpectConcept(const Json& cc, std::string_view path,
                           std::string_view system, std::string_view code) {
  if (absl::Status s = CheckObject(cc, path, {"coding", "text"}); !s.ok()) {
    return s;
  }
  absl::StatusOr<const Json*> codings = OptionalArray(cc, "coding", path);
  if (!codings.ok()) return codings.status();
  if (*codings == nullptr) {
    return Refuse(Member(path, "coding"),
                  Cat("missing; caregate expects ", system, "#", code));
  }
  for (size_t i = 0; i < (*codings)->size(); ++i) {
    const std::string item = Item(Member(path, "coding"), i);
    absl::StatusOr<CodingValue> value = ReadCoding((**codings)[i], item);
    if (!value.ok()) return value.status();
    if (value->system != system) {
      return Refuse(Member(item, "system"),
                    Cat("unknown code system \"", value->system,
                        "\" (caregate reads ", system, " here)"));
    }
    if (value->code != code) {
      return Refuse(Member(item, "code"),
                    Cat("unsupported code \"", value->code,
                        "\" (caregate reads ", system, "#", code, " here)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace caregate::fhir
