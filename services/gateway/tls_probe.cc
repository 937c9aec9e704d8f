#include "services/gateway/tls_probe.h"

#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/unique_fd.h"
#include "services/gateway/socket_address.h"

namespace caregate {
namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

// Sets *arg (a bool) when a ServerHello is read.
void OnTlsMessage(int write_p, int /*version*/, int content_type,
                  const void* buf, size_t len, SSL* /*ssl*/, void* arg) {
  if (write_p == 0 && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
      static_cast<const unsigned char*>(buf)[0] == SSL3_MT_SERVER_HELLO) {
    *static_cast<bool*>(arg) = true;
  }
}

class Probe {
 public:
  Probe(std::string_view address, absl::Duration timeout)
      : address_(address),
        timeout_(timeout),
        deadline_(absl::Now() + timeout) {}

  absl::Status Run();

 private:
  absl::Status Error(absl::StatusCode code, std::string_view what) const {
    return absl::Status(
        code, absl::StrCat("probe of ", address_, ": ", AsAbsl(what)));
  }
  absl::Status Errno(std::string_view call) const {
    return Error(absl::StatusCode::kUnavailable,
                 absl::StrCat(AsAbsl(call), ": ", std::strerror(errno)));
  }
  // OK when `events` are ready on the socket before the deadline.
  absl::Status Await(int fd, short events, std::string_view waiting_for) const;
  absl::Status Connect(int fd, const SocketAddress& target) const;
  absl::Status SendAll(int fd, BIO* out) const;
  absl::Status AwaitServerHello(int fd, SSL* ssl, BIO* in,
                                const bool& server_hello) const;

  const std::string address_;
  const absl::Duration timeout_;
  const absl::Time deadline_;
};

absl::Status Probe::Await(int fd, short events,
                          std::string_view waiting_for) const {
  for (;;) {
    const int64_t left = absl::ToInt64Milliseconds(deadline_ - absl::Now());
    if (left <= 0) {
      return Error(absl::StatusCode::kDeadlineExceeded,
                   absl::StrCat("no ", AsAbsl(waiting_for), " within ",
                                absl::FormatDuration(timeout_)));
    }
    pollfd p{fd, events, 0};
    const int ready = poll(&p, 1, static_cast<int>(left));
    if (ready > 0) return absl::OkStatus();
    if (ready < 0 && errno != EINTR) return Errno("poll");
  }
}

absl::Status Probe::Connect(int fd, const SocketAddress& target) const {
  if (connect(fd, target.get(), target.length) == 0) return absl::OkStatus();
  if (errno != EINPROGRESS) return Errno("connect");
  absl::Status ready = Await(fd, POLLOUT, "TCP connection");
  if (!ready.ok()) return ready;
  int error = 0;
  socklen_t length = sizeof(error);
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error == 0) return absl::OkStatus();
  errno = error;
  return Errno("connect");
}

absl::Status Probe::SendAll(int fd, BIO* out) const {
  char buffer[4096];
  int n;
  while ((n = BIO_read(out, buffer, sizeof(buffer))) > 0) {
    for (int sent = 0; sent < n;) {
      const ssize_t r = send(fd, buffer + sent, n - sent, MSG_NOSIGNAL);
      if (r > 0) {
        sent += static_cast<int>(r);
      } else if (errno == EAGAIN || errno == EINTR) {
        absl::Status ready = Await(fd, POLLOUT, "room to send");
        if (!ready.ok()) return ready;
      } else {
        return Errno("send");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Probe::AwaitServerHello(int fd, SSL* ssl, BIO* in,
                                     const bool& server_hello) const {
  char buffer[16384];
  for (;;) {
    absl::Status ready = Await(fd, POLLIN, "TLS answer");
    if (!ready.ok()) return ready;
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n == 0) {
      return Error(absl::StatusCode::kUnavailable,
                   "connection closed before the TLS answer");
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return Errno("recv");
    }
    BIO_write(in, buffer, static_cast<int>(n));
    const int r = SSL_do_handshake(ssl);
    if (server_hello) return absl::OkStatus();
    if (r <= 0 && SSL_get_error(ssl, r) != SSL_ERROR_WANT_READ) {
      return Error(absl::StatusCode::kFailedPrecondition,
                   "the answer is not a TLS ServerHello");
    }
  }
}

absl::Status Probe::Run() {
  absl::StatusOr<std::vector<SocketAddress>> targets =
      ResolveHostPort(address_);
  if (!targets.ok()) return targets.status();
  const SocketAddress& target = targets->front();
  UniqueFd socket_fd(
      socket(target.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (socket_fd.get() < 0) return Errno("socket");
  absl::Status connected = Connect(socket_fd.get(), target);
  if (!connected.ok()) return connected;

  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  std::unique_ptr<SSL, SslFree> ssl(ctx ? SSL_new(ctx.get()) : nullptr);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  if (ssl == nullptr || in == nullptr || out == nullptr) {
    BIO_free(in);
    BIO_free(out);
    return Error(absl::StatusCode::kInternal, "OpenSSL: out of memory");
  }
  // Memory BIOs: only what this function sends reaches the server.
  SSL_set_bio(ssl.get(), in, out);
  SSL_set_connect_state(ssl.get());
  static const unsigned char kAlpnH2[] = {2, 'h', '2'};
  SSL_set_alpn_protos(ssl.get(), kAlpnH2, sizeof(kAlpnH2));
  bool server_hello = false;
  SSL_set_msg_callback(ssl.get(), OnTlsMessage);
  SSL_set_msg_callback_arg(ssl.get(), &server_hello);
  SSL_do_handshake(ssl.get());  // Writes the ClientHello into `out`.
  absl::Status sent = SendAll(socket_fd.get(), out);
  if (!sent.ok()) return sent;
  return AwaitServerHello(socket_fd.get(), ssl.get(), in, server_hello);
}

}  // namespace

absl::Status ProbeTlsServer(std::string_view address, absl::Duration timeout) {
  return Probe(address, timeout).Run();
}

}  // namespace caregate
