#include "services/ctl/flags.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate::ctl {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FlagSetTest : public ::testing::Test {
 protected:
  FlagSetTest() {
    flags_.AddString("listen", &listen_);
    flags_.AddBool("verbose", &verbose_);
    flags_.AddList("section", &sections_);
  }
  FlagSet flags_;
  std::vector<std::string> sections_;
  std::string listen_ = "default";
  bool verbose_ = false;
};

TEST_F(FlagSetTest, SeparateAndInlineValues) {
  auto pos = flags_.Parse({"a", "--listen", "h:1", "b", "--verbose"});
  CG_ASSERT_OK(pos);
  EXPECT_THAT(*pos, ElementsAre("a", "b"));
  EXPECT_EQ(listen_, "h:1");
  EXPECT_TRUE(verbose_);
  CG_ASSERT_OK(flags_.Parse({"--listen=h:2", "--verbose=false"}));
  EXPECT_EQ(listen_, "h:2");
  EXPECT_FALSE(verbose_);
}

TEST_F(FlagSetTest, UnsetFlagsKeepTheirDefaults) {
  auto pos = flags_.Parse({"x"});
  CG_ASSERT_OK(pos);
  EXPECT_THAT(*pos, ElementsAre("x"));
  EXPECT_EQ(listen_, "default");
  EXPECT_FALSE(verbose_);
}

TEST_F(FlagSetTest, DoubleDashEndsFlags) {
  auto pos = flags_.Parse({"--", "--listen", "-"});
  CG_ASSERT_OK(pos);
  EXPECT_THAT(*pos, ElementsAre("--listen", "-"));
  EXPECT_EQ(listen_, "default");
}

TEST_F(FlagSetTest, ListFlagCollectsEveryValueInOrder) {
  auto pos = flags_.Parse(
      {"--section", "A=x", "p", "--section=B=y:T", "--section", "--verbose"});
  CG_ASSERT_OK(pos);
  EXPECT_THAT(*pos, ElementsAre("p"));
  EXPECT_THAT(sections_, ElementsAre("A=x", "B=y:T", "--verbose"));
  EXPECT_FALSE(verbose_);
  EXPECT_THAT(flags_.Parse({"--section"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--section needs a value")));
}

TEST_F(FlagSetTest, UnknownFlag) {
  EXPECT_THAT(flags_.Parse({"--colour"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown flag --colour")));
  EXPECT_THAT(flags_.Parse({"-x"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("unknown flag --x")));
}

TEST_F(FlagSetTest, MissingValue) {
  EXPECT_THAT(flags_.Parse({"--listen"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--listen needs a value")));
}

TEST_F(FlagSetTest, BadBoolean) {
  EXPECT_THAT(flags_.Parse({"--verbose=yes"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--verbose takes true or false")));
}

}  // namespace
}  // namespace caregate::ctl
