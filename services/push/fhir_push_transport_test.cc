// FhirPushTransport against an in-process HTTPS FHIR stub on 127.0.0.1 with
// real mTLS from a dev-init setup: the request, every status class, network
// errors and timeouts, TLS verification. What every transport must do is in
// push_transport_conformance_test.cc.
#include "services/push/fhir_push_transport.h"

#include <nlohmann/json.hpp>
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
using testing::FhirStub;
using ::testing::HasSubstr;
using testing::ResultCollector;
using testing::SignedMessage;
using ::testing::StartsWith;
using Outcome = PushResult::Outcome;

constexpr absl::Duration kWait = absl::Seconds(20);

fhir::MessageBundleContext TestContext(const v1::Message&) {
  fhir::MessageBundleContext context;
  context.gateway_id = "caregate.local/audit";
  context.source_endpoint = "spiffe://caregate.local/gateway-delivery";
  return context;
}

class FhirPushTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { setup_ = new DevSetup(); }
  static void TearDownTestSuite() { delete setup_; }

  static FhirPushOptions Options(const std::string& base_url) {
    FhirPushOptions options;
    options.base_url = base_url;
    options.ca_pem = setup_->Read(pki::kCaCertFile);
    options.client_cert_pem = setup_->Read(pki::kDeliveryCertFile);
    options.client_key_pem = setup_->Read(pki::kDeliveryKeyFile);
    options.attempt_timeout = absl::Seconds(10);
    options.bundle_context = TestContext;
    return options;
  }

  static std::unique_ptr<FhirPushTransport> Transport(FhirPushOptions options) {
    auto transport = FhirPushTransport::Create(std::move(options));
    EXPECT_TRUE(transport.ok()) << transport.status();
    return transport.ok() ? *std::move(transport) : nullptr;
  }

  static PushResult DeliverOne(PushTransport& transport,
                               const v1::Message& message) {
    ResultCollector results;
    EXPECT_TRUE(transport.TryDeliver(message, 1, results.Callback("one")));
    auto entries = results.WaitFor(1, kWait);
    EXPECT_EQ(entries.size(), 1u);
    return entries.empty() ? PushResult{} : entries.front().result;
  }
  static PushResult DeliverOne(PushTransport& transport) {
    return DeliverOne(transport, SignedMessage(setup_->signer(), "m-1"));
  }

  static DevSetup* setup_;
};

DevSetup* FhirPushTransportTest::setup_ = nullptr;

TEST_F(FhirPushTransportTest, PostsTheMessageBundleToProcessMessage) {
  FhirStub stub(*setup_);
  auto transport = Transport(Options(stub.base_url()));
  EXPECT_EQ(transport->url(), stub.base_url() + "/$process-message");
  const absl::Time before = absl::Now();
  PushResult result = DeliverOne(*transport);
  EXPECT_EQ(result.outcome, Outcome::kDelivered);
  EXPECT_FALSE(result.acknowledged);
  EXPECT_GE(result.received_at, before);
  auto received = stub.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].content_type, "application/fhir+json");
  EXPECT_EQ(received[0].client_identity,
            "spiffe://caregate.local/gateway-delivery");
  const auto bundle = nlohmann::json::parse(received[0].body);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "message");
  EXPECT_EQ(bundle["identifier"]["value"], "m-1");
  EXPECT_EQ(bundle["entry"][0]["resource"]["resourceType"], "MessageHeader");
  EXPECT_EQ(bundle["entry"][0]["resource"]["destination"][0]["endpoint"],
            stub.base_url());
}

TEST_F(FhirPushTransportTest, EveryStatusClassHasItsOutcome) {
  const std::vector<std::pair<int, Outcome>> cases = {
      {200, Outcome::kDelivered}, {201, Outcome::kDelivered},
      {202, Outcome::kDelivered}, {204, Outcome::kDelivered},
      {408, Outcome::kRetry},     {429, Outcome::kRetry},
      {500, Outcome::kRetry},     {502, Outcome::kRetry},
      {503, Outcome::kRetry},     {504, Outcome::kRetry},
      {599, Outcome::kRetry},     {400, Outcome::kFailed},
      {401, Outcome::kFailed},    {403, Outcome::kFailed},
      {404, Outcome::kFailed},    {409, Outcome::kFailed},
      {410, Outcome::kFailed},    {415, Outcome::kFailed},
      {422, Outcome::kFailed},    {301, Outcome::kFailed},
      {307, Outcome::kFailed},
  };
  FhirStub stub(*setup_);
  auto transport = Transport(Options(stub.base_url()));
  for (const auto& [status, outcome] : cases) {
    stub.Script({{status}});
    PushResult result = DeliverOne(*transport);
    EXPECT_EQ(result.outcome, outcome) << status;
    if (outcome != Outcome::kDelivered) {
      EXPECT_THAT(result.error, StartsWith(absl::StrCat("HTTP ", status)));
    }
  }
  EXPECT_EQ(stub.received().size(), cases.size());
}

