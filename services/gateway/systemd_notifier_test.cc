#include "services/gateway/systemd_notifier.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

// Sets (or, with nullptr, unsets) an environment variable for one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value == nullptr) {
      unsetenv(name);
    } else {
      setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    if (old_.has_value()) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A datagram socket standing in for systemd's; `name` starting with '@' is
// in the abstract namespace.
class FakeSystemd {
 public:
  explicit FakeSystemd(std::string name) : name_(std::move(name)) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name_.data(), name_.size());
    if (name_[0] == '@') addr.sun_path[0] = '\0';
    const auto len =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0)
        << std::strerror(errno);
  }
  ~FakeSystemd() {
    close(fd_);
    if (name_[0] == '/') unlink(name_.c_str());
  }
  const std::string& name() const { return name_; }
  // The next message, or "" after 5 s.
  std::string Receive() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) return "";
    char buffer[512];
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    return n > 0 ? std::string(buffer, n) : "";
  }

 private:
  std::string name_;
  int fd_ = -1;
};

TEST(SystemdNotifierTest, WithoutNotifySocketItDoesNothing) {
  ScopedEnv no_socket("NOTIFY_SOCKET", nullptr);
  ScopedEnv no_watchdog("WATCHDOG_USEC", nullptr);
  auto notifier = SystemdNotifier::FromEnvironment();
  CG_ASSERT_OK(notifier);
  EXPECT_FALSE((*notifier)->enabled());
  CG_EXPECT_OK((*notifier)->Notify("READY=1"));
  EXPECT_EQ((*notifier)->watchdog_timeout(), std::nullopt);
}

TEST(SystemdNotifierTest, SendsToAPathSocket) {
  FakeSystemd systemd(
      absl::StrCat(::testing::TempDir(), "/notify-", getpid(), ".sock"));
  ScopedEnv socket_env("NOTIFY_SOCKET", systemd.name().c_str());
  auto notifier = SystemdNotifier::FromEnvironment();
  CG_ASSERT_OK(notifier);
  EXPECT_TRUE((*notifier)->enabled());
  CG_EXPECT_OK((*notifier)->Notify("READY=1\nSTATUS=serving"));
  EXPECT_EQ(systemd.Receive(), "READY=1\nSTATUS=serving");
  CG_EXPECT_OK((*notifier)->Notify("WATCHDOG=1"));
  EXPECT_EQ(systemd.Receive(), "WATCHDOG=1");
}

TEST(SystemdNotifierTest, SendsToAnAbstractSocket) {
  FakeSystemd systemd(absl::StrCat("@caregate-notify-test-", getpid()));
  ScopedEnv socket_env("NOTIFY_SOCKET", systemd.name().c_str());
  auto notifier = SystemdNotifier::FromEnvironment();
  CG_ASSERT_OK(notifier);
  CG_EXPECT_OK((*notifier)->Notify("STOPPING=1"));
  EXPECT_EQ(systemd.Receive(), "STOPPING=1");
}

TEST(SystemdNotifierTest, AnUnusableSocketNameIsInvalidArgument) {
  ScopedEnv socket_env("NOTIFY_SOCKET", "relative/notify.sock");
  EXPECT_THAT(SystemdNotifier::FromEnvironment(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("NOTIFY_SOCKET=relative/notify.sock")));
}

TEST(SystemdNotifierTest, AGoneSocketIsUnavailable) {
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/gone-", getpid(), ".sock");
  ScopedEnv socket_env("NOTIFY_SOCKET", path.c_str());
  auto notifier = SystemdNotifier::FromEnvironment();
  CG_ASSERT_OK(notifier);
  EXPECT_THAT((*notifier)->Notify("WATCHDOG=1"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("sendto")));
}

TEST(SystemdNotifierTest, WatchdogTimeoutIsForThisProcessOnly) {
  ScopedEnv usec("WATCHDOG_USEC", "45000000");
  {
    ScopedEnv pid("WATCHDOG_PID", nullptr);
    EXPECT_EQ((*SystemdNotifier::FromEnvironment())->watchdog_timeout(),
              absl::Seconds(45));
  }
  {
    const std::string mine = std::to_string(getpid());
    ScopedEnv pid("WATCHDOG_PID", mine.c_str());
    EXPECT_EQ((*SystemdNotifier::FromEnvironment())->watchdog_timeout(),
              absl::Seconds(45));
  }
  {
    const std::string other = std::to_string(getpid() + 1);
    ScopedEnv pid("WATCHDOG_PID", other.c_str());
    EXPECT_EQ((*SystemdNotifier::FromEnvironment())->watchdog_timeout(),
              std::nullopt);
  }
}

}  // namespace
}  // namespace caregate
