// Validators of request fields shared by every RPC: ids, request ids, free
// text, page sizes and page tokens.
//
// Plain functions, thread-safe, no gRPC types. Every error names the field by
// its proto path and never echoes a free-text value:
//  - missing or malformed -> INVALID_ARGUMENT ("request_id: required");
//  - longer than a limit  -> RESOURCE_EXHAUSTED ("consent.patient_id: longer
//    than 256 characters"). This holds for ids, free text and bodies alike.
#ifndef CAREGATE_SERVICES_VALIDATION_REQUEST_FIELDS_H_
#define CAREGATE_SERVICES_VALIDATION_REQUEST_FIELDS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/config/gateway_config.h"

namespace caregate {

// Largest free-text field (descriptions, names, reasons), bytes.
inline constexpr size_t kMaxFreeTextBytes = 4096;
// Largest section title, bytes.
inline constexpr size_t kMaxTitleBytes = 512;

// A required id (patient, organization, provider, consent, message ...):
// non-empty, at most limits.max_id_length characters, and IsValidId.
absl::Status ValidateIdField(std::string_view value,
                             std::string_view field_name,
                             const InputLimits& limits);

// A client idempotency key, field "request_id". Empty is an error only when
// `required`; otherwise it is checked like an id.
absl::Status ValidateRequestId(std::string_view request_id,
                               const InputLimits& limits, bool required);

// Free text (a name, a description, a reason): when `required`, not empty or
// only whitespace; at most `max_bytes` bytes; no control characters
// (ValidateTextContent).
absl::Status ValidateTextField(std::string_view value,
                               std::string_view field_name, size_t max_bytes,
                               bool required);

// Text that a person will read (titles, bodies, names, reasons) may hold no
// control characters but newline and tab: not U+0000-U+001F (C0) other than
// U+000A and U+0009, not U+007F, not U+0080-U+009F (C1). A terminal or
// viewer would act on them (clear the screen, move the cursor, draw a fake
// header). INVALID_ARGUMENT "field: contains control character U+001B at
// byte 12; only newline and tab are allowed". `value` must be valid UTF-8
// (protobuf strings are). One pass, no allocation.
absl::Status ValidateTextContent(std::string_view value,
                                 std::string_view field_name);

// The effective page size: 0 -> `default_size`, above `max_size` ->
// `max_size` (clamped, as AIP-158 suggests); negative -> INVALID_ARGUMENT
// "page_size: must not be negative".
absl::StatusOr<int> ValidatePageSize(int32_t page_size, int default_size,
                                     int max_size);

// An opaque page token for "continue after position `after`" (a sequence
// number or row id, >= 0): "v1:" followed by the unpadded base64url of its
// 8 big-endian bytes.
std::string EncodePageToken(int64_t after);

// The position of a token made by EncodePageToken. An empty token means "from
// the start" and decodes to 0. Anything else that EncodePageToken could not
// have produced (including negative positions) -> INVALID_ARGUMENT
// "page_token: malformed".
absl::StatusOr<int64_t> DecodePageToken(std::string_view token);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_VALIDATION_REQUEST_FIELDS_H_
