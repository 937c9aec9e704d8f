// FhirPushTransport against an in-process HTTPS FHIR stub on 127.0.0.1 with
// real mTLS from a dev-init setup: the request, every status class, network
// errors and timeouts, TLS verification, the in-flight cap, shutdown, and
// isolation between endpoints.
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

TEST_F(FhirPushTransportTest, ServerThatDoesNotAnswerInTimeIsRetried) {
  FhirStub stub(*setup_);
  stub.SetDefault({.hang = true});
  FhirPushOptions options = Options(stub.base_url());
  options.attempt_timeout = absl::Milliseconds(300);
  auto transport = Transport(options);
  const absl::Time start = absl::Now();
  PushResult result = DeliverOne(*transport);
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_EQ(result.error, "network error: Timeout was reached");
  EXPECT_GE(took, absl::Milliseconds(250));
  EXPECT_LT(took, absl::Seconds(5));
}

TEST_F(FhirPushTransportTest, RefusedConnectionIsRetried) {
  std::string base_url;
  {
    FhirStub gone(*setup_);
    base_url = gone.base_url();
  }
  auto transport = Transport(Options(base_url));
  PushResult result = DeliverOne(*transport);
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_EQ(result.error, "network error: Couldn't connect to server");
}

TEST_F(FhirPushTransportTest, ServerFromAnotherCaIsRetriedAndNeverPosted) {
  testing::WriteForeignServerCertificate(*setup_, "foreign-fhir", "127.0.0.1");
  FhirStub stub(*setup_, "pki/foreign-fhir.crt", "pki/foreign-fhir.key");
  auto transport = Transport(Options(stub.base_url()));
  PushResult result = DeliverOne(*transport);
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_THAT(result.error, StartsWith("network error: "));
  EXPECT_TRUE(stub.received().empty());
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

TEST_F(FhirPushTransportTest, AtMostMaxInFlightAttemptsAtOnce) {
  FhirStub stub(*setup_);
  stub.SetDefault({.hang = true});
  FhirPushOptions options = Options(stub.base_url());
  options.max_in_flight = 2;
  auto transport = Transport(options);
  ResultCollector results;
  const v1::Message message = SignedMessage(setup_->signer(), "m-cap");
  EXPECT_TRUE(transport->TryDeliver(message, 1, results.Callback("a")));
  EXPECT_TRUE(transport->TryDeliver(message, 1, results.Callback("b")));
  EXPECT_FALSE(transport->TryDeliver(message, 1, results.Callback("refused")));
  EXPECT_EQ(transport->in_flight(), 2);
  ASSERT_TRUE(stub.WaitForCalls(2, kWait));
  stub.ReleaseHung();
  auto entries = results.WaitFor(2, kWait);
  ASSERT_EQ(entries.size(), 2u);
  for (const auto& entry : entries) {
    EXPECT_NE(entry.tag, "refused");
    EXPECT_EQ(entry.result.outcome, Outcome::kRetry);
    EXPECT_EQ(entry.result.error, "HTTP 503");
  }
  EXPECT_EQ(transport->in_flight(), 0);
  stub.SetDefault({});
  EXPECT_EQ(DeliverOne(*transport).outcome, Outcome::kDelivered);
}

TEST_F(FhirPushTransportTest, DestructionCallsBackEveryAttemptInFlight) {
  FhirStub stub(*setup_);
  stub.SetDefault({.hang = true});
  auto transport = Transport(Options(stub.base_url()));
  ResultCollector results;
  ASSERT_TRUE(transport->TryDeliver(SignedMessage(setup_->signer(), "m-2"), 1,
                                    results.Callback("m-2")));
  ASSERT_TRUE(stub.WaitForCalls(1, kWait));
  transport.reset();
  auto entries = results.WaitFor(1, absl::ZeroDuration());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].result.outcome, Outcome::kRetry);
  EXPECT_EQ(entries[0].result.error, "CANCELLED: shutting down");
}

TEST_F(FhirPushTransportTest, CallbacksNeverRunOnTheCallingThread) {
  FhirStub stub(*setup_);
  auto transport = Transport(Options(stub.base_url()));
  absl::Mutex mu;
  std::vector<std::thread::id> threads;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(transport->TryDeliver(
        SignedMessage(setup_->signer(), absl::StrCat("m-t", i)), 1,
        [&](PushResult) {
          absl::MutexLock lock(&mu);
          threads.push_back(std::this_thread::get_id());
        }));
  }
  absl::MutexLock lock(&mu);
  auto five = [&threads] { return threads.size() == 5; };
  ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&five), kWait));
  for (const auto& id : threads) EXPECT_NE(id, std::this_thread::get_id());
}

// See the gRPC test of the same name.
TEST_F(FhirPushTransportTest, HungEndpointDoesNotDelayAnother) {
  constexpr absl::Duration kHang = absl::Seconds(5);
  constexpr int kHealthyDeliveries = 20;
  FhirStub hung(*setup_);
  hung.SetDefault({.hang = true});
  FhirStub healthy(*setup_);
  FhirPushOptions hung_options = Options(hung.base_url());
  hung_options.attempt_timeout = kHang;
  hung_options.max_in_flight = 4;
  auto hung_transport = Transport(hung_options);
  auto healthy_transport = Transport(Options(healthy.base_url()));

  ResultCollector hung_results;
  const absl::Time hung_start = absl::Now();
  absl::Duration longest_try = absl::ZeroDuration();
  for (int i = 0; i < 4; ++i) {
    const absl::Time before = absl::Now();
    ASSERT_TRUE(hung_transport->TryDeliver(
        SignedMessage(setup_->signer(), absl::StrCat("m-h", i)), 1,
        hung_results.Callback("hung")));
    longest_try = std::max(longest_try, absl::Now() - before);
  }
  EXPECT_FALSE(
      hung_transport->TryDeliver(SignedMessage(setup_->signer(), "m-h-over"), 1,
                                 hung_results.Callback("over")));
  ASSERT_TRUE(hung.WaitForCalls(4, kWait));

  std::vector<absl::Duration> latencies;
  for (int i = 0; i < kHealthyDeliveries; ++i) {
    ResultCollector one;
    const absl::Time start = absl::Now();
    ASSERT_TRUE(healthy_transport->TryDeliver(
        SignedMessage(setup_->signer(), absl::StrCat("m-ok", i)), 1,
        one.Callback("ok")));
    auto entries = one.WaitFor(1, kWait);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].result.outcome, Outcome::kDelivered);
    latencies.push_back(entries[0].at - start);
  }
  auto hung_entries = hung_results.WaitFor(4, kHang + kWait);
  ASSERT_EQ(hung_entries.size(), 4u);
  absl::Duration hung_latency = absl::InfiniteDuration();
  for (const auto& entry : hung_entries) {
    EXPECT_EQ(entry.result.outcome, Outcome::kRetry);
    hung_latency = std::min(hung_latency, entry.at - hung_start);
  }
  const testing::LatencySummary summary = testing::Summarize(latencies);
  std::cout << "FHIR isolation: healthy endpoint p50 "
            << absl::FormatDuration(summary.p50) << ", max "
            << absl::FormatDuration(summary.max) << " over "
            << kHealthyDeliveries
            << " deliveries; hung endpoint answered after "
            << absl::FormatDuration(hung_latency)
            << "; longest TryDeliver on the hung endpoint "
            << absl::FormatDuration(longest_try) << "\n";
  EXPECT_LT(summary.max * 10, hung_latency);
  EXPECT_LT(longest_try * 10, hung_latency);
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
