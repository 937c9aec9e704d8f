// Support for the connection-flood and watchdog tests: the real caregated run
// as a child on a fresh `caregatectl dev-init` setup (tests/crash's DevSetup
// and GatewayProcess), idle TCP connections opened in bulk, and a stand-in for
// systemd's notification socket.
//
// Not thread-safe; one of each per test. Errors are absl::Status naming the
// failed system call.
#ifndef CAREGATE_TESTS_FLOOD_FLOOD_SUPPORT_H_
#define CAREGATE_TESTS_FLOOD_FLOOD_SUPPORT_H_

#include <sys/resource.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/crash/gateway_process.h"

namespace caregate::flood {

// Raises this process's soft RLIMIT_NOFILE to at least `wanted` (within the
// hard limit); FAILED_PRECONDITION when the hard limit is lower.
absl::Status RaiseOwnFileLimit(rlim_t wanted);

// TCP connections to 127.0.0.1:port that never send a byte.
class IdleConnections {
 public:
  // Starts `count` non-blocking connects and waits up to `timeout` for them
  // to complete. Connects still pending then stay open (and count as
  // pending).
  static absl::StatusOr<IdleConnections> Open(int port, int count,
                                              absl::Duration timeout);
  IdleConnections(IdleConnections&&) = default;
  IdleConnections& operator=(IdleConnections&&) = default;
  ~IdleConnections();  // CloseAll()

  int connected() const { return connected_; }
  int failed() const { return failed_; }
  int pending() const { return pending_; }
  // Waits up to `timeout` for the peer to close connection `index` (end of
  // stream or reset) and returns how long that took; DEADLINE_EXCEEDED while
  // it stays open, FAILED_PRECONDITION if the peer sent data instead.
  absl::StatusOr<absl::Duration> AwaitClosedByPeer(int index,
                                                   absl::Duration timeout);
  void CloseAll();

 private:
  IdleConnections() = default;
  std::vector<int> fds_;
  int connected_ = 0;
  int failed_ = 0;
  int pending_ = 0;
};

// A Unix datagram socket that receives sd_notify messages ("READY=1", ...)
// in place of systemd.
class NotifySocket {
 public:
  static absl::StatusOr<std::unique_ptr<NotifySocket>> Bind(std::string path);
  ~NotifySocket();

  // "NOTIFY_SOCKET=<path>", for the child's environment.
  std::string EnvEntry() const { return "NOTIFY_SOCKET=" + path_; }
  // Waits up to `timeout` for a message carrying the line `line` (e.g.
  // "READY=1"); returns every message received meanwhile, or
  // DEADLINE_EXCEEDED listing them.
  absl::StatusOr<std::vector<std::string>> AwaitLine(const std::string& line,
                                                     absl::Duration timeout);

 private:
  NotifySocket(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

// A fresh dev setup in a temporary directory, with the real binaries.
class DevGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  const crash::DevSetup& setup() const { return *setup_; }
  const std::string& dir() const { return dir_; }
  // Appends protobuf text to the gateway's config file.
  void AppendToConfig(const std::string& text) const;
  // The gateway's log so far.
  std::string GatewayLog() const;

  std::unique_ptr<crash::GatewayProcess> gateway_;

 private:
  std::string dir_;
  std::optional<crash::DevSetup> setup_;
};

}  // namespace caregate::flood

#endif  // CAREGATE_TESTS_FLOOD_FLOOD_SUPPORT_H_
