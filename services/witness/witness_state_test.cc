#include "services/witness/witness_state.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/crypto/encoding.h"
#include "services/witness/test_log.h"
#include "tests/testing/status_matchers.h"

namespace caregate::witness {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

TEST(WitnessStateTest, RoundTrips) {
  testing::TestLog a("log.test/a");
  testing::TestLog b("log.test/b");
  a.Append(3);
  WitnessState state;
  state.name = "witness.test/w1";
  state.origins["log.test/a"] = {*tlog::ParseCheckpoint(*tlog::FormatCheckpoint(
                                     {"log.test/a", 3, a.Root(3), {}})),
                                 a.Note(3)};
  state.origins["log.test/b"] = {{"log.test/b", 0, tlog::EmptyRoot(), {}},
                                 b.Note(0)};
  const std::string text = FormatWitnessState(state);
  EXPECT_THAT(text, ::testing::StartsWith(
                        "caregate-witness-state v1\nname witness.test/w1\n"
                        "checkpoint "));
  absl::StatusOr<WitnessState> parsed = ParseWitnessState(text);
  CG_ASSERT_OK(parsed);
  EXPECT_EQ(parsed->name, state.name);
  ASSERT_EQ(parsed->origins.size(), 2u);
  EXPECT_EQ(parsed->origins["log.test/a"].checkpoint,
            state.origins["log.test/a"].checkpoint);
  EXPECT_EQ(parsed->origins["log.test/a"].note,
            state.origins["log.test/a"].note);
  EXPECT_EQ(parsed->origins["log.test/b"].checkpoint.size, 0);
}

TEST(WitnessStateTest, RejectsCorruption) {
  testing::TestLog a("log.test/a");
  a.Append(1);
  const std::string good = "checkpoint " + Base64Encode(a.Note(1)) + "\n";
  const std::string head = "caregate-witness-state v1\nname w\n";
  struct Case {
    std::string text;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"", "does not end in a newline"},
      {head + good.substr(0, good.size() - 1), "does not end in a newline"},
      {"caregate-witness-state v2\nname w\n", "state line 1"},
      {"caregate-witness-state v1\nnom w\n", "state line 2: no \"name"},
      {head + "checkpoint !!!\n", "state line 3: checkpoint is not base64"},
      {head + "cp x\n", "state line 3: not a \"checkpoint <base64>\" line"},
      {head + "checkpoint " + Base64Encode("x\n\n") + "\n",
       "state line 3: note has no signature"},
      {head + good + good, "state line 4: origin \"log.test/a\" twice"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseWitnessState(c.text),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr(c.error)))
        << c.text;
  }
}

}  // namespace
}  // namespace caregate::witness
