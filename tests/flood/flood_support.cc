#include "tests/flood/flood_support.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace caregate::flood {
namespace {

absl::Status Errno(const char* call) {
  return absl::InternalError(absl::StrCat(call, ": ", std::strerror(errno)));
}

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

// Waits for the pending connects in `fds` (state 0) until `deadline`;
// state becomes 1 (connected) or -1 (failed).
void AwaitConnects(const std::vector<int>& fds, std::vector<int>& state,
                   absl::Time deadline) {
  for (;;) {
    std::vector<pollfd> waiting;
    std::vector<size_t> index;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (state[i] != 0) continue;
      waiting.push_back({fds[i], POLLOUT, 0});
      index.push_back(i);
    }
    const absl::Duration left = deadline - absl::Now();
    if (waiting.empty() || left <= absl::ZeroDuration()) return;
    const int ready = poll(waiting.data(), waiting.size(),
                           static_cast<int>(absl::ToInt64Milliseconds(left)));
    if (ready <= 0) continue;
    for (size_t j = 0; j < waiting.size(); ++j) {
      if (waiting[j].revents == 0) continue;
      int error = 0;
      socklen_t len = sizeof(error);
      getsockopt(waiting[j].fd, SOL_SOCKET, SO_ERROR, &error, &len);
      state[index[j]] = error == 0 ? 1 : -1;
    }
  }
}

}  // namespace

absl::Status RaiseOwnFileLimit(rlim_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return Errno("getrlimit");
  if (limit.rlim_cur >= wanted) return absl::OkStatus();
  if (limit.rlim_max < wanted) {
    return absl::FailedPreconditionError(
        absl::StrCat("hard RLIMIT_NOFILE ", limit.rlim_max, " < ", wanted));
  }
  limit.rlim_cur = wanted;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return Errno("setrlimit");
  return absl::OkStatus();
}

absl::StatusOr<IdleConnections> IdleConnections::Open(int port, int count,
                                                      absl::Duration timeout) {
  IdleConnections conns;
  std::vector<int> state;
  const sockaddr_in addr = Loopback(port);
  for (int i = 0; i < count; ++i) {
    const int fd =
        socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Errno("socket");
    conns.fds_.push_back(fd);
    const int r =
        connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
    state.push_back(r == 0 ? 1 : (errno == EINPROGRESS ? 0 : -1));
  }
  AwaitConnects(conns.fds_, state, absl::Now() + timeout);
  for (int s : state) {
    if (s == 1) ++conns.connected_;
    if (s == -1) ++conns.failed_;
    if (s == 0) ++conns.pending_;
  }
  return conns;
}

absl::StatusOr<absl::Duration> IdleConnections::AwaitClosedByPeer(
    int index, absl::Duration timeout) {
  if (index < 0 || index >= static_cast<int>(fds_.size())) {
    return absl::OutOfRangeError(absl::StrCat("no connection ", index));
  }
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + timeout;
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(
          absl::StrCat("still open after ", absl::FormatDuration(timeout)));
    }
    pollfd fd{fds_[index], POLLIN, 0};
    const int ready =
        poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Errno("poll");
    if (ready == 0) continue;
    char byte;
    const ssize_t n = recv(fds_[index], &byte, 1, 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return absl::Now() - start;
    if (n > 0) return absl::FailedPreconditionError("the peer sent data");
    if (errno != EAGAIN && errno != EINTR) return Errno("recv");
  }
}

IdleConnections::~IdleConnections() { CloseAll(); }

void IdleConnections::CloseAll() {
  for (int fd : fds_) close(fd);
  fds_.clear();
}

absl::StatusOr<std::unique_ptr<NotifySocket>> NotifySocket::Bind(
    std::string path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": path too long"));
  }
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    const absl::Status error = Errno("bind");
    close(fd);
    return error;
  }
  return std::unique_ptr<NotifySocket>(new NotifySocket(fd, std::move(path)));
}

NotifySocket::~NotifySocket() {
  close(fd_);
  unlink(path_.c_str());
}

absl::StatusOr<std::vector<std::string>> NotifySocket::AwaitLine(
    const std::string& line, absl::Duration timeout) {
  std::vector<std::string> messages;
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    // Messages already queued are read even after the deadline.
    const int64_t left_ms =
        std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now()));
    pollfd fd{fd_, POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(left_ms));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Errno("poll");
    if (ready == 0) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no \"", line, "\" within ", absl::FormatDuration(timeout),
          "; received: [", absl::StrJoin(messages, "|"), "]"));
    }
    char buffer[4096];
    const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0) return Errno("recv");
    messages.emplace_back(buffer, static_cast<size_t>(n));
    for (absl::string_view l : absl::StrSplit(messages.back(), '\n')) {
      if (l == line) return messages;
    }
  }
}

void DevGatewayTest::SetUp() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = absl::StrCat(
      tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/caregate-flood-XXXXXX");
  ASSERT_NE(mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
  dir_ = pattern;
  absl::StatusOr<crash::DevSetup> setup =
      crash::DevSetup::Create(CAREGATECTL_BIN, dir_ + "/dev");
  ASSERT_TRUE(setup.ok()) << setup.status();
  setup_ = std::move(*setup);
  gateway_ = std::make_unique<crash::GatewayProcess>(CAREGATED_BIN, &*setup_);
}

void DevGatewayTest::TearDown() {
  gateway_.reset();
  if (HasFailure()) {
    std::cerr << "gateway log: " << dir_ << "/dev/caregated.log\n";
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void DevGatewayTest::AppendToConfig(const std::string& text) const {
  std::ofstream out(setup_->config_path(), std::ios::app);
  out << "\n" << text << "\n";
  ASSERT_TRUE(out.good()) << setup_->config_path();
}

std::string DevGatewayTest::GatewayLog() const {
  std::ifstream in(gateway_->log_path());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace caregate::flood
