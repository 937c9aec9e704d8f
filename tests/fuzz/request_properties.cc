#include "tests/fuzz/request_properties.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/text_format.h"
#include "services/common/absl_compat.h"
#include "services/pki/sample_config.h"
#include "services/validation/request_fields.h"
#include "tests/fuzz/fuzz_check.h"

namespace caregate::fuzz {
namespace {

const GatewayConfig& SampleConfig() {
  static const std::shared_ptr<const GatewayConfig> config = [] {
    std::string text;
    CG_FUZZ_CHECK(google::protobuf::TextFormat::PrintToString(
        pki::SampleGatewayConfig(pki::DevInitOptions{}), &text));
    auto loaded = GatewayConfig::FromText(text, "sample", "/tmp");
    CG_FUZZ_CHECK(loaded.ok());
    return *loaded;
  }();
  return *config;
}

}  // namespace

RequestEnv SampleEnv(bool tight) {
  RequestEnv env;
  env.directory = &SampleConfig().directory();
  env.limits = SampleConfig().limits();
  if (tight) {
    env.limits.max_section_body_bytes = 64;
    env.limits.max_sections = 3;
    env.limits.max_request_bytes = 4096;
    env.limits.max_id_length = 12;
  }
  env.now = absl::FromCivil(absl::CivilSecond(2026, 3, 1, 12, 0, 0),
                            absl::UTCTimeZone());
  return env;
}

void CheckRefusal(const absl::Status& status,
                  std::initializer_list<absl::StatusCode> codes,
                  std::string_view field_prefix) {
  CG_FUZZ_CHECK(!status.ok());
  bool listed = false;
  for (absl::StatusCode code : codes) listed |= status.code() == code;
  CG_FUZZ_CHECK(listed);
  CG_FUZZ_CHECK(absl::StartsWith(status.message(), AsAbsl(field_prefix)));
}

void CheckIdResult(const absl::Status& status, std::string_view value,
                   std::string_view field, const InputLimits& limits,
                   bool optional) {
  const bool valid =
      (optional && value.empty()) || IsValidId(value, limits.max_id_length);
  CG_FUZZ_CHECK(status.ok() == valid);
  if (valid) return;
  const bool too_long =
      value.size() > static_cast<size_t>(limits.max_id_length);
  CheckRefusal(status,
               {too_long ? absl::StatusCode::kResourceExhausted
                         : absl::StatusCode::kInvalidArgument},
               std::string(field) + ": ");
}

void CheckPageSizeResult(const absl::StatusOr<int>& result, int32_t page_size,
                         int default_size, int max_size) {
  if (page_size < 0) {
    CheckRefusal(result.status(), {absl::StatusCode::kInvalidArgument},
                 "page_size: ");
    return;
  }
  CG_FUZZ_CHECK(result.ok());
  const int expected = page_size == 0
                           ? default_size
                           : (page_size > max_size ? max_size : page_size);
  CG_FUZZ_CHECK(*result == expected && *result >= 1 && *result <= max_size);
}

void CheckPageTokenResult(const absl::StatusOr<int64_t>& result,
                          std::string_view token) {
  if (!result.ok()) {
    CG_FUZZ_CHECK(!token.empty());
    CheckRefusal(result.status(), {absl::StatusCode::kInvalidArgument},
                 "page_token: malformed");
    return;
  }
  CG_FUZZ_CHECK(*result >= 0);
  if (token.empty()) {
    CG_FUZZ_CHECK(*result == 0);
  } else {
    CG_FUZZ_CHECK(EncodePageToken(*result) == token);
  }
}

bool InTimestampRange(absl::Time t) {
  constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
  return t >= absl::FromUnixSeconds(kMinSeconds) &&
         t < absl::FromUnixSeconds(kMaxSeconds + 1);
}

std::string MaskText(std::string_view text) {
  std::string out(text);
  // Only visible ASCII is masked: whitespace, control characters and every
  // byte of a multi-byte (or invalid) sequence stay, so the checks of
  // control characters and UTF-8 see the same text.
  for (char& c : out) {
    const unsigned char b = static_cast<unsigned char>(c);
    if (b > 0x20 && b < 0x7f) c = c == 'x' ? 'y' : 'x';
  }
  return out;
}

v1::Consent MaskConsentText(v1::Consent consent) {
  v1::ConsentEvidence& e = *consent.mutable_evidence();
  e.set_information_description(MaskText(e.information_description()));
  e.set_signer_name(MaskText(e.signer_name()));
  e.set_representative_authority(MaskText(e.representative_authority()));
  e.set_witness(MaskText(e.witness()));
  consent.set_revocation_reason(MaskText(consent.revocation_reason()));
  return consent;
}

v1::Disclosure MaskDisclosureText(v1::Disclosure disclosure) {
  for (v1::Section& section : *disclosure.mutable_sections()) {
    section.set_title(MaskText(section.title()));
    section.set_body(MaskText(section.body()));
  }
  return disclosure;
}

void CheckSameStatus(const absl::Status& a, const absl::Status& b) {
  CG_FUZZ_CHECK(a.code() == b.code());
  CG_FUZZ_CHECK(a.message() == b.message());
}

}  // namespace caregate::fuzz
