#include "services/transparency/checkpoint.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/crypto/encoding.h"
#include "tests/testing/status_matchers.h"

namespace caregate::tlog {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The example of the C2SP tlog-checkpoint specification.
constexpr std::string_view kSpecText =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

TEST(TlogCheckpointTest, ParsesAndFormatsTheSpecExample) {
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpoint(kSpecText);
  CG_ASSERT_OK(checkpoint);
  EXPECT_EQ(checkpoint->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(checkpoint->size, 20852163);
  EXPECT_EQ(Base64Encode(HashBytes(checkpoint->root)),
            "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  EXPECT_TRUE(checkpoint->extensions.empty());
  absl::StatusOr<std::string> text = FormatCheckpoint(*checkpoint);
  CG_ASSERT_OK(text);
  EXPECT_EQ(*text, kSpecText);
}

TEST(TlogCheckpointTest, KeepsExtensionLines) {
  const std::string text = std::string(kSpecText) + "ext one\nx\n";
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpoint(text);
  CG_ASSERT_OK(checkpoint);
  EXPECT_THAT(checkpoint->extensions, ElementsAre("ext one", "x"));
  EXPECT_EQ(*FormatCheckpoint(*checkpoint), text);
}

TEST(TlogCheckpointTest, EmptyTreeIsSizeZero) {
  Checkpoint empty{"log", 0, EmptyRoot(), {}};
  absl::StatusOr<std::string> text = FormatCheckpoint(empty);
  CG_ASSERT_OK(text);
  EXPECT_EQ(*text, "log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  EXPECT_EQ(*ParseCheckpoint(*text), empty);
}

TEST(TlogCheckpointTest, RejectsMalformedTexts) {
  const std::string root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  struct Case {
    std::string text;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"o\n1\n" + root, "end in a newline"},
      {"o\n1\n", "has 2 lines, want at least 3"},
      {"\n1\n" + root + "\n", "origin (line 1) is empty"},
      {"o\n01\n" + root + "\n", "tree size (line 2)"},
      {"o\n+1\n" + root + "\n", "tree size (line 2)"},
      {"o\n-1\n" + root + "\n", "tree size (line 2)"},
      {"o\n1 \n" + root + "\n", "tree size (line 2)"},
      {"o\n\n" + root + "\n", "tree size (line 2)"},
      {"o\n4611686018427387905\n" + root + "\n", "at most 2^62"},
      {"o\n99999999999999999999\n" + root + "\n", "tree size (line 2)"},
      {"o\n1\nAAAA\n", "base64 of 32 bytes"},
      {"o\n1\n" + root.substr(0, 43) + "\n", "base64 of 32 bytes"},
      {"o\n1\n" + root + "\n\nx\n", "extension line 4 is empty"},
      {"o\n1\n" + root + "\nt\tab\n", "control character"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(
        ParseCheckpoint(c.text),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.text;
  }
}

TEST(TlogCheckpointTest, FormatRejectsWhatCannotBeParsedBack) {
  EXPECT_THAT(FormatCheckpoint({"", 1, {}, {}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("checkpoint origin is empty")));
  EXPECT_THAT(FormatCheckpoint({"a\nb", 1, {}, {}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("contains a newline")));
  EXPECT_THAT(FormatCheckpoint({"a", -1, {}, {}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tree size -1 is out of range")));
  EXPECT_THAT(FormatCheckpoint({"a", 1, {}, {""}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("extension line is empty")));
}

TEST(ParseTreeSizeTest, IsStrictDecimal) {
  EXPECT_EQ(ParseTreeSize("0"), 0);
  EXPECT_EQ(ParseTreeSize("4611686018427387904"), kMaxTreeSize);
  EXPECT_EQ(ParseTreeSize("00"), std::nullopt);
  EXPECT_EQ(ParseTreeSize(""), std::nullopt);
  EXPECT_EQ(ParseTreeSize("1e3"), std::nullopt);
  EXPECT_EQ(ParseTreeSize("4611686018427387905"), std::nullopt);
}

}  // namespace
}  // namespace caregate::tlog
