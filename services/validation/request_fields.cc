#include "services/validation/request_fields.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/absl_compat.h"
#include "services/validation/field_errors.h"

namespace caregate {
namespace {

using validation_internal::FieldError;
using validation_internal::InvalidField;

constexpr absl::string_view kPageTokenPrefix = "v1:";

absl::Status MalformedPageToken() {
  return InvalidField("page_token", "malformed");
}

}  // namespace

absl::Status ValidateIdField(std::string_view value,
                             std::string_view field_name,
                             const InputLimits& limits) {
  if (value.empty()) return InvalidField(field_name, "required");
  if (value.size() > static_cast<size_t>(limits.max_id_length)) {
    return FieldError(
        absl::StatusCode::kResourceExhausted, field_name,
        absl::StrCat("longer than ", limits.max_id_length, " characters"));
  }
  if (!IsValidId(value, limits.max_id_length)) {
    return InvalidField(field_name,
                        "must be letters, digits and . _ : - and start with a "
                        "letter or digit");
  }
  return absl::OkStatus();
}

absl::Status ValidateRequestId(std::string_view request_id,
                               const InputLimits& limits, bool required) {
  if (request_id.empty() && !required) return absl::OkStatus();
  return ValidateIdField(request_id, "request_id", limits);
}

absl::Status ValidateTextField(std::string_view value,
                               std::string_view field_name, size_t max_bytes,
                               bool required) {
  if (required && absl::StripAsciiWhitespace(AsAbsl(value)).empty()) {
    return InvalidField(field_name, "required");
  }
  if (value.size() > max_bytes) {
    return FieldError(absl::StatusCode::kResourceExhausted, field_name,
                      absl::StrCat("longer than ", max_bytes, " bytes"));
  }
  return ValidateTextContent(value, field_name);
}

namespace {

#if defined(__SSE2__)
constexpr size_t kScanWord = 16;

// Whether the 16 bytes at `p` are all printable ASCII (0x20-0x7E), which
// needs no further look. As signed bytes, 0x80-0xFF are negative, so one
// "less than 0x20" compare catches them with the C0 controls.
bool WordIsPrintableAscii(const unsigned char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
  const __m128i del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f));
  return _mm_movemask_epi8(_mm_or_si128(low, del)) == 0;
}
#else
// Elsewhere, every byte is checked on its own.
constexpr size_t kScanWord = 16;
bool WordIsPrintableAscii(const unsigned char*) { return false; }
#endif

}  // namespace

absl::Status ValidateTextContent(std::string_view value,
                                 std::string_view field_name) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(value.data());
  const size_t size = value.size();
  for (size_t i = 0; i < size; ++i) {
    // Skip whole words of printable ASCII (most text); a C2 lead byte is not
    // ASCII, so a word skipped never holds one.
    while (i + kScanWord <= size && WordIsPrintableAscii(bytes + i)) {
      i += kScanWord;
    }
    if (i >= size) break;
    const unsigned char b = bytes[i];
    uint32_t code_point;
    if (b < 0x20) {
      if (b == '\n' || b == '\t') continue;
      code_point = b;
    } else if (b == 0x7f) {
      code_point = b;
    } else if (b == 0xc2 && i + 1 < size && bytes[i + 1] >= 0x80 &&
               bytes[i + 1] <= 0x9f) {
      code_point = bytes[i + 1];  // U+0080..U+009F is C2 80..C2 9F
    } else {
      continue;
    }
    return InvalidField(
        field_name,
        absl::StrFormat("contains control character U+%04X at byte %d; only "
                        "newline and tab are allowed",
                        code_point, i));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ValidatePageSize(int32_t page_size, int default_size,
                                     int max_size) {
  if (page_size < 0) return InvalidField("page_size", "must not be negative");
  if (page_size == 0) return default_size;
  return page_size > max_size ? max_size : static_cast<int>(page_size);
}

std::string EncodePageToken(int64_t after) {
  const uint64_t v = static_cast<uint64_t>(after);
  char bytes[8];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<char>((v >> (56 - 8 * i)) & 0xff);
  }
  return absl::StrCat(kPageTokenPrefix,
                      absl::WebSafeBase64Escape(absl::string_view(bytes, 8)));
}

absl::StatusOr<int64_t> DecodePageToken(std::string_view token) {
  if (token.empty()) return 0;
  const absl::string_view text = AsAbsl(token);
  if (!absl::StartsWith(text, kPageTokenPrefix)) return MalformedPageToken();
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(text.substr(kPageTokenPrefix.size()),
                                   &bytes) ||
      bytes.size() != 8) {
    return MalformedPageToken();
  }
  uint64_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  const int64_t after = static_cast<int64_t>(v);
  // Only the canonical spelling of a non-negative position is accepted.
  if (after < 0 || EncodePageToken(after) != token) return MalformedPageToken();
  return after;
}

}  // namespace caregate
