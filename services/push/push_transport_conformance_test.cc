// What every PushTransport must do, whatever it speaks: retry an endpoint
// that does not answer in time, refuses the connection or presents a
// certificate from another CA; at most max_in_flight attempts at once;
// callbacks off the calling thread; every attempt called back when the
// transport is destroyed; and an endpoint that hangs never delaying another.
// Run against real endpoint stubs (mTLS, 127.0.0.1) for the gRPC and the FHIR
// transport; a new transport joins by adding an Endpoint below.
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/push/fhir_push_transport.h"
#include "services/push/grpc_push_transport.h"
#include "services/push/push_test_support.h"

namespace caregate::push {
namespace {

using testing::DevSetup;
using testing::ResultCollector;
using testing::SignedMessage;
using Outcome = PushResult::Outcome;

constexpr absl::Duration kWait = absl::Seconds(20);

// An endpoint stub and the transport to it.
class Endpoint {
 public:
  virtual ~Endpoint() = default;
  // From now on every request is held until ReleaseHung (then answered with
  // a retryable error), or answered at once as delivered.
  virtual void SetHang(bool hang) = 0;
  virtual void ReleaseHung() = 0;
  virtual bool WaitForCalls(size_t count) = 0;
  virtual size_t calls() const = 0;
  // Stops the stub; its port then refuses connections.
  virtual void Stop() = 0;
  virtual std::unique_ptr<PushTransport> Transport(
      int max_in_flight, absl::Duration attempt_timeout) = 0;
};

// The stub serves `cert` and `key` (files of the setup).
class GrpcEndpoint : public Endpoint {
 public:
  GrpcEndpoint(const DevSetup& setup, std::string_view cert,
               std::string_view key)
      : setup_(setup),
        stub_(std::make_unique<testing::ReceiverStub>(setup, cert, key)),
        address_(stub_->address()) {}
  void SetHang(bool hang) override { stub_->SetDefault({.hang = hang}); }
  void ReleaseHung() override { stub_->ReleaseHung(); }
  bool WaitForCalls(size_t count) override {
    return stub_->WaitForCalls(count, kWait);
  }
  size_t calls() const override { return stub_->received().size(); }
  void Stop() override { stub_.reset(); }
  std::unique_ptr<PushTransport> Transport(int max_in_flight,
                                           absl::Duration timeout) override {
    auto transport = GrpcPushTransport::Create(
        {address_, "", setup_.Read(pki::kCaCertFile),
         setup_.Read(pki::kDeliveryCertFile),
         setup_.Read(pki::kDeliveryKeyFile), timeout, max_in_flight});
    EXPECT_TRUE(transport.ok()) << transport.status();
    return transport.ok() ? *std::move(transport) : nullptr;
  }

 private:
  const DevSetup& setup_;
  std::unique_ptr<testing::ReceiverStub> stub_;
  const std::string address_;
};

class FhirEndpoint : public Endpoint {
 public:
  FhirEndpoint(const DevSetup& setup, std::string_view cert,
               std::string_view key)
      : setup_(setup),
        stub_(std::make_unique<testing::FhirStub>(setup, cert, key)),
        base_url_(stub_->base_url()) {}
  void SetHang(bool hang) override { stub_->SetDefault({.hang = hang}); }
  void ReleaseHung() override { stub_->ReleaseHung(); }
  bool WaitForCalls(size_t count) override {
    return stub_->WaitForCalls(count, kWait);
  }
  size_t calls() const override { return stub_->received().size(); }
  void Stop() override { stub_.reset(); }
  std::unique_ptr<PushTransport> Transport(int max_in_flight,
                                           absl::Duration timeout) override {
    auto transport = FhirPushTransport::Create(
        {base_url_, setup_.Read(pki::kCaCertFile),
         setup_.Read(pki::kDeliveryCertFile),
         setup_.Read(pki::kDeliveryKeyFile), timeout, max_in_flight,
         [](const v1::Message&) {
           fhir::MessageBundleContext context;
           context.gateway_id = "caregate.local/audit";
           context.source_endpoint = "spiffe://caregate.local/gateway-delivery";
           return context;
         }});
    EXPECT_TRUE(transport.ok()) << transport.status();
    return transport.ok() ? *std::move(transport) : nullptr;
  }

