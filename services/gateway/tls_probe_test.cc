#include "services/gateway/tls_probe.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

// The probe against a real TLS server (a gRPC server requiring client
// certificates) is in grpc_handoff_test.cc.
namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

// A listening socket on 127.0.0.1 that runs `on_connection` (if any) for
// the first connection it accepts.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::function<void(int fd)> on_connection = nullptr) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(listen(fd_, 8), 0);
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    address_ = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));
    if (on_connection) {
      thread_ = std::thread([this, on_connection] {
        const int conn = accept(fd_, nullptr, nullptr);
        if (conn < 0) return;
        on_connection(conn);
        close(conn);
      });
    }
  }
  ~LoopbackServer() {
    shutdown(fd_, SHUT_RDWR);  // Ends a pending accept().
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  const std::string& address() const { return address_; }

 private:
  int fd_ = -1;
  std::string address_;
  std::thread thread_;
};

TEST(TlsProbeTest, NoAnswerIsDeadlineExceeded) {
  LoopbackServer silent;  // The kernel accepts; nobody answers.
  EXPECT_THAT(ProbeTlsServer(silent.address(), absl::Milliseconds(200)),
              StatusIs(absl::StatusCode::kDeadlineExceeded,
                       HasSubstr(absl::StrCat("probe of ", silent.address(),
                                              ": no TLS answer within "
                                              "200ms"))));
}

TEST(TlsProbeTest, RefusedConnectionIsUnavailable) {
  std::string address;
  {
    LoopbackServer gone;
    address = gone.address();
  }
  EXPECT_THAT(ProbeTlsServer(address, absl::Seconds(5)),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("connect: Connection refused")));
}

TEST(TlsProbeTest, ClosingWithoutAnAnswerIsUnavailable) {
  LoopbackServer closer([](int fd) {
    char buffer[1024];
    recv(fd, buffer, sizeof(buffer), 0);  // The ClientHello; then close.
    shutdown(fd, SHUT_WR);
  });
  EXPECT_THAT(ProbeTlsServer(closer.address(), absl::Seconds(5)),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("connection closed before the TLS answer")));
}

TEST(TlsProbeTest, AnAnswerThatIsNotTlsIsFailedPrecondition) {
  LoopbackServer http([](int fd) {
    char buffer[1024];
    recv(fd, buffer, sizeof(buffer), 0);
    const std::string answer = "HTTP/1.1 400 Bad Request\r\n\r\n";
    send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
    recv(fd, buffer, sizeof(buffer), 0);  // Until the probe leaves.
  });
  EXPECT_THAT(ProbeTlsServer(http.address(), absl::Seconds(5)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("the answer is not a TLS ServerHello")));
}

TEST(TlsProbeTest, MalformedAddressIsInvalidArgument) {
  EXPECT_THAT(ProbeTlsServer("localhost", absl::Seconds(1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must be host:port")));
}

}  // namespace
}  // namespace caregate
