// A gRPC server requiring client certificates, fed by a ConnectionAcceptor
// through ServeAcceptedConnections: what the gateway runs, without its
// services. Checks that handed-over connections get the TLS credentials and
// the handshake timeout, and that the watchdog's probe gets its answer.
#include "services/gateway/grpc_handoff.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "services/gateway/tls_probe.h"
#include "services/pki/dev_ca.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

constexpr absl::Duration kHandshakeTimeout = absl::Milliseconds(500);

class GrpcHandoffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = pki::DevCertificateAuthority::Create("handoff test CA", 1);
    CG_ASSERT_OK(ca);
    auto server_cert =
        (*ca)->Issue({"localhost",
                      {{pki::SubjectAltName::Kind::kIp, "127.0.0.1"}},
                      pki::LeafUsage::kServer,
                      1});
    CG_ASSERT_OK(server_cert);
    auto client_cert = (*ca)->Issue({"client", {}, pki::LeafUsage::kClient, 1});
    CG_ASSERT_OK(client_cert);
    auto ca_pem = (*ca)->CertificatePem();
    CG_ASSERT_OK(ca_pem);
    ca_pem_ = *ca_pem;
    client_ = *client_cert;

    auto acceptor = ConnectionAcceptor::Listen("127.0.0.1:0", INT_MAX);
    CG_ASSERT_OK(acceptor);
    acceptor_ = std::move(*acceptor);
    grpc::SslServerCredentialsOptions tls(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    tls.pem_root_certs = ca_pem_;
    tls.pem_key_cert_pairs.push_back(
        {server_cert->private_key_pem, server_cert->certificate_pem});
    NetworkSettings network;
    network.handshake_timeout = kHandshakeTimeout;
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    // A server needs a service of its own to start; the health service is
    // only added then.
    builder.RegisterCallbackGenericService(&unimplemented_);
    ConnectionAcceptor::Handler handler = ServeAcceptedConnections(
        builder, grpc::SslServerCredentials(tls), network);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    acceptor_->Start(std::move(handler));
  }

  void TearDown() override {
    if (acceptor_ != nullptr) acceptor_->Stop();
    if (server_ != nullptr) server_->Shutdown();
  }

  grpc::Status HealthCheck(bool with_client_certificate) {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = ca_pem_;
    if (with_client_certificate) {
      tls.pem_cert_chain = client_.certificate_pem;
      tls.pem_private_key = client_.private_key_pem;
    }
    auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
        acceptor_->LocalAddress(), grpc::SslCredentials(tls)));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    return stub->Check(&ctx, request, &response);
  }

  std::string ca_pem_;
  pki::PemCredential client_;
  grpc::CallbackGenericService unimplemented_;
  std::unique_ptr<ConnectionAcceptor> acceptor_;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(GrpcHandoffTest, MutualTlsCallsAreServed) {
  const grpc::Status status = HealthCheck(/*with_client_certificate=*/true);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_GE(acceptor_->counters().handed_over, 1u);
}

TEST_F(GrpcHandoffTest, ACallerWithoutClientCertificateIsRefused) {
  EXPECT_EQ(HealthCheck(/*with_client_certificate=*/false).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GrpcHandoffTest, AConnectionThatNeverStartsTlsIsClosedAtTheTimeout) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(acceptor_->port()));
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const absl::Time start = absl::Now();
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 10000), 1) << "still open after 10s";
  const absl::Duration open_for = absl::Now() - start;
  char byte;
  const ssize_t n = recv(fd, &byte, 1, 0);
  EXPECT_TRUE(n == 0 || (n < 0 && errno == ECONNRESET));
  EXPECT_GE(open_for, kHandshakeTimeout - absl::Milliseconds(50));
  EXPECT_LT(open_for, kHandshakeTimeout + absl::Seconds(2));
  close(fd);
}

TEST_F(GrpcHandoffTest, TheWatchdogProbeGetsAServerHello) {
  CG_EXPECT_OK(ProbeTlsServer(acceptor_->LocalAddress(), absl::Seconds(5)));
  // The server keeps serving callers after probes that left mid-handshake.
  CG_EXPECT_OK(ProbeTlsServer(acceptor_->LocalAddress(), absl::Seconds(5)));
  EXPECT_TRUE(HealthCheck(/*with_client_certificate=*/true).ok());
}

}  // namespace
}  // namespace caregate
