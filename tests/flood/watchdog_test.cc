// The gateway's watchdog (issue 10, item 1): while its probe of its own
// address succeeds it tells systemd READY=1 and WATCHDOG=1; when the probe
// keeps failing it exits with status 3 so that its supervisor restarts it.
// The real caregated, as a child process; a Unix datagram socket in the test
// stands in for systemd's NOTIFY_SOCKET.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/flood/flood_support.h"
#include "tests/testing/status_matchers.h"

namespace caregate::flood {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Probes every 200 ms; exits after 1 s of failures.
constexpr char kFastWatchdog[] = R"pb(
  network {
    watchdog_interval { nanos: 200000000 }
    watchdog_failure_limit { seconds: 1 }
  })pb";

// A TCP listener on 127.0.0.1 that never accepts: the kernel completes the
// TCP handshake, but nobody ever answers a TLS ClientHello.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(fd_, 64) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "silent listener: " << std::strerror(errno);
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() {
    if (fd_ >= 0) close(fd_);
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

using CaregatedWatchdogTest = DevGatewayTest;

TEST_F(CaregatedWatchdogTest, NotifiesSystemdWhileServingAndWhenStopping) {
  AppendToConfig(kFastWatchdog);
  absl::StatusOr<std::unique_ptr<NotifySocket>> notify =
      NotifySocket::Bind(dir() + "/notify.sock");
  CG_ASSERT_OK(notify);
  crash::SpawnOptions options;
  options.extra_env = {(*notify)->EnvEntry()};
  CG_ASSERT_OK(gateway_->Spawn(options));

  CG_EXPECT_OK((*notify)->AwaitLine("READY=1", absl::Seconds(30)));
  // Keep-alives keep coming while it serves.
  CG_EXPECT_OK((*notify)->AwaitLine("WATCHDOG=1", absl::Seconds(5)));
  CG_EXPECT_OK((*notify)->AwaitLine("WATCHDOG=1", absl::Seconds(5)));
  CG_EXPECT_OK(gateway_->WaitServing(absl::Seconds(5)));
  ASSERT_TRUE(gateway_->BeginStop().ok());
  CG_EXPECT_OK((*notify)->AwaitLine("STOPPING=1", absl::Seconds(10)));
  absl::StatusOr<int> status = gateway_->WaitExit(absl::Seconds(20));
  CG_ASSERT_OK(status);
  EXPECT_EQ(crash::DescribeWaitStatus(*status), "exit 0");
  // The probes (a ClientHello without a client certificate, abandoned after
  // the ServerHello) do not fill the log with handshake errors.
  EXPECT_THAT(GatewayLog(), Not(HasSubstr("Handshake failed")));
}

TEST_F(CaregatedWatchdogTest, ExitsWithStatus3WhenItsProbeGetsNoAnswer) {
  AppendToConfig(kFastWatchdog);
  SilentListener silent;
  absl::StatusOr<std::unique_ptr<NotifySocket>> notify =
      NotifySocket::Bind(dir() + "/notify.sock");
  CG_ASSERT_OK(notify);
  crash::SpawnOptions options;
  options.extra_env = {(*notify)->EnvEntry()};
  CG_ASSERT_OK(gateway_->Spawn(
      options, {"--testing_watchdog_probe_address=" + silent.address()}));

  const absl::Time start = absl::Now();
  absl::StatusOr<int> status = gateway_->WaitExit(absl::Seconds(20));
  CG_ASSERT_OK(status);
  std::cout << "watchdog exit " << absl::FormatDuration(absl::Now() - start)
            << " after start\n";
  EXPECT_EQ(crash::DescribeWaitStatus(*status), "exit 3");
  EXPECT_THAT(GatewayLog(), HasSubstr("watchdog"));
  // Never reported ready, and no keep-alive ever went out.
  EXPECT_THAT((*notify)->AwaitLine("READY=1", absl::Milliseconds(1)),
              testing::StatusIs(absl::StatusCode::kDeadlineExceeded,
                                Not(HasSubstr("WATCHDOG=1"))));
}

}  // namespace
}  // namespace caregate::flood
