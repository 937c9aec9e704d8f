// GrpcPushTransport against an in-process CareReceiver on 127.0.0.1 with
// real mTLS from a dev-init setup: every status code's outcome, timeouts and
// TLS failures. What every transport must do (the in-flight cap, shutdown,
// isolation) is in push_transport_conformance_test.cc.
#include "services/push/grpc_push_transport.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/push/push_test_support.h"
#include "tests/testing/status_matchers.h"

namespace caregate::push {
namespace {

using ::caregate::testing::StatusIs;
using testing::DevSetup;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReceiverStub;
using testing::ResultCollector;
using testing::SignedMessage;
using ::testing::StartsWith;
using Outcome = PushResult::Outcome;

constexpr absl::Duration kWait = absl::Seconds(20);

class GrpcPushTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { setup_ = new DevSetup(); }
  static void TearDownTestSuite() { delete setup_; }

  static GrpcPushOptions Options(const std::string& endpoint) {
    GrpcPushOptions options;
    options.endpoint = endpoint;
    options.ca_pem = setup_->Read(pki::kCaCertFile);
    options.client_cert_pem = setup_->Read(pki::kDeliveryCertFile);
    options.client_key_pem = setup_->Read(pki::kDeliveryKeyFile);
    options.attempt_timeout = absl::Seconds(10);
    return options;
  }

  static std::unique_ptr<GrpcPushTransport> Transport(GrpcPushOptions options) {
    auto transport = GrpcPushTransport::Create(std::move(options));
    EXPECT_TRUE(transport.ok()) << transport.status();
    return transport.ok() ? *std::move(transport) : nullptr;
  }

  // Delivers one message and waits for its result.
  static PushResult DeliverOne(PushTransport& transport, int attempt = 1) {
    ResultCollector results;
    EXPECT_TRUE(transport.TryDeliver(SignedMessage(setup_->signer(), "m-1"),
                                     attempt, results.Callback("m-1")));
    auto entries = results.WaitFor(1, kWait);
    EXPECT_EQ(entries.size(), 1u);
    return entries.empty() ? PushResult{} : entries.front().result;
  }

  static DevSetup* setup_;
};

DevSetup* GrpcPushTransportTest::setup_ = nullptr;

TEST_F(GrpcPushTransportTest, OkIsDeliveredWithTheReceiversAcknowledgement) {
  ReceiverStub stub(*setup_);
  stub.SetDefault({grpc::StatusCode::OK, /*acknowledged=*/true});
  auto transport = Transport(Options(stub.address()));
  const absl::Time before = absl::Now();
  PushResult result = DeliverOne(*transport, 3);
  EXPECT_EQ(result.outcome, Outcome::kDelivered);
  EXPECT_TRUE(result.acknowledged);
  EXPECT_GE(result.received_at, before - absl::Seconds(1));
  EXPECT_LE(result.received_at, absl::Now() + absl::Seconds(1));
  EXPECT_EQ(result.error, "");
  auto received = stub.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].message_id, "m-1");
  EXPECT_EQ(received[0].attempt, 3);
  EXPECT_EQ(received[0].client_identity,
            "spiffe://caregate.local/gateway-delivery");
}

TEST_F(GrpcPushTransportTest, OkWithoutAcknowledgementIsDeliveredOnly) {
  ReceiverStub stub(*setup_);
  auto transport = Transport(Options(stub.address()));
  PushResult result = DeliverOne(*transport);
  EXPECT_EQ(result.outcome, Outcome::kDelivered);
  EXPECT_FALSE(result.acknowledged);
}

