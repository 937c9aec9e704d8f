#include "services/validation/request_fields.h"

#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
constexpr absl::StatusCode kTooBig = absl::StatusCode::kResourceExhausted;

TEST(ValidateIdFieldTest, RequiredWellFormedAndBounded) {
  InputLimits limits;
  limits.max_id_length = 8;
  CG_EXPECT_OK(ValidateIdField("c-1:a.b_", "consent_id", limits));  // 8 chars
  EXPECT_THAT(ValidateIdField("", "consent_id", limits),
              StatusIs(kInvalid, "consent_id: required"));
  EXPECT_THAT(ValidateIdField("c-12345678", "consent_id", limits),
              StatusIs(kTooBig, "consent_id: longer than 8 characters"));
  EXPECT_THAT(ValidateIdField("_c1", "consent_id", limits),
              StatusIs(kInvalid, HasSubstr("consent_id: must be")));
  EXPECT_THAT(ValidateIdField("c 1", "message_id", limits),
              StatusIs(kInvalid, HasSubstr("message_id: must be")));
}

TEST(ValidateRequestIdTest, RequiredOrOptional) {
  const InputLimits limits;
  CG_EXPECT_OK(ValidateRequestId("", limits, /*required=*/false));
  CG_EXPECT_OK(ValidateRequestId("req-1", limits, /*required=*/true));
  EXPECT_THAT(ValidateRequestId("", limits, /*required=*/true),
              StatusIs(kInvalid, "request_id: required"));
  EXPECT_THAT(ValidateRequestId("req 1", limits, /*required=*/false),
              StatusIs(kInvalid, HasSubstr("request_id: must be")));
  EXPECT_THAT(ValidateRequestId(std::string(257, 'r'), limits, false),
              StatusIs(kTooBig, "request_id: longer than 256 characters"));
}

TEST(ValidateTextFieldTest, RequiredAndBounded) {
  CG_EXPECT_OK(ValidateTextField("", "reason", 10, /*required=*/false));
  CG_EXPECT_OK(ValidateTextField("0123456789", "reason", 10, true));
  EXPECT_THAT(ValidateTextField(" \n", "reason", 10, /*required=*/true),
              StatusIs(kInvalid, "reason: required"));
  EXPECT_THAT(ValidateTextField("0123456789A", "reason", 10, false),
              StatusIs(kTooBig, "reason: longer than 10 bytes"));
}

TEST(ValidateTextContentTest, RefusesControlCharactersButNewlineAndTab) {
  CG_EXPECT_OK(ValidateTextContent("line one\nline\ttwo", "body"));
  CG_EXPECT_OK(ValidateTextContent("caf\xc3\xa9 \xe2\x80\x94 ok", "body"));
  // U+00A0 (C2 A0) is printable; only C2 80..C2 9F are C1 controls.
  CG_EXPECT_OK(
      ValidateTextContent("a\xc2\xa0"
                          "b",
                          "body"));
  EXPECT_THAT(ValidateTextContent(std::string("a\0b", 3), "body"),
              StatusIs(kInvalid,
                       "body: contains control character U+0000 at byte 1; "
                       "only newline and tab are allowed"));
  EXPECT_THAT(ValidateTextContent("x\r\n", "title"),
              StatusIs(kInvalid, HasSubstr("title: contains control "
                                           "character U+000D at byte 1")));
  EXPECT_THAT(ValidateTextContent("\x1b[2J", "body"),
              StatusIs(kInvalid, HasSubstr("U+001B at byte 0")));
  EXPECT_THAT(ValidateTextContent("del\x7f", "body"),
              StatusIs(kInvalid, HasSubstr("U+007F at byte 3")));
  EXPECT_THAT(ValidateTextContent("csi\xc2\x9b"
                                  "2J",
                                  "body"),
              StatusIs(kInvalid, HasSubstr("U+009B at byte 3")));
  // Free text fields run the same check.
  EXPECT_THAT(ValidateTextField("Jo\x07", "reason", 10, /*required=*/true),
              StatusIs(kInvalid, HasSubstr("reason: contains control "
                                           "character U+0007")));
}

