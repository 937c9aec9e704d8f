#include "tests/crash/child_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate::crash {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

class ChildProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter = 0;
    log_ = std::filesystem::path(::testing::TempDir()) /
           ("caregate_child_" + std::to_string(getpid()) + "_" +
            std::to_string(counter++) + ".log");
  }
  void TearDown() override { std::filesystem::remove(log_); }
  std::string Log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string log_;
};

TEST_F(ChildProcessTest, RunsToCompletionAndAppendsOutput) {
  CG_EXPECT_OK(RunChild({"/bin/sh", "-c", "echo one; echo two >&2"}, log_,
                        absl::Seconds(30)));
  CG_EXPECT_OK(
      RunChild({"/bin/sh", "-c", "echo three"}, log_, absl::Seconds(30)));
  EXPECT_EQ(Log(), "one\ntwo\nthree\n");
}

TEST_F(ChildProcessTest, NonZeroExitIsAnError) {
  EXPECT_THAT(RunChild({"/bin/sh", "-c", "exit 3"}, log_, absl::Seconds(30)),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("exit 3")));
}

TEST_F(ChildProcessTest, MissingBinaryExits127) {
  EXPECT_THAT(RunChild({"/nonexistent/caregated"}, log_, absl::Seconds(30)),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("exit 127")));
}

TEST_F(ChildProcessTest, WaitTimesOutOnARunningChildThenReapsTheKilledOne) {
  absl::StatusOr<pid_t> pid =
      SpawnChild({"/bin/sh", "-c", "exec tail -f /dev/null"}, log_);
  CG_ASSERT_OK(pid);
  absl::StatusOr<std::optional<int>> polled = PollChild(*pid);
  CG_ASSERT_OK(polled);
  EXPECT_FALSE(polled->has_value());
  EXPECT_THAT(WaitChild(*pid, absl::Milliseconds(1)),
              StatusIs(absl::StatusCode::kDeadlineExceeded,
                       HasSubstr("still running")));
  ASSERT_EQ(kill(*pid, SIGKILL), 0);
  absl::StatusOr<int> status = WaitChild(*pid, absl::Seconds(30));
  CG_ASSERT_OK(status);
  EXPECT_EQ(DescribeWaitStatus(*status), "signal 9");
}

TEST_F(ChildProcessTest, SetsTheFileLimitAndAddsToTheEnvironment) {
  SpawnOptions options;
  options.max_open_files = 321;
  options.extra_env = {"CAREGATE_CHILD_TEST=set", "HOME=/nonexistent-home"};
  absl::StatusOr<pid_t> pid = SpawnChild(
      {"/bin/sh", "-c",
       "echo \"$(ulimit -Sn) $(ulimit -Hn) $CAREGATE_CHILD_TEST $HOME\""},
      log_, options);
  CG_ASSERT_OK(pid);
  absl::StatusOr<int> status = WaitChild(*pid, absl::Seconds(30));
  CG_ASSERT_OK(status);
  EXPECT_EQ(DescribeWaitStatus(*status), "exit 0");
  EXPECT_EQ(Log(), "321 321 set /nonexistent-home\n");
}

}  // namespace
}  // namespace caregate::crash
