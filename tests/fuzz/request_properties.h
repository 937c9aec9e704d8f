// Properties the request fuzzer asserts about the shared request-field
// validators (services/validation/request_fields.h), and the fixtures it runs
// them against: the dev sample directory, a fixed "now", and two sets of
// input limits.
//
// Every Check* function traps (CG_FUZZ_CHECK) when the property does not
// hold. Thread-compatible: the fixtures are built once, on first use.
#ifndef CAREGATE_TESTS_FUZZ_REQUEST_PROPERTIES_H_
#define CAREGATE_TESTS_FUZZ_REQUEST_PROPERTIES_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"
#include "services/config/gateway_config.h"

namespace caregate::fuzz {

// What a request is validated against.
struct RequestEnv {
  const Directory* directory = nullptr;
  InputLimits limits;
  absl::Time now;
};

// The directory of `caregatectl dev-init` (services/pki SampleGatewayConfig,
// printed and loaded with GatewayConfig::FromText), the config's default
// limits or, when `tight`, small ones (so RESOURCE_EXHAUSTED is reachable
// with short inputs), and 2026-03-01 12:00 UTC.
RequestEnv SampleEnv(bool tight);

// A refusal: the code is one of `codes` and the message starts with
// `field_prefix` (errors name the field by its proto path).
void CheckRefusal(const absl::Status& status,
                  std::initializer_list<absl::StatusCode> codes,
                  std::string_view field_prefix);

// ValidateIdField / ValidateRequestId: accepted exactly when IsValidId (or,
// for an optional id, when empty); otherwise RESOURCE_EXHAUSTED when too
// long and INVALID_ARGUMENT when malformed, naming `field`.
void CheckIdResult(const absl::Status& status, std::string_view value,
                   std::string_view field, const InputLimits& limits,
                   bool optional);

// ValidatePageSize(page_size, default_size, max_size).
void CheckPageSizeResult(const absl::StatusOr<int>& result, int32_t page_size,
                         int default_size, int max_size);

// DecodePageToken(token): an accepted token is the canonical encoding of a
// non-negative position (EncodePageToken round-trips it); a refusal is
// INVALID_ARGUMENT "page_token: malformed".
void CheckPageTokenResult(const absl::StatusOr<int64_t>& result,
                          std::string_view token);

// Within google.protobuf.Timestamp's range, 0001-01-01..9999-12-31 UTC: a
// time the validators accepted from a request.
bool InTimestampRange(absl::Time t);

// Replaces every byte of free text by another printable byte, keeping ASCII
// whitespace as is (so "required"/blank checks and lengths are unchanged).
// A validator that never echoes free text answers the masked request with the
// very same status.
std::string MaskText(std::string_view text);
v1::Consent MaskConsentText(v1::Consent consent);
v1::Disclosure MaskDisclosureText(v1::Disclosure disclosure);
void CheckSameStatus(const absl::Status& a, const absl::Status& b);

}  // namespace caregate::fuzz

#endif  // CAREGATE_TESTS_FUZZ_REQUEST_PROPERTIES_H_
