#include "services/transparency/signed_note.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate::tlog {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The example of the C2SP signed-note specification.
constexpr std::string_view kSpecNote =
    "This is an example message.\n"
    "\n"
    "\xE2\x80\x94 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmR"
    "KuwHjG1Yu72IneyaQM=\n";

TEST(SignedNoteTest, ParsesTheSpecExample) {
  absl::StatusOr<SignedNote> note = ParseSignedNote(kSpecNote);
  CG_ASSERT_OK(note);
  EXPECT_EQ(note->text, "This is an example message.\n");
  ASSERT_EQ(note->signatures.size(), 1u);
  EXPECT_EQ(note->signatures[0].key_name, "example.com/foo");
  EXPECT_EQ(note->signatures[0].key_id, 0x530d903au);
  EXPECT_EQ(note->signatures[0].signature.size(), 64u);
  EXPECT_EQ(FormatSignedNote(*note), kSpecNote);
}

TEST(SignedNoteTest, TextEndsAtTheLastBlankLine) {
  const std::string note =
      "line one\n\nline three\n\n\xE2\x80\x94 k AAAAAAE=\n"
      "\xE2\x80\x94 k2 AAAAAgIC\n";
  absl::StatusOr<SignedNote> parsed = ParseSignedNote(note);
  CG_ASSERT_OK(parsed);
  EXPECT_EQ(parsed->text, "line one\n\nline three\n");
  EXPECT_THAT(parsed->signatures,
              ElementsAre(NoteSignature{"k", 0, std::string(1, '\x01')},
                          NoteSignature{"k2", 2, std::string(2, '\x02')}));
  EXPECT_EQ(FormatSignedNote(*parsed), note);
}

TEST(SignedNoteTest, RejectsMalformedNotes) {
  const std::string sig = "\xE2\x80\x94 k AAAAAAE=\n";
  struct Case {
    std::string note;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"text\n", "no blank line before its signatures"},
      {"text\n\n", "no signature"},
      {"text\n\n" + sig.substr(0, sig.size() - 1), "does not end in a newline"},
      {"text\n\n-- k AAAAAAE=\n", "does not start with an em dash"},
      {"text\n\n\xE2\x80\x94 kAAAAAAE=\n", "no space between key name"},
      {"text\n\n\xE2\x80\x94 k+x AAAAAAE=\n", "contains a space"},
      {"text\n\n\xE2\x80\x94  AAAAAAE=\n", "key name is empty"},
      {"text\n\n\xE2\x80\x94 k AAAA\n", "shorter than 5 bytes"},
      {"text\n\n\xE2\x80\x94 k AAAAAAE\n", "not valid base64"},
      {"text\n\n\xE2\x80\x94 k AAAAAAE= \n", "not valid base64"},
      {"te\txt\n\n" + sig, "control character 0x09"},
      {"text\r\n\n" + sig, "control character 0x0d"},
      {"te\xC3xt\n\n" + sig, "invalid UTF-8"},
      {"te\xC0\xAFxt\n\n" + sig, "invalid UTF-8"},      // overlong '/'
      {"te\xED\xA0\x80xt\n\n" + sig, "invalid UTF-8"},  // surrogate
      {"text\n\n" + sig + "\n", "no signature"},        // blank line at the end
      {"text\n\n\xE2\x80\x94 k\xC2\xA0x AAAAAAE=\n", "contains a space"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(
        ParseSignedNote(c.note),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.note;
  }
}

TEST(SignedNoteTest, SignatureLikeLinesBeforeTheLastBlankLineAreText) {
  const std::string sig = "\xE2\x80\x94 k AAAAAAE=\n";
  absl::StatusOr<SignedNote> note =
      ParseSignedNote("text\n\n" + sig + "\n" + sig);
  CG_ASSERT_OK(note);
  EXPECT_EQ(note->text, "text\n\n" + sig);
  EXPECT_EQ(note->signatures.size(), 1u);
}

TEST(SignedNoteTest, BoundsTheNumberOfSignatures) {
  std::string note = "text\n\n";
  for (size_t i = 0; i < kMaxNoteSignatures; ++i) {
    note += "\xE2\x80\x94 k AAAAAAE=\n";
  }
  CG_EXPECT_OK(ParseSignedNote(note));
  note += "\xE2\x80\x94 k AAAAAAE=\n";
  EXPECT_THAT(ParseSignedNote(note),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than 100 signature lines")));
}

TEST(SignatureLinesTest, ParsesAWitnessResponse) {
  absl::StatusOr<std::vector<NoteSignature>> lines = ParseSignatureLines(
      "\xE2\x80\x94 w1 AAAAAQE=\n\xE2\x80\x94 w2 AAAAAgIC\n");
  CG_ASSERT_OK(lines);
  EXPECT_THAT(*lines,
              ElementsAre(NoteSignature{"w1", 1, std::string(1, '\x01')},
                          NoteSignature{"w2", 2, std::string(2, '\x02')}));
  EXPECT_THAT(ParseSignatureLines("\xE2\x80\x94 w1 AAAAAQE="),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("end in a newline")));
  EXPECT_THAT(ParseSignatureLines("\xE2\x80\x94 w1 AAAAAQE=\n\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("signature line 2: signature line does not "
                                 "start with an em dash")));
}

TEST(SignatureLinesTest, FormatsKeyIdBigEndian) {
  EXPECT_EQ(FormatSignatureLine({"w", 0x01020304, "\xff"}),
            "\xE2\x80\x94 w AQIDBP8=\n");
}

TEST(KeyNameTest, AllowsUrlsAndRejectsSpacesAndPlus) {
  CG_EXPECT_OK(CheckKeyName("example.com/log42"));
  CG_EXPECT_OK(CheckKeyName("caf\xC3\xA9.example/w"));
  EXPECT_THAT(CheckKeyName(""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  for (std::string bad : {"a b", "a+b", "a\tb",
                          "a\xE3\x80\x80"
                          "b",
                          "a\xE2\x80\xA8"
                          "b"}) {
    EXPECT_THAT(CheckKeyName(bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("contains a space, a control character "
                                   "or '+'")))
        << bad;
  }
}

}  // namespace
}  // namespace caregate::tlog
