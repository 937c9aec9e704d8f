#include "services/fhir/fhir_json.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "services/common/proto_time.h"
#include "services/crypto/encoding.h"
#include "services/crypto/sha256.h"
#include "services/fhir/cat.h"

namespace caregate::fhir {

std::string FhirInstant(const google::protobuf::Timestamp& ts) {
  const absl::Time t =
      absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
  // %E*S: seconds with the fractional digits needed, none when whole.
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<google::protobuf::Timestamp> ParseFhirInstant(
    std::string_view text, std::string_view path) {
  // YYYY-MM-DDThh:mm:ss is 19 characters; a zone follows.
  const bool shaped = text.size() > 19 && text[4] == '-' && text[7] == '-' &&
                      text[10] == 'T' && text[13] == ':' && text[16] == ':';
  absl::Time t;
  std::string error;
  if (!shaped ||
      !absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &error)) {
    return absl::InvalidArgumentError(Cat(
        path, ": \"", text,
        "\" is not an exact instant (caregate needs date, time to the second "
        "and zone, e.g. 2024-05-01T09:30:00Z)"));
  }
  const google::protobuf::Timestamp ts = ToProtoTime(t);
  if (!FromProtoTime(ts, path).ok()) {
    return absl::InvalidArgumentError(
        Cat(path, ": \"", text, "\" is out of range"));
  }
  return ts;
}

bool IsFhirId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char ch : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '-' &&
        ch != '.') {
      return false;
    }
  }
  return true;
}

Json Coding(std::string_view system, std::string_view code,
            std::string_view display) {
  Json coding = {{"system", system}, {"code", code}};
  if (!display.empty()) coding["display"] = display;
  return coding;
}

Json Concept(Json coding) {
  return Json{{"coding", Json::array({std::move(coding)})}};
}

Json Identifier(std::string_view system, std::string_view value) {
  return Json{{"system", system}, {"value", value}};
}

Json LogicalReference(std::string_view type, std::string_view system,
                      std::string_view value, std::string_view display) {
  Json reference = {{"type", type}, {"identifier", Identifier(system, value)}};
  if (!display.empty()) reference["display"] = display;
  return reference;
}

Json PatientIdentifier(std::string_view practice_org_id,
                       std::string_view patient_id) {
  return Identifier(PatientIdentifierSystem(practice_org_id), patient_id);
}

std::string NameBasedUuid(std::string_view name) {
  Sha256Hasher hasher;
  hasher.Update(kUuidNamespace);
  hasher.Update(name);
  const Sha256Digest digest = hasher.Finish();
  std::string bytes(reinterpret_cast<const char*>(digest.data()), 16);
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x80);  // version 8
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);  // variant 10
  const std::string hex = HexEncode(bytes);
  return Cat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4),
             "-", hex.substr(16, 4), "-", hex.substr(20));
}

std::string UrnUuid(std::string_view name) {
  return Cat("urn:uuid:", NameBasedUuid(name));
}

}  // namespace caregate::fhir