 private:
  const DevSetup& setup_;
  std::unique_ptr<testing::FhirStub> stub_;
  const std::string base_url_;
};

struct Kind {
  std::string name;
  std::function<std::unique_ptr<Endpoint>(const DevSetup&, std::string_view,
                                          std::string_view)>
      make;
  // The error of an attempt that timed out after 300ms, and the start of
  // the error of a refused connection and of an untrusted certificate.
  std::string timeout_error;
  std::string refused_error;
  std::string untrusted_error;
};

class PushTransportConformanceTest : public ::testing::TestWithParam<Kind> {
 protected:
  static void SetUpTestSuite() { setup_ = new DevSetup(); }
  static void TearDownTestSuite() { delete setup_; }
  std::unique_ptr<Endpoint> NewEndpoint(
      std::string_view cert = pki::kReceiverCertFile,
      std::string_view key = pki::kReceiverKeyFile) {
    return GetParam().make(*setup_, cert, key);
  }
  static v1::Message Message(std::string_view id) {
    return SignedMessage(setup_->signer(), id);
  }
  static PushResult DeliverOne(PushTransport& transport) {
    ResultCollector results;
    EXPECT_TRUE(transport.TryDeliver(Message("m-1"), 1, results.Callback("")));
    auto entries = results.WaitFor(1, kWait);
    EXPECT_EQ(entries.size(), 1u);
    return entries.empty() ? PushResult{} : entries.front().result;
  }
  static DevSetup* setup_;
};

DevSetup* PushTransportConformanceTest::setup_ = nullptr;

TEST_P(PushTransportConformanceTest, EndpointThatDoesNotAnswerInTimeIsRetried) {
  auto endpoint = NewEndpoint();
  endpoint->SetHang(true);
  auto transport = endpoint->Transport(8, absl::Milliseconds(300));
  const absl::Time start = absl::Now();
  PushResult result = DeliverOne(*transport);
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_EQ(result.error, GetParam().timeout_error);
  EXPECT_GE(took, absl::Milliseconds(250));
  EXPECT_LT(took, absl::Seconds(5));
}

TEST_P(PushTransportConformanceTest, RefusedConnectionIsRetried) {
  auto endpoint = NewEndpoint();
  endpoint->Stop();
  PushResult result = DeliverOne(*endpoint->Transport(8, absl::Seconds(10)));
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_THAT(result.error, ::testing::StartsWith(GetParam().refused_error));
}

TEST_P(PushTransportConformanceTest, EndpointFromAnotherCaIsRetriedUncalled) {
  testing::WriteForeignServerCertificate(*setup_, "foreign", "127.0.0.1");
  auto endpoint = NewEndpoint("pki/foreign.crt", "pki/foreign.key");
  PushResult result = DeliverOne(*endpoint->Transport(8, absl::Seconds(10)));
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_THAT(result.error, ::testing::StartsWith(GetParam().untrusted_error));
  EXPECT_EQ(endpoint->calls(), 0u);
}

TEST_P(PushTransportConformanceTest, AtMostMaxInFlightAttemptsAtOnce) {
  auto endpoint = NewEndpoint();
  endpoint->SetHang(true);
  auto transport = endpoint->Transport(2, absl::Seconds(10));
  ResultCollector results;
  EXPECT_TRUE(transport->TryDeliver(Message("m-a"), 1, results.Callback("a")));
  EXPECT_TRUE(transport->TryDeliver(Message("m-b"), 1, results.Callback("b")));
  EXPECT_FALSE(
      transport->TryDeliver(Message("m-c"), 1, results.Callback("refused")));
  EXPECT_EQ(transport->in_flight(), 2);
  ASSERT_TRUE(endpoint->WaitForCalls(2));
  endpoint->ReleaseHung();
  auto entries = results.WaitFor(2, kWait);
  ASSERT_EQ(entries.size(), 2u);
  for (const auto& entry : entries) {
    EXPECT_NE(entry.tag, "refused");
    EXPECT_EQ(entry.result.outcome, Outcome::kRetry);
  }
  EXPECT_EQ(transport->in_flight(), 0);
  // A freed slot takes the next attempt.
  endpoint->SetHang(false);
  ASSERT_TRUE(transport->TryDeliver(Message("m-c"), 2, results.Callback("c")));
  entries = results.WaitFor(3, kWait);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[2].result.outcome, Outcome::kDelivered);
}

TEST_P(PushTransportConformanceTest, DestructionCallsBackEveryAttempt) {
  auto endpoint = NewEndpoint();
  endpoint->SetHang(true);
  auto transport = endpoint->Transport(8, absl::Seconds(10));
  ResultCollector results;
  ASSERT_TRUE(transport->TryDeliver(Message("m-1"), 1, results.Callback("1")));
  ASSERT_TRUE(transport->TryDeliver(Message("m-2"), 1, results.Callback("2")));
  ASSERT_TRUE(endpoint->WaitForCalls(2));
  transport.reset();
  // Called back before the destructor returned: no waiting here.
  auto entries = results.WaitFor(2, absl::ZeroDuration());
  ASSERT_EQ(entries.size(), 2u);
  for (const auto& entry : entries) {
    EXPECT_EQ(entry.result.outcome, Outcome::kRetry);
    EXPECT_EQ(entry.result.error, "CANCELLED: shutting down");
  }
}

TEST_P(PushTransportConformanceTest, CallbacksNeverRunOnTheCallingThread) {
  auto endpoint = NewEndpoint();
  auto transport = endpoint->Transport(8, absl::Seconds(10));
  absl::Mutex mu;
  std::vector<std::thread::id> threads;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(transport->TryDeliver(
        Message(absl::StrCat("m-t", i)), 1, [&](PushResult result) {
          EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.error;
          absl::MutexLock lock(&mu);
          threads.push_back(std::this_thread::get_id());
        }));
  }
  absl::MutexLock lock(&mu);
  auto five = [&threads] { return threads.size() == 5; };
  ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&five), kWait));
  for (const auto& id : threads) EXPECT_NE(id, std::this_thread::get_id());
}

