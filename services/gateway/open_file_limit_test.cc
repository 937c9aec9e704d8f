#include "services/gateway/open_file_limit.h"

#include <sys/resource.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ConnectionFdCapTest, DerivedFromTheLimitKeepsAReserve) {
  // limit - max(128, limit / 8), at most 4096
  EXPECT_EQ(*ConnectionFdCap(1024, 0), 896);
  EXPECT_EQ(*ConnectionFdCap(4096, 0), 3584);
  EXPECT_EQ(*ConnectionFdCap(20000, 0), kDefaultMaxConnections);
  EXPECT_EQ(*ConnectionFdCap(65536, 0), 4096);
  EXPECT_EQ(*ConnectionFdCap(192, 0), 64);
  EXPECT_THAT(ConnectionFdCap(191, 0),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("open file limit 191 is too low")));
}

TEST(ConnectionFdCapTest, ConfiguredValueMustLeaveTheMinimumReserve) {
  EXPECT_EQ(*ConnectionFdCap(1024, 500), 500);
  EXPECT_EQ(*ConnectionFdCap(65536, 60000), 60000);  // Above the default.
  EXPECT_EQ(*ConnectionFdCap(1024, 1024 - kMinFileReserve), 960);
  EXPECT_THAT(ConnectionFdCap(1024, 961),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("network.max_connections: 961")));
  EXPECT_THAT(ConnectionFdCap(1024, 63),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("network.max_connections")));
}

TEST(OpenFileLimitTest, RaiseSetsTheSoftLimitToTheHardLimit) {
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  absl::StatusOr<int64_t> raised = RaiseOpenFileLimit();
  CG_ASSERT_OK(raised);
  rlimit after{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, before.rlim_max);
  EXPECT_EQ(after.rlim_max, before.rlim_max);
  EXPECT_EQ(*OpenFileLimit(), *raised);
}

}  // namespace
}  // namespace caregate
