#include "bench/load/cpu_usage.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace caregate::bench {
namespace {

TEST(ParseProcStatCpuTest, AddsUserAndSystemTicks) {
  // Fields 14 (utime) = 250 and 15 (stime) = 50 ticks at 100 ticks/s.
  const std::string stat =
      "4242 (caregated) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 50 0 0 20 "
      "0 19 0 12345 1000000 2000";
  std::optional<absl::Duration> cpu = ParseProcStatCpu(stat, 100);
  ASSERT_TRUE(cpu.has_value());
  EXPECT_EQ(*cpu, absl::Seconds(3));
}

TEST(ParseProcStatCpuTest, HandlesSpacesAndParenthesesInTheName) {
  const std::string stat =
      "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0 1 1 1";
  std::optional<absl::Duration> cpu = ParseProcStatCpu(stat, 100);
  ASSERT_TRUE(cpu.has_value());
  EXPECT_EQ(*cpu, absl::Milliseconds(300));
}

TEST(ParseProcStatCpuTest, RefusesATruncatedLine) {
  EXPECT_FALSE(ParseProcStatCpu("7 (x) R 1 7", 100).has_value());
  EXPECT_FALSE(ParseProcStatCpu("garbage", 100).has_value());
}

TEST(ProcessCpuTimeTest, ReadsThisProcessAndNotAMissingOne) {
  EXPECT_TRUE(ProcessCpuTime(getpid()).has_value());
  EXPECT_FALSE(ProcessCpuTime(-1).has_value());
  EXPECT_GE(SelfCpuTime(), absl::ZeroDuration());
}

}  // namespace
}  // namespace caregate::bench