// One endpoint hangs with every slot taken; another keeps its latency. The
// hung attempts end at their deadline (kHang); the healthy endpoint's
// deliveries, and TryDeliver on the hung one, must be an order of magnitude
// faster meanwhile. The figures go to the test log.
TEST_P(PushTransportConformanceTest, HungEndpointDoesNotDelayAnother) {
  constexpr absl::Duration kHang = absl::Seconds(5);
  constexpr int kHealthyDeliveries = 20;
  auto hung = NewEndpoint();
  hung->SetHang(true);
  auto healthy = NewEndpoint();
  auto hung_transport = hung->Transport(4, kHang);
  auto healthy_transport = healthy->Transport(8, absl::Seconds(10));

  ResultCollector hung_results;
  const absl::Time hung_start = absl::Now();
  absl::Duration longest_try = absl::ZeroDuration();
  for (int i = 0; i < 4; ++i) {
    const absl::Time before = absl::Now();
    ASSERT_TRUE(hung_transport->TryDeliver(Message(absl::StrCat("m-h", i)), 1,
                                           hung_results.Callback("hung")));
    longest_try = std::max(longest_try, absl::Now() - before);
  }
  EXPECT_FALSE(hung_transport->TryDeliver(Message("m-h-over"), 1,
                                          hung_results.Callback("over")));
  ASSERT_TRUE(hung->WaitForCalls(4));

  std::vector<absl::Duration> latencies;
  for (int i = 0; i < kHealthyDeliveries; ++i) {
    ResultCollector one;
    const absl::Time start = absl::Now();
    ASSERT_TRUE(healthy_transport->TryDeliver(Message(absl::StrCat("m-ok", i)),
                                              1, one.Callback("ok")));
    auto entries = one.WaitFor(1, kWait);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].result.outcome, Outcome::kDelivered);
    latencies.push_back(entries[0].at - start);
  }
  auto hung_entries = hung_results.WaitFor(4, kHang + kWait);
  ASSERT_EQ(hung_entries.size(), 4u);
  absl::Duration hung_latency = absl::InfiniteDuration();
  for (const auto& entry : hung_entries) {
    EXPECT_EQ(entry.tag, "hung");
    EXPECT_EQ(entry.result.outcome, Outcome::kRetry);
    hung_latency = std::min(hung_latency, entry.at - hung_start);
  }
  const testing::LatencySummary summary = testing::Summarize(latencies);
  std::cout << GetParam().name << " isolation: healthy endpoint p50 "
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

INSTANTIATE_TEST_SUITE_P(
    Transports, PushTransportConformanceTest,
    ::testing::Values(
        Kind{"Grpc",
             [](const DevSetup& setup, std::string_view cert,
                std::string_view key) -> std::unique_ptr<Endpoint> {
               return std::make_unique<GrpcEndpoint>(setup, cert, key);
             },
             "DEADLINE_EXCEEDED: no answer within 300ms",
             "UNAVAILABLE: failed to connect to all addresses",
             "UNAVAILABLE: failed to connect to all addresses"},
        Kind{"Fhir",
             [](const DevSetup& setup, std::string_view cert,
                std::string_view key) -> std::unique_ptr<Endpoint> {
               return std::make_unique<FhirEndpoint>(setup, cert, key);
             },
             "network error: Timeout was reached",
             "network error: Couldn't connect to server", "network error: "}),
    [](const ::testing::TestParamInfo<Kind>& info) { return info.param.name; });

}  // namespace
}  // namespace caregate::push