// The byte-at-a-time definition the word-at-a-time scan must agree with.
std::optional<size_t> FirstControlByteForReference(std::string_view value) {
  const auto* b = reinterpret_cast<const unsigned char*>(value.data());
  for (size_t i = 0; i < value.size(); ++i) {
    if ((b[i] < 0x20 && b[i] != '\n' && b[i] != '\t') || b[i] == 0x7f ||
        (b[i] == 0xc2 && i + 1 < value.size() && b[i + 1] >= 0x80 &&
         b[i + 1] <= 0x9f)) {
      return i;
    }
  }
  return std::nullopt;
}

// Random texts, mostly printable ASCII with control bytes, C1 pairs split
// across 8-byte words, and other UTF-8 at every offset: the scan finds the
// same first control byte as the definition, or none.
TEST(ValidateTextContentTest, WordScanAgreesWithTheByteDefinition) {
  const std::string specials[] = {
      "\n",       "\t",       std::string(1, '\0'), "\x1f",     "\x7f",
      "\xc2\x9b", "\xc2\x80", "\xc2\xa0",           "\xc3\xa9", "\xe2\x80\x94",
      "\xc2"};
  std::mt19937 random(20261207);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const int length = static_cast<int>(random() % 72);
    while (static_cast<int>(text.size()) < length) {
      if (random() % 10 == 0) {
        text += specials[random() % std::size(specials)];
      } else {
        text += static_cast<char>(0x20 + random() % 0x5f);  // 0x20..0x7E
      }
    }
    const std::optional<size_t> expected = FirstControlByteForReference(text);
    const absl::Status got = ValidateTextContent(text, "body");
    if (!expected.has_value()) {
      EXPECT_TRUE(got.ok()) << absl::CEscape(text) << ": " << got;
    } else {
      EXPECT_THAT(got, StatusIs(kInvalid, HasSubstr(absl::StrCat(
                                              " at byte ", *expected, ";"))))
          << absl::CEscape(text);
    }
  }
}

TEST(ValidatePageSizeTest, DefaultsClampsAndRefusesNegative) {
  EXPECT_EQ(*ValidatePageSize(0, 50, 500), 50);
  EXPECT_EQ(*ValidatePageSize(1, 50, 500), 1);
  EXPECT_EQ(*ValidatePageSize(500, 50, 500), 500);
  EXPECT_EQ(*ValidatePageSize(501, 50, 500), 500);
  EXPECT_THAT(ValidatePageSize(-1, 50, 500),
              StatusIs(kInvalid, "page_size: must not be negative"));
}

TEST(PageTokenTest, RoundTrips) {
  for (int64_t after :
       {int64_t{0}, int64_t{1}, int64_t{255}, int64_t{256},
        int64_t{1234567890123}, std::numeric_limits<int64_t>::max()}) {
    const std::string token = EncodePageToken(after);
    EXPECT_TRUE(token.rfind("v1:", 0) == 0) << token;
    auto decoded = DecodePageToken(token);
    CG_ASSERT_OK(decoded);
    EXPECT_EQ(*decoded, after) << token;
  }
  EXPECT_NE(EncodePageToken(1), EncodePageToken(2));
}

TEST(PageTokenTest, EmptyTokenStartsFromTheBeginning) {
  auto decoded = DecodePageToken("");
  CG_ASSERT_OK(decoded);
  EXPECT_EQ(*decoded, 0);
}

TEST(PageTokenTest, MalformedTokensAreRefused) {
  const std::string good = EncodePageToken(42);
  ASSERT_EQ(good, "v1:AAAAAAAAACo");
  const std::string body = good.substr(3);
  for (const std::string& bad :
       {std::string("42"), std::string("v1:"), std::string("v1:!!!!!!!!!!!"),
        "v2:" + body, "V1:" + body, good + "A", good.substr(0, good.size() - 1),
        good + "=", std::string("v1:AAAAAAAAAA"),  // 7 bytes
        EncodePageToken(-1), " " + good,
        // Same bytes as "v1:AAAAAAAAACo" (42) but non-zero trailing bits.
        std::string("v1:AAAAAAAAACp")}) {
    EXPECT_THAT(DecodePageToken(bad),
                StatusIs(kInvalid, "page_token: malformed"))
        << bad;
  }
}

}  // namespace
}  // namespace caregate
