#include "services/ctl/time_text.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "tests/testing/status_matchers.h"

namespace caregate::ctl {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1795766400);  // 2026-11-27

TEST(TimeTextTest, Durations) {
  EXPECT_EQ(*ParseDurationText("365d"), absl::Hours(24 * 365));
  EXPECT_EQ(*ParseDurationText("2w"), absl::Hours(336));
  EXPECT_EQ(*ParseDurationText("1h30m"), absl::Minutes(90));
  for (const char* bad : {"", "d", "-3d", "0s", "soon", "3x"}) {
    EXPECT_THAT(ParseDurationText(bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("is not a duration")))
        << bad;
  }
}

TEST(TimeTextTest, TimesAreRfc3339OrRelativeToNow) {
  EXPECT_EQ(*ParseTimeText("2027-01-01T03:04:05Z", Direction::kFuture, kNow,
                           "expires"),
            absl::FromUnixSeconds(1798772645));
  EXPECT_EQ(*ParseTimeText("2027-01-01T04:04:05+01:00", Direction::kFuture,
                           kNow, "expires"),
            absl::FromUnixSeconds(1798772645));
  EXPECT_EQ(*ParseTimeText("365d", Direction::kFuture, kNow, "expires"),
            kNow + absl::Hours(24 * 365));
  EXPECT_EQ(*ParseTimeText("24h", Direction::kPast, kNow, "since"),
            kNow - absl::Hours(24));
  EXPECT_THAT(ParseTimeText("next tuesday", Direction::kPast, kNow, "since"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--since: \"next tuesday\" is neither")));
}

TEST(TimeTextTest, HumanTime) {
  EXPECT_EQ(HumanTime(absl::FromUnixSeconds(1798772645)),
            "2027-01-01 03:04:05 UTC");
  EXPECT_EQ(HumanTime(ToProtoTime(absl::FromUnixSeconds(1798772645))),
            "2027-01-01 03:04:05 UTC");
  EXPECT_EQ(HumanTime(google::protobuf::Timestamp()), "-");
}

}  // namespace
}  // namespace caregate::ctl
