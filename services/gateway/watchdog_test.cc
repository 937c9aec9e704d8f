#include "services/gateway/watchdog.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A notifier whose messages land on a datagram socket this test reads.
class NotifyCapture {
 public:
  NotifyCapture() {
    path_ = absl::StrCat(::testing::TempDir(), "/watchdog-", getpid(), "-",
                         next_id_++, ".sock");
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.data(), path_.size());
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    setenv("NOTIFY_SOCKET", path_.c_str(), 1);
    auto notifier = SystemdNotifier::FromEnvironment();
    unsetenv("NOTIFY_SOCKET");
    EXPECT_TRUE(notifier.ok());
    notifier_ = std::move(*notifier);
  }
  ~NotifyCapture() {
    close(fd_);
    unlink(path_.c_str());
  }
  const SystemdNotifier* notifier() const { return notifier_.get(); }
  // The next `n` messages (fewer if none comes for 5 s).
  std::vector<std::string> Receive(int n, int timeout_ms = 5000) {
    std::vector<std::string> messages;
    for (int i = 0; i < n; ++i) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) != 1) break;
      char buffer[512];
      const ssize_t len = recv(fd_, buffer, sizeof(buffer), 0);
      if (len <= 0) break;
      messages.emplace_back(buffer, len);
    }
    return messages;
  }

 private:
  static inline int next_id_ = 0;
  std::string path_;
  int fd_ = -1;
  std::unique_ptr<SystemdNotifier> notifier_;
};

TEST(WatchdogTest, ReadyAfterTheFirstSuccessThenAKeepAliveForEach) {
  NotifyCapture systemd;
  std::atomic<int> probes{0};
  bool failed = false;
  Watchdog::Options options;
  options.probe = [&] {
    ++probes;
    return absl::OkStatus();
  };
  options.interval = absl::Milliseconds(10);
  options.failure_limit = absl::Milliseconds(100);
  options.notifier = systemd.notifier();
  options.on_failure = [&](const absl::Status&) { failed = true; };
  auto watchdog = Watchdog::Start(std::move(options));
  EXPECT_THAT(systemd.Receive(3), ElementsAre("READY=1\nSTATUS=serving",
                                              "WATCHDOG=1", "WATCHDOG=1"));
  watchdog.reset();
  EXPECT_GE(probes.load(), 2);
  EXPECT_FALSE(failed);
}

TEST(WatchdogTest, GivesUpOnceAfterFailingForTheLimit) {
  NotifyCapture systemd;
  absl::Notification gave_up;
  std::atomic<int> failures_reported{0};
  absl::Status reported;
  Watchdog::Options options;
  options.probe = [] { return absl::UnavailableError("probe: refused"); };
  options.interval = absl::Milliseconds(10);
  options.failure_limit = absl::Milliseconds(200);
  options.notifier = systemd.notifier();
  options.on_failure = [&](const absl::Status& last) {
    reported = last;
    ++failures_reported;
    gave_up.Notify();
  };
  const absl::Time start = absl::Now();
  auto watchdog = Watchdog::Start(std::move(options));
  ASSERT_TRUE(gave_up.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));
  watchdog.reset();
  EXPECT_EQ(failures_reported.load(), 1);
  EXPECT_THAT(reported,
              caregate::testing::StatusIs(absl::StatusCode::kUnavailable,
                                          ::testing::HasSubstr("refused")));
  // Never ready, no keep-alive.
  EXPECT_THAT(systemd.Receive(1, /*timeout_ms=*/0), IsEmpty());
}

TEST(WatchdogTest, ASuccessWithinTheLimitResetsTheClock) {
  NotifyCapture systemd;
  bool failed = false;
  absl::Time last_success = absl::Now();
  Watchdog::Options options;
  // Fails for 100 ms after each success (the limit is 400 ms).
  options.probe = [&] {
    if (absl::Now() - last_success < absl::Milliseconds(100)) {
      return absl::UnavailableError("down");
    }
    last_success = absl::Now();
    return absl::OkStatus();
  };
  options.interval = absl::Milliseconds(10);
  options.failure_limit = absl::Milliseconds(400);
  options.notifier = systemd.notifier();
  options.on_failure = [&](const absl::Status&) { failed = true; };
  const absl::Time start = absl::Now();
  auto watchdog = Watchdog::Start(std::move(options));
  EXPECT_THAT(systemd.Receive(6),
              ElementsAre("READY=1\nSTATUS=serving", "WATCHDOG=1", "WATCHDOG=1",
                          "WATCHDOG=1", "WATCHDOG=1", "WATCHDOG=1"));
  // Failures added up to more than the limit, but never in a row.
  EXPECT_GT(absl::Now() - start, absl::Milliseconds(400));
  watchdog.reset();
  EXPECT_FALSE(failed);
}

}  // namespace
}  // namespace caregate
