// ReceiverServer in process, spoken to by the gateway's own GrpcPushTransport
// over real mTLS with dev-init certificates.
#include "services/receiver/receiver_server.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/push/grpc_push_transport.h"
#include "services/push/push_test_support.h"
#include "tests/testing/status_matchers.h"

namespace caregate::care_receiver {
namespace {

namespace fs = std::filesystem;
using ::caregate::testing::StatusIs;
using push::PushResult;
using push::testing::DevSetup;
using push::testing::ResultCollector;
using push::testing::SignedMessage;
using ::testing::HasSubstr;
using Outcome = PushResult::Outcome;

class ReceiverServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { setup_ = new DevSetup(); }
  static void TearDownTestSuite() { delete setup_; }
  void SetUp() override {
    static int n = 0;
    out_ = setup_->Path("inbox-" + std::to_string(++n));
  }

  ReceiverOptions Options() const {
    ReceiverOptions options;
    options.listen = "127.0.0.1:0";
    options.tls_cert_file = setup_->Path(pki::kReceiverCertFile);
    options.tls_key_file = setup_->Path(pki::kReceiverKeyFile);
    options.ca_file = setup_->Path(pki::kCaCertFile);
    options.pubkey_file = setup_->Path(pki::kAuditSigningPublicKeyFile);
    options.out_dir = out_;
    return options;
  }

  static std::unique_ptr<ReceiverServer> Start(const ReceiverOptions& options) {
    auto server = ReceiverServer::Start(options);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }

  // The gateway's transport to `address`, with its delivery certificate.
  static std::unique_ptr<push::GrpcPushTransport> Gateway(
      const std::string& address,
      std::string_view cert = pki::kDeliveryCertFile,
      std::string_view key = pki::kDeliveryKeyFile) {
    push::GrpcPushOptions options;
    options.endpoint = address;
    options.ca_pem = setup_->Read(pki::kCaCertFile);
    options.client_cert_pem = setup_->Read(cert);
    options.client_key_pem = setup_->Read(key);
    options.attempt_timeout = absl::Seconds(10);
    auto transport = push::GrpcPushTransport::Create(options);
    EXPECT_TRUE(transport.ok()) << transport.status();
    return transport.ok() ? *std::move(transport) : nullptr;
  }

  static PushResult Push(push::PushTransport& transport,
                         const v1::Message& message, int attempt) {
    ResultCollector results;
    EXPECT_TRUE(transport.TryDeliver(message, attempt, results.Callback("")));
    auto entries = results.WaitFor(1, absl::Seconds(20));
    EXPECT_EQ(entries.size(), 1u);
    return entries.empty() ? PushResult{} : entries[0].result;
  }

  size_t FileCount() const {
    if (!fs::exists(out_)) return 0;
    return std::distance(fs::directory_iterator(out_),
                         fs::directory_iterator());
  }

  static DevSetup* setup_;
  std::string out_;
};

DevSetup* ReceiverServerTest::setup_ = nullptr;

TEST_F(ReceiverServerTest,
       MessageDeliveredThriceIsWrittenOnceAlsoAfterRestart) {
  const v1::Message message = SignedMessage(setup_->signer(), "m-1");
  absl::Time received_at;
  {
    auto server = Start(Options());
    auto gateway = Gateway(server->address());
    for (int attempt = 1; attempt <= 3; ++attempt) {
      PushResult result = Push(*gateway, message, attempt);
      EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.error;
      if (attempt == 1) received_at = result.received_at;
      EXPECT_EQ(result.received_at, received_at);
    }
    EXPECT_EQ(FileCount(), 2u);
    EXPECT_EQ(server->handler().store().size(), 1u);
  }
  auto restarted = Start(Options());
  PushResult again = Push(*Gateway(restarted->address()), message, 4);
  EXPECT_EQ(again.outcome, Outcome::kDelivered) << again.error;
  EXPECT_EQ(again.received_at, received_at);
  EXPECT_EQ(FileCount(), 2u);
  EXPECT_TRUE(fs::exists(fs::path(out_) / "m-1.message.json"));
  EXPECT_TRUE(fs::exists(fs::path(out_) / "m-1.bundle.json"));
}

TEST_F(ReceiverServerTest, TamperedMessageFailsAtOnceAndIsNotWritten) {
  auto server = Start(Options());
  v1::Message message = SignedMessage(setup_->signer(), "m-2");
  message.mutable_sections(1)->set_title("Changed title");
  PushResult result = Push(*Gateway(server->address()), message, 1);
  EXPECT_EQ(result.outcome, Outcome::kFailed);
  EXPECT_EQ(result.error, "INVALID_ARGUMENT");
  EXPECT_EQ(FileCount(), 0u);
}

TEST_F(ReceiverServerTest, AckFlagIsReported) {
  ReceiverOptions options = Options();
  options.acknowledge = true;
  auto acking = Start(options);
  PushResult acked = Push(*Gateway(acking->address()),
                          SignedMessage(setup_->signer(), "m-3"), 1);
  EXPECT_EQ(acked.outcome, Outcome::kDelivered);
  EXPECT_TRUE(acked.acknowledged);
  out_ += "-plain";
  auto plain = Start(Options());
  PushResult not_acked = Push(*Gateway(plain->address()),
                              SignedMessage(setup_->signer(), "m-3"), 1);
  EXPECT_EQ(not_acked.outcome, Outcome::kDelivered);
  EXPECT_FALSE(not_acked.acknowledged);
}

TEST_F(ReceiverServerTest, ClientUriLimitsWhoMayDeliver) {
  ReceiverOptions options = Options();
  options.client_uri = "spiffe://caregate.local/gateway-delivery";
  auto server = Start(options);
  // A principal's certificate from the same CA: a valid handshake, refused.
  PushResult other = Push(
      *Gateway(server->address(), "pki/dr-rivera.crt", "pki/dr-rivera.key"),
      SignedMessage(setup_->signer(), "m-4"), 1);
  EXPECT_EQ(other.outcome, Outcome::kFailed);
  EXPECT_EQ(other.error, "PERMISSION_DENIED");
  EXPECT_EQ(FileCount(), 0u);
  PushResult gateway = Push(*Gateway(server->address()),
                            SignedMessage(setup_->signer(), "m-4"), 1);
  EXPECT_EQ(gateway.outcome, Outcome::kDelivered);
}

TEST_F(ReceiverServerTest, ClientFromAnotherCaFailsTheHandshake) {
  auto server = Start(Options());
  push::testing::WriteForeignServerCertificate(*setup_, "stranger",
                                               "stranger.example");
  PushResult result =
      Push(*Gateway(server->address(), "pki/stranger.crt", "pki/stranger.key"),
           SignedMessage(setup_->signer(), "m-5"), 1);
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_EQ(FileCount(), 0u);
}

TEST_F(ReceiverServerTest, StartNamesWhatIsMissing) {
  ReceiverOptions no_pubkey = Options();
  no_pubkey.pubkey_file.clear();
  EXPECT_THAT(ReceiverServer::Start(no_pubkey),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--pubkey is required")));
  ReceiverOptions missing_key = Options();
  missing_key.pubkey_file = setup_->Path("keys/nowhere.pem");
  EXPECT_THAT(ReceiverServer::Start(missing_key),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nowhere.pem")));
  ReceiverOptions missing_cert = Options();
  missing_cert.tls_cert_file = setup_->Path("pki/nowhere.crt");
  EXPECT_THAT(ReceiverServer::Start(missing_cert),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nowhere.crt")));
}

}  // namespace
}  // namespace caregate::care_receiver
