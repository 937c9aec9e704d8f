#include "services/fhir/fhir_terminology.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/str_replace.h"

namespace caregate::fhir {
namespace {

// The enum value's name without the enum's common prefix, e.g.
// "SEXUAL_HISTORY"; empty for 0 and unknown values.
std::string_view StemOf(const google::protobuf::EnumDescriptor* descriptor,
                        int value) {
  if (value == 0) return {};
  const google::protobuf::EnumValueDescriptor* v =
      descriptor->FindValueByNumber(value);
  if (v == nullptr) return {};
  // The prefix is the name of the UNSPECIFIED value without "UNSPECIFIED".
  std::string_view prefix = descriptor->value(0)->name();
  constexpr std::string_view kUnspecified = "UNSPECIFIED";
  if (prefix.ends_with(kUnspecified)) {
    prefix.remove_suffix(kUnspecified.size());
  }
  std::string_view name = v->name();
  if (name.starts_with(prefix)) name.remove_prefix(prefix.size());
  return name;
}

// 0..15 for a hex digit, -1 otherwise.
int HexValue(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

bool IsPathChar(char ch) {
  return absl::ascii_isalnum(static_cast<unsigned char>(ch)) || ch == '-' ||
         ch == '.' || ch == '_' || ch == '~' || ch == ':';
}

}  // namespace

std::string CodeOf(const google::protobuf::EnumDescriptor* descriptor,
                   int value) {
  std::string code(StemOf(descriptor, value));
  absl::AsciiStrToLower(&code);
  absl::StrReplaceAll({{"_", "-"}}, &code);
  return code;
}

std::string DisplayOf(const google::protobuf::EnumDescriptor* descriptor,
                      int value) {
  std::string display(StemOf(descriptor, value));
  absl::AsciiStrToLower(&display);
  absl::StrReplaceAll({{"_", " "}}, &display);
  if (!display.empty()) display[0] = absl::ascii_toupper(display[0]);
  return display;
}

std::optional<int> ValueOfCode(
    const google::protobuf::EnumDescriptor* descriptor, std::string_view code) {
  if (code.empty()) return std::nullopt;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const int number = descriptor->value(i)->number();
    if (number != 0 && CodeOf(descriptor, number) == code) return number;
  }
  return std::nullopt;
}

std::string PatientIdentifierSystem(std::string_view practice_org_id) {
  std::string system(kPatientIdSystemPrefix);
  for (const char ch : practice_org_id) {
    if (IsPathChar(ch)) {
      system.push_back(ch);
    } else {
      constexpr char kHex[] = "0123456789ABCDEF";
      const auto byte = static_cast<unsigned char>(ch);
      system.push_back('%');
      system.push_back(kHex[byte >> 4]);
      system.push_back(kHex[byte & 0xf]);
    }
  }
  return system;
}

std::optional<std::string> PracticeOfPatientSystem(std::string_view system) {
  if (!system.starts_with(kPatientIdSystemPrefix)) return std::nullopt;
  system.remove_prefix(kPatientIdSystemPrefix.size());
  std::string practice;
  for (size_t i = 0; i < system.size(); ++i) {
    const char ch = system[i];
    if (IsPathChar(ch)) {
      practice.push_back(ch);
    } else if (ch == '%' && i + 2 < system.size() &&
               HexValue(system[i + 1]) >= 0 && HexValue(system[i + 2]) >= 0) {
      practice.push_back(static_cast<char>(HexValue(system[i + 1]) * 16 +
                                           HexValue(system[i + 2])));
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  if (practice.empty()) return std::nullopt;
  return practice;
}

Json PurposeConcept(v1::Purpose purpose) {
  Json codings = Json::array({CodingOf(purpose)});
  if (purpose == v1::PURPOSE_TREATMENT_COORDINATION) {
    codings.push_back(Json{{"system", kActReasonSystem},
                           {"code", "COC"},
                           {"display", "coordination of care"}});
  } else if (purpose != v1::PURPOSE_UNSPECIFIED) {
    codings.push_back(Json{{"system", kActReasonSystem},
                           {"code", "TREAT"},
                           {"display", "treatment"}});
  }
  return Json{{"coding", std::move(codings)}};
}

}  // namespace caregate::fhir
