#include "services/ctl/output.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/policy/enum_names.h"
#include "tests/testing/status_matchers.h"

namespace caregate::ctl {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(OutputTest, ShortNamesDropThePrefix) {
  EXPECT_EQ(Short(v1::CATEGORY_TRAUMA_HISTORY), "TRAUMA_HISTORY");
  EXPECT_EQ(Short(v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS),
            "PERMITTED_WITH_REDACTIONS");
  EXPECT_EQ(Short(v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED),
            "MESSAGE_ACKNOWLEDGED");
  EXPECT_EQ(Short(v1::SIGNER_RELATIONSHIP_PERSONAL_REPRESENTATIVE),
            "PERSONAL_REPRESENTATIVE");
  EXPECT_EQ(Short(v1::ROLE_CLINIC), "CLINIC");
  EXPECT_EQ(Short(static_cast<v1::Category>(99)), "99");
}

TEST(OutputTest, ShortNamesMatchThePolicyLibrary) {
  for (int i = 1; i <= v1::Category_MAX; ++i) {
    auto c = static_cast<v1::Category>(i);
    EXPECT_EQ(Short(c), std::string(ShortName(c)));
  }
  for (int i = 1; i <= v1::DenialReason_MAX; ++i) {
    auto r = static_cast<v1::DenialReason>(i);
    EXPECT_EQ(Short(r), std::string(ShortName(r)));
  }
}

TEST(OutputTest, ParseAcceptsBothFormsInAnyCase) {
  for (const char* text :
       {"TRAUMA_HISTORY", "trauma_history", "CATEGORY_TRAUMA_HISTORY",
        "category_Trauma_History"}) {
    auto parsed = ParseEnum<v1::Category>(text, "category");
    CG_ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, v1::CATEGORY_TRAUMA_HISTORY) << text;
  }
}

TEST(OutputTest, ParseRejectsUnknownAndUnspecified) {
  EXPECT_THAT(ParseEnum<v1::Purpose>("gossip", "purpose"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--purpose: unknown value \"gossip\"; one of "
                                 "TREATMENT_COORDINATION, REFERRAL, "
                                 "CARE_PLANNING")));
  EXPECT_THAT(
      ParseEnum<v1::Purpose>("unspecified", "purpose"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown value")));
  EXPECT_THAT(
      ParseEnum<v1::Purpose>("PURPOSE_UNSPECIFIED", "purpose"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown value")));
}

TEST(OutputTest, ParseListSplitsCommasAndRepeats) {
  auto list = ParseEnumList<v1::Category>(
      {"diagnosis,medications", "CATEGORY_REFERRAL_REASON"}, "category");
  CG_ASSERT_OK(list);
  EXPECT_THAT(*list,
              ElementsAre(v1::CATEGORY_DIAGNOSIS, v1::CATEGORY_MEDICATIONS,
                          v1::CATEGORY_REFERRAL_REASON));
}

TEST(OutputTest, JoinShort) {
  v1::Consent c;
  EXPECT_EQ(JoinShort<v1::Category>(c.categories()), "-");
  c.add_categories(v1::CATEGORY_DIAGNOSIS);
  c.add_categories(v1::CATEGORY_MEDICATIONS);
  EXPECT_EQ(JoinShort<v1::Category>(c.categories()), "DIAGNOSIS, MEDICATIONS");
}

TEST(OutputTest, TableAlignsColumns) {
  Table table({"ID", "STATE"});
  table.AddRow({"msg-1", "QUEUED"});
  table.AddRow({"m", "ACKNOWLEDGED"});
  std::ostringstream os;
  table.Print(os);
  EXPECT_EQ(os.str(),
            "ID     STATE\n"
            "msg-1  QUEUED\n"
            "m      ACKNOWLEDGED\n");
}

TEST(OutputTest, FieldsAlignKeys) {
  std::ostringstream os;
  PrintFields({{"consent", "cns-1"}, {"audit seq", "7"}}, os);
  EXPECT_EQ(os.str(), "consent    cns-1\naudit seq  7\n");
}

TEST(OutputTest, PrintableEscapesWhatATerminalWouldActOn) {
  EXPECT_EQ(Printable("plain caf\xc3\xa9"), "plain caf\xc3\xa9");
  EXPECT_EQ(Printable("\x1b[2J\r\x7f"), "\\x1b[2J\\x0d\\x7f");
  EXPECT_EQ(Printable(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(Printable("csi\xc2\x9b"), "csi\\u{9b}");
  EXPECT_EQ(Printable("bad\xff\xc3"), "bad\\xff\\xc3");
  EXPECT_EQ(Printable("two\nlines\t!"), "two\\x0alines\\x09!");
  EXPECT_EQ(Printable("two\nlines\t!", /*multiline=*/true), "two\nlines\t!");
}

TEST(OutputTest, TablesAndFieldsPrintNoControlCharacters) {
  Table table({"TITLE"});
  table.AddRow({"\x1b[2Jsignature verified"});
  std::ostringstream os;
  table.Print(os);
  PrintFields({{"title", "x\x1b]0;y\x07"}}, os);
  EXPECT_EQ(os.str().find('\x1b'), std::string::npos);
  EXPECT_EQ(os.str().find('\x07'), std::string::npos);
  EXPECT_THAT(os.str(), HasSubstr("\\x1b[2Jsignature verified"));
}

TEST(OutputTest, JsonLineIsOneLineOfTheJsonMapping) {
  v1::Section s;
  s.set_category(v1::CATEGORY_HOMEWORK_PLAN);
  s.set_title("Plan");
  std::ostringstream os;
  PrintJsonLine(s, os);
  EXPECT_EQ(os.str(),
            "{\"category\":\"CATEGORY_HOMEWORK_PLAN\",\"title\":\"Plan\"}\n");
}

TEST(OutputTest, ErrorsAreOneLine) {
  std::ostringstream out, err;
  EXPECT_EQ(Failed("caregatectl x", "a\nb", {out, err}), kExitFailed);
  EXPECT_EQ(UsageError("caregatectl x", "bad", {out, err}), kExitUsage);
  EXPECT_EQ(err.str(), "caregatectl x: a b\ncaregatectl x: bad\n");
  EXPECT_EQ(StatusError("p", absl::InvalidArgumentError("m"), {out, err}),
            kExitUsage);
  EXPECT_EQ(StatusError("p", absl::NotFoundError("m"), {out, err}),
            kExitFailed);
}

}  // namespace
}  // namespace caregate::ctl