TEST_F(GrpcPushTransportTest, EveryStatusCodeHasItsOutcome) {
  const std::vector<std::pair<grpc::StatusCode, Outcome>> cases = {
      {grpc::StatusCode::CANCELLED, Outcome::kFailed},
      {grpc::StatusCode::UNKNOWN, Outcome::kFailed},
      {grpc::StatusCode::INVALID_ARGUMENT, Outcome::kFailed},
      {grpc::StatusCode::DEADLINE_EXCEEDED, Outcome::kRetry},
      {grpc::StatusCode::NOT_FOUND, Outcome::kFailed},
      {grpc::StatusCode::ALREADY_EXISTS, Outcome::kFailed},
      {grpc::StatusCode::PERMISSION_DENIED, Outcome::kFailed},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, Outcome::kRetry},
      {grpc::StatusCode::FAILED_PRECONDITION, Outcome::kFailed},
      {grpc::StatusCode::ABORTED, Outcome::kRetry},
      {grpc::StatusCode::OUT_OF_RANGE, Outcome::kFailed},
      {grpc::StatusCode::UNIMPLEMENTED, Outcome::kFailed},
      {grpc::StatusCode::INTERNAL, Outcome::kRetry},
      {grpc::StatusCode::UNAVAILABLE, Outcome::kRetry},
      {grpc::StatusCode::DATA_LOSS, Outcome::kFailed},
      {grpc::StatusCode::UNAUTHENTICATED, Outcome::kFailed},
  };
  ReceiverStub stub(*setup_);
  auto transport = Transport(Options(stub.address()));
  for (const auto& [code, outcome] : cases) {
    stub.Script({{code}});
    PushResult result = DeliverOne(*transport);
    const std::string name =
        absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
    EXPECT_EQ(result.outcome, outcome) << name;
    EXPECT_THAT(result.error, StartsWith(name));
    // The receiver's status message is not copied.
    EXPECT_THAT(result.error, Not(HasSubstr("CANARY"))) << name;
  }
}

TEST_F(GrpcPushTransportTest, ServerNameMustMatchTheCertificate) {
  ReceiverStub stub(*setup_);
  GrpcPushOptions wrong = Options(stub.address());
  wrong.server_name = "receiver.elsewhere.example";
  EXPECT_EQ(DeliverOne(*Transport(wrong)).outcome, Outcome::kRetry);
  EXPECT_TRUE(stub.received().empty());
  GrpcPushOptions right = Options(stub.address());
  right.server_name = "localhost";
  EXPECT_EQ(DeliverOne(*Transport(right)).outcome, Outcome::kDelivered);
}

TEST_F(GrpcPushTransportTest, ReceiverRefusesAClientCertificateFromAnotherCa) {
  ReceiverStub stub(*setup_);
  GrpcPushOptions options = Options(stub.address());
  // A certificate from another CA: the receiver's handshake refuses it.
  testing::WriteForeignServerCertificate(*setup_, "other-client", "x.example");
  options.client_cert_pem = setup_->Read("pki/other-client.crt");
  options.client_key_pem = setup_->Read("pki/other-client.key");
  EXPECT_EQ(DeliverOne(*Transport(options)).outcome, Outcome::kRetry);
  EXPECT_TRUE(stub.received().empty());
}

TEST_F(GrpcPushTransportTest, CreateRefusesMissingCredentials) {
  GrpcPushOptions no_ca = Options("127.0.0.1:1");
  no_ca.ca_pem.clear();
  EXPECT_THAT(GrpcPushTransport::Create(no_ca),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("CA certificate required")));
  GrpcPushOptions no_key = Options("127.0.0.1:1");
  no_key.client_key_pem.clear();
  EXPECT_THAT(GrpcPushTransport::Create(no_key),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("delivery client certificate and key")));
}

TEST(GrpcPushResultTest, MapsAnswersWithoutTheNetwork) {
  receiver::v1::DeliverResponse response;
  response.set_acknowledged(true);
  response.mutable_received_at()->set_seconds(1700000000);
  const absl::Time now = absl::FromUnixSeconds(1800000000);
  PushResult ok =
      GrpcPushResult(grpc::Status::OK, response, absl::Seconds(1), false, now);
  EXPECT_EQ(ok.outcome, Outcome::kDelivered);
  EXPECT_EQ(ok.received_at, absl::FromUnixSeconds(1700000000));
  PushResult without_time =
      GrpcPushResult(grpc::Status::OK, receiver::v1::DeliverResponse(),
                     absl::Seconds(1), false, now);
  EXPECT_EQ(without_time.received_at, now);
  PushResult shutting_down =
      GrpcPushResult(grpc::Status(grpc::StatusCode::CANCELLED, ""), response,
                     absl::Seconds(1), true, now);
  EXPECT_EQ(shutting_down.outcome, Outcome::kRetry);
  PushResult transport_text = GrpcPushResult(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "Socket closed\x01 by peer"),
      response, absl::Seconds(1), false, now);
  EXPECT_EQ(transport_text.error, "UNAVAILABLE: Socket closed? by peer");
}

}  // namespace
}  // namespace caregate::push
