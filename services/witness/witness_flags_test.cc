#include "services/witness/witness_flags.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate::witness {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::StatusOr<WitnessFlags> Parse(std::vector<const char*> args) {
  return ParseWitnessFlags(args);
}

TEST(WitnessFlagsTest, ParsesBothFormsAndRepeatedLogKeys) {
  absl::StatusOr<WitnessFlags> flags =
      Parse({"--state", "/s", "--listen=127.0.0.1:9", "--name", "w.test/1",
             "--log-key", "a+1+x", "--log-key=b+2+y"});
  CG_ASSERT_OK(flags);
  EXPECT_FALSE(flags->help);
  EXPECT_EQ(flags->state_dir, "/s");
  EXPECT_EQ(flags->listen, "127.0.0.1:9");
  EXPECT_EQ(flags->name, "w.test/1");
  EXPECT_THAT(flags->log_keys, ElementsAre("a+1+x", "b+2+y"));
}

TEST(WitnessFlagsTest, DefaultsToLoopback) {
  absl::StatusOr<WitnessFlags> flags = Parse({"--state=/s"});
  CG_ASSERT_OK(flags);
  EXPECT_EQ(flags->listen, "127.0.0.1:7380");
  EXPECT_TRUE(flags->log_keys.empty());
}

TEST(WitnessFlagsTest, NamesWhatIsWrong) {
  EXPECT_THAT(Parse({}), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("--state DIR is required")));
  EXPECT_THAT(Parse({"--state", "/s", "--port", "1"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown argument \"--port\"")));
  EXPECT_THAT(Parse({"--state", "/s", "stray"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown argument \"stray\"")));
  EXPECT_THAT(Parse({"--state"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("--state needs a value")));
  EXPECT_THAT(Parse({"--state=/s", "--name="}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--name needs a non-empty value")));
  absl::StatusOr<WitnessFlags> help = Parse({"--help"});
  CG_ASSERT_OK(help);
  EXPECT_TRUE(help->help);
}

TEST(WitnessFlagsTest, UsageExplainsEveryFlagAndTheTrustTradeOff) {
  const std::string usage = WitnessUsage();
  for (const char* flag :
       {"--state DIR", "--listen HOST:PORT", "--name NAME", "--log-key VKEY",
        "--help", "127.0.0.1:7380", "WITHOUT checking log", "text/x.tlog.size",
        "/checkpoint"}) {
    EXPECT_THAT(usage, HasSubstr(flag));
  }
}

}  // namespace
}  // namespace caregate::witness
