#include "services/gateway/connection_acceptor.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/absl_compat.h"
#include "services/common/thread_name.h"
#include "spdlog/spdlog.h"

namespace caregate {
namespace {

// Connections accepted per listening socket before polling again.
constexpr int kAcceptBatch = 256;
// Pause after accept failed for lack of files, and after other failures.
constexpr absl::Duration kNoFilesPause = absl::Milliseconds(10);
constexpr absl::Duration kErrorPause = absl::Milliseconds(100);
// At most one log line per kind in this interval.
constexpr absl::Duration kLogInterval = absl::Seconds(10);

// Errors accept(2) reports for one failed connection: retry at once.
bool IsConnectionError(int error) {
  switch (error) {
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case EPERM:  // A firewall rule refused this connection.
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
      return true;
    default:
      return false;
  }
}

int PollMillis(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return -1;
  return static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(d)));
}

SocketAddress WildcardAddress(int family, int port) {
  SocketAddress a;
  if (family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_any;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    a.length = sizeof(sockaddr_in6);
  } else {
    auto* in = reinterpret_cast<sockaddr_in*>(&a.storage);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_ANY);
    in->sin_port = htons(static_cast<uint16_t>(port));
    a.length = sizeof(sockaddr_in);
  }
  return a;
}

void SetPort(SocketAddress& a, int port) {
  const auto p = htons(static_cast<uint16_t>(port));
  if (a.family() == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&a.storage)->sin6_port = p;
  } else {
    reinterpret_cast<sockaddr_in*>(&a.storage)->sin_port = p;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<ConnectionAcceptor>> ConnectionAcceptor::Listen(
    std::string_view address, int fd_cap) {
  absl::StatusOr<std::vector<SocketAddress>> addresses =
      ResolveHostPort(address);
  if (!addresses.ok()) return addresses.status();
  auto acceptor = std::unique_ptr<ConnectionAcceptor>(new ConnectionAcceptor());
  acceptor->fd_cap_ = fd_cap;
  std::vector<std::string> errors;
  if (addresses->front().IsWildcard()) {
    // Like gRPC: a wildcard serves IPv6 and IPv4 through one dual-stack
    // socket, or IPv4 alone where IPv6 is unavailable.
    const int port = addresses->front().port();
    absl::Status v6 = acceptor->Bind(WildcardAddress(AF_INET6, port));
    if (!v6.ok()) {
      errors.emplace_back(v6.message());
      absl::Status v4 = acceptor->Bind(WildcardAddress(AF_INET, port));
      if (!v4.ok()) errors.emplace_back(v4.message());
    }
  } else {
    for (SocketAddress& a : *addresses) {
      // Port 0 binds the first socket anywhere, the others on its port.
      if (acceptor->port_ != 0) SetPort(a, acceptor->port_);
      absl::Status bound = acceptor->Bind(a);
      if (!bound.ok()) errors.emplace_back(bound.message());
    }
  }
  if (acceptor->listen_fds_.empty()) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ",
                                               AsAbsl(address), ": ",
                                               absl::StrJoin(errors, "; ")));
  }
  for (const std::string& error : errors) {
    spdlog::warn("listen_address {}: {}", address, error);
  }
  acceptor->wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  acceptor->reserve_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (acceptor->wake_fd_ < 0 || acceptor->reserve_fd_ < 0) {
    return absl::InternalError(
        absl::StrCat("connection acceptor: ", std::strerror(errno)));
  }
  return acceptor;
}

absl::Status ConnectionAcceptor::Bind(const SocketAddress& address) {
  const auto failed = [&](const char* call) {
    return absl::UnavailableError(absl::StrCat(address.ToString(), ": ", call,
                                               ": ", std::strerror(errno)));
  };
  const int fd =
      socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return failed("socket");
  const int one = 1;
  const int zero = 0;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (address.family() == AF_INET6 && address.IsWildcard()) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  const char* call = nullptr;
  if (bind(fd, address.get(), address.length) != 0) {
    call = "bind";
  } else if (listen(fd, SOMAXCONN) != 0) {
    call = "listen";
  } else if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) !=
             0) {
    call = "getsockname";
  }
  if (call != nullptr) {
    const absl::Status error = failed(call);
    close(fd);
    return error;
  }
  SocketAddress actual;
  actual.storage = bound;
  actual.length = length;
  if (port_ == 0) port_ = actual.port();
  listen_fds_.push_back(fd);
  bound_.push_back(actual);
  return absl::OkStatus();
}

ConnectionAcceptor::~ConnectionAcceptor() {
  Stop();
  for (int fd : listen_fds_) close(fd);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (reserve_fd_ >= 0) close(reserve_fd_);
}

std::string ConnectionAcceptor::LocalAddress() const {
  const SocketAddress& first = bound_.front();
  if (!first.IsWildcard()) return first.ToString();
  return absl::StrCat("127.0.0.1:", port_);
}

void ConnectionAcceptor::Start(Handler handler) {
  handler_ = std::move(handler);
  thread_ = std::thread([this] {
    SetCurrentThreadName("conn-acceptor");
    Run();
  });
}

