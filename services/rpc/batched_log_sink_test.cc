#include "services/rpc/batched_log_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spdlog/logger.h"

namespace caregate {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr absl::Duration kNever = absl::Hours(1);

class BatchedLogSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = absl::StrCat(
        ::testing::TempDir(), "/batched_log_sink_",
        ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        ".log");
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override { ::close(fd_); }

  std::shared_ptr<spdlog::logger> Logger(std::shared_ptr<BatchedLogSink> sink) {
    auto logger = std::make_shared<spdlog::logger>("t", std::move(sink));
    logger->set_pattern("%l %v");
    return logger;
  }
  std::string Written() const {
    std::ifstream in(path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string path_;
  int fd_ = -1;
};

TEST_F(BatchedLogSinkTest, InfoLinesWaitForTheBatch) {
  auto sink = std::make_shared<BatchedLogSink>(
      fd_, BatchedLogSink::Options{.interval = kNever});
  auto logger = Logger(sink);
  logger->info("one");
  logger->info("two");
  EXPECT_THAT(Written(), IsEmpty());  // no write(2) per line
  logger->flush();
  EXPECT_EQ(Written(), "info one\ninfo two\n");
}

TEST_F(BatchedLogSinkTest, WarningIsWrittenWithoutWaitingForTheInterval) {
  auto sink = std::make_shared<BatchedLogSink>(
      fd_, BatchedLogSink::Options{.interval = kNever});
  auto logger = Logger(sink);
  logger->info("before");
  logger->warn("store unavailable");
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (Written().empty() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(Written(), "info before\nwarning store unavailable\n");
}

TEST_F(BatchedLogSinkTest, DestructorWritesWhatIsLeft) {
  {
    auto sink = std::make_shared<BatchedLogSink>(
        fd_, BatchedLogSink::Options{.interval = kNever});
    Logger(sink)->info("last words");
  }
  EXPECT_EQ(Written(), "info last words\n");
}

TEST_F(BatchedLogSinkTest, EveryLineOfEveryThreadArrivesInItsOrder) {
  constexpr int kThreads = 4;
  constexpr int kLines = 2000;
  {
    auto sink = std::make_shared<BatchedLogSink>(
        fd_, BatchedLogSink::Options{.interval = absl::Milliseconds(1),
                                     .batch_bytes = 512});
    auto logger = Logger(sink);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&logger, t] {
        for (int i = 0; i < kLines; ++i) logger->info("{} {}", t, i);
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(sink->dropped_lines(), 0u);
  }
  std::vector<int> next(kThreads, 0);
  int lines = 0;
  for (absl::string_view line :
       absl::StrSplit(Written(), '\n', absl::SkipEmpty())) {
    std::vector<std::string> parts = absl::StrSplit(line, ' ');
    ASSERT_EQ(parts.size(), 3u) << line;
    const int t = std::atoi(parts[1].c_str());
    ASSERT_TRUE(t >= 0 && t < kThreads) << line;
    EXPECT_EQ(std::atoi(parts[2].c_str()), next[t]++) << line;
    ++lines;
  }
  EXPECT_EQ(lines, kThreads * kLines);
}

TEST_F(BatchedLogSinkTest, FullBufferDropsLinesAndReportsHowMany) {
  auto sink = std::make_shared<BatchedLogSink>(
      fd_,
      BatchedLogSink::Options{
          .interval = kNever, .batch_bytes = 1 << 20, .max_buffer_bytes = 40});
  auto logger = Logger(sink);
  logger->info("0123456789");  // 16 bytes with "info " and "\n"
  logger->info("0123456789");  // 32
  logger->info("0123456789");  // would pass 40: dropped
  logger->info("0123456789");  // dropped
  EXPECT_EQ(sink->dropped_lines(), 2u);
  logger->flush();
  const std::string written = Written();
  EXPECT_THAT(written, HasSubstr("info 0123456789\ninfo 0123456789\n{"));
  EXPECT_THAT(written, HasSubstr("\"level\":\"warning\""));
  EXPECT_THAT(written, HasSubstr("\"dropped\":2}\n"));
}

}  // namespace
}  // namespace caregate