TEST_F(FhirPushTransportTest, RedirectIsNotFollowed) {
  FhirStub stub(*setup_);
  stub.Script({{302}});
  auto transport = Transport(Options(stub.base_url()));
  PushResult result = DeliverOne(*transport);
  EXPECT_EQ(result.outcome, Outcome::kFailed);
  EXPECT_EQ(result.error, "HTTP 302 (redirects are not followed)");
  EXPECT_EQ(stub.received().size(), 1u);
}

TEST_F(FhirPushTransportTest, ServerCertificateMustNameTheHost) {
  // The server's CA is trusted, but its certificate names another host.
  testing::WriteForeignServerCertificate(*setup_, "other-host",
                                         "fhir.elsewhere.example");
  FhirStub stub(*setup_, "pki/other-host.crt", "pki/other-host.key");
  FhirPushOptions options = Options(stub.base_url());
  options.ca_pem = setup_->Read("pki/other-host-ca.crt");
  PushResult result = DeliverOne(*Transport(options));
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_THAT(result.error, StartsWith("network error: "));
  EXPECT_TRUE(stub.received().empty());
}

TEST_F(FhirPushTransportTest, MessageWithoutABundleFailsUnsent) {
  FhirStub stub(*setup_);
  auto transport = Transport(Options(stub.base_url()));
  v1::Message message = SignedMessage(setup_->signer(), "m-bad");
  message.clear_patient_id();
  PushResult result = DeliverOne(*transport, message);
  EXPECT_EQ(result.outcome, Outcome::kFailed);
  EXPECT_THAT(result.error, StartsWith("cannot build the FHIR bundle: "));
  EXPECT_THAT(result.error, HasSubstr("patient_id"));
  EXPECT_TRUE(stub.received().empty());
}

TEST_F(FhirPushTransportTest, CreateRefusesBadOptions) {
  FhirPushOptions plain = Options("http://127.0.0.1:1/r4");
  EXPECT_THAT(
      FhirPushTransport::Create(plain),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not https")));
  FhirPushOptions no_ca = Options("https://127.0.0.1:1/r4");
  no_ca.ca_pem.clear();
  EXPECT_THAT(FhirPushTransport::Create(no_ca),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("CA certificate required")));
  FhirPushOptions half = Options("https://127.0.0.1:1/r4");
  half.client_key_pem.clear();
  EXPECT_THAT(FhirPushTransport::Create(half),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("client certificate and key go together")));
  FhirPushOptions no_context = Options("https://127.0.0.1:1/r4");
  no_context.bundle_context = nullptr;
  EXPECT_THAT(FhirPushTransport::Create(no_context),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("bundle context")));
}

TEST(FhirPushResultTest, MapsPostResultsWithoutTheNetwork) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  HttpsPostLoop::Result cancelled;
  cancelled.cancelled = true;
  EXPECT_EQ(FhirPushResult(cancelled, now).error, "CANCELLED: shutting down");
  HttpsPostLoop::Result network;
  network.curl_code = 7;
  network.curl_error = "Couldn't connect to server";
  network.http_status = 200;  // ignored: no complete response
  EXPECT_EQ(FhirPushResult(network, now).outcome, Outcome::kRetry);
  HttpsPostLoop::Result ok;
  ok.http_status = 299;
  EXPECT_EQ(FhirPushResult(ok, now).outcome, Outcome::kDelivered);
  EXPECT_EQ(FhirPushResult(ok, now).received_at, now);
  HttpsPostLoop::Result informational;
  informational.http_status = 100;
  EXPECT_EQ(FhirPushResult(informational, now).outcome, Outcome::kFailed);
}

}  // namespace
}  // namespace caregate::push