void ConnectionAcceptor::Stop() {
  {
    absl::MutexLock lock(&stop_mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  if (thread_.joinable()) {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof(one));
    thread_.join();
  }
  // Pending connections get a reset; nothing more is accepted.
  for (int fd : listen_fds_) shutdown(fd, SHUT_RDWR);
}

ConnectionAcceptor::Counters ConnectionAcceptor::counters() const {
  return {handed_over_.load(), refused_at_cap_.load(),
          shed_without_files_.load(), gone_before_accept_.load()};
}

void ConnectionAcceptor::Run() {
  std::vector<pollfd> fds;
  for (int fd : listen_fds_) fds.push_back({fd, POLLIN, 0});
  fds.push_back({wake_fd_, POLLIN, 0});
  pollfd& wake = fds.back();
  absl::Duration pause = absl::ZeroDuration();
  for (;;) {
    if (pause > absl::ZeroDuration()) {
      pollfd only_wake{wake_fd_, POLLIN, 0};
      if (poll(&only_wake, 1, PollMillis(pause)) > 0) break;
      pause = absl::ZeroDuration();
    }
    // While counts wait to be logged, wake up to log them.
    const bool unlogged = unlogged_.refused_at_cap + unlogged_.errors +
                              unlogged_.shed_without_files >
                          0;
    const int ready =
        poll(fds.data(), fds.size(),
             PollMillis(unlogged ? kLogInterval : absl::InfiniteDuration()));
    if (ready < 0) {
      if (errno != EINTR) {
        ++unlogged_.errors;
        unlogged_.last_errno = errno;
        pause = kErrorPause;
      }
      continue;
    }
    if (wake.revents != 0) break;
    for (size_t i = 0; i + 1 < fds.size(); ++i) {
      if (fds[i].revents != 0) {
        pause = std::max(pause, AcceptPending(fds[i].fd));
      }
    }
    LogNow(/*force=*/false);
  }
  LogNow(/*force=*/true);
}

absl::Duration ConnectionAcceptor::AcceptPending(int listen_fd) {
  for (int i = 0; i < kAcceptBatch; ++i) {
    const int fd =
        accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      Admit(listen_fd, fd);
      continue;
    }
    const int error = errno;
    if (error == EAGAIN || error == EWOULDBLOCK) return absl::ZeroDuration();
    if (IsConnectionError(error)) continue;
    ++unlogged_.errors;
    unlogged_.last_errno = error;
    if (error == EMFILE || error == ENFILE) {
      ShedOne(listen_fd);
      return kNoFilesPause;
    }
    return kErrorPause;  // ENOBUFS, ENOMEM, ...
  }
  return absl::ZeroDuration();
}

void ConnectionAcceptor::Admit(int listen_fd, int fd) {
  // Counted before the close, which the peer may see at once.
  if (fd >= fd_cap_) {
    refused_at_cap_.fetch_add(1, std::memory_order_relaxed);
    ++unlogged_.refused_at_cap;
    close(fd);
    return;
  }
  // A peer that already left (a flood that ended while its connections
  // waited in the backlog) costs one system call instead of a gRPC setup.
  char byte;
  const ssize_t peeked = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (peeked == 0 || (peeked < 0 && errno != EAGAIN && errno != EINTR)) {
    gone_before_accept_.fetch_add(1, std::memory_order_relaxed);
    close(fd);
    return;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  handed_over_.fetch_add(1, std::memory_order_relaxed);
  handler_(listen_fd, fd);
}

void ConnectionAcceptor::ShedOne(int listen_fd) {
  if (reserve_fd_ >= 0) close(reserve_fd_);
  const int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd >= 0) {
    shed_without_files_.fetch_add(1, std::memory_order_relaxed);
    ++unlogged_.shed_without_files;
    close(fd);
  }
  // -1 when another thread took the slot meanwhile: retried next time.
  reserve_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void ConnectionAcceptor::LogNow(bool force) {
  Unlogged& u = unlogged_;
  if (u.refused_at_cap + u.shed_without_files + u.errors == 0) return;
  const absl::Time now = absl::Now();
  if (!force && now - u.last_line < kLogInterval) return;
  const std::string period =
      u.last_line == absl::InfinitePast()
          ? std::string("since start")
          : absl::StrCat("in ", absl::FormatDuration(absl::Trunc(
                                    now - u.last_line, absl::Milliseconds(1))));
  if (u.refused_at_cap > 0) {
    spdlog::warn(
        "connection limit: refused {} connections {} (max_connections {} "
        "open files reached)",
        u.refused_at_cap, period, fd_cap_);
  }
  if (u.shed_without_files > 0 || u.errors > 0) {
    spdlog::error(
        "accept failed {} times {} (last: {}); refused {} connections to "
        "keep accepting",
        u.errors, period, std::strerror(u.last_errno), u.shed_without_files);
  }
  u = Unlogged{};
  u.last_line = now;
}

}  // namespace caregate
