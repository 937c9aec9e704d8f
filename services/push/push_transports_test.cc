// PushTransports from a dev-init config with delivery blocks: which clinic
// gets which transport, shared endpoints, file errors at startup, the FHIR
// bundle's context from the directory, and a delivery through each kind.
#include "services/push/push_transports.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/push/fhir_push_transport.h"
#include "services/push/grpc_push_transport.h"
#include "services/push/push_test_support.h"
#include "tests/testing/status_matchers.h"

namespace caregate::push {
namespace {

using ::caregate::testing::StatusIs;
using testing::ConfigWithEndpoints;
using testing::DevSetup;
using testing::FhirStub;
using ::testing::HasSubstr;
using testing::ReceiverStub;
using testing::ResultCollector;
using testing::SignedMessage;

constexpr absl::Duration kWait = absl::Seconds(20);

class PushTransportsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { setup_ = new DevSetup(); }
  static void TearDownTestSuite() { delete setup_; }
  static DevSetup* setup_;
};

DevSetup* PushTransportsTest::setup_ = nullptr;

TEST_F(PushTransportsTest, EachClinicWithAnEndpointGetsItsTransport) {
  auto config = ConfigWithEndpoints(
      *setup_, {{"lakeside-obgyn", "127.0.0.1:9443"},
                {"riverside-urology", "127.0.0.1:9443"},
                {"core-pelvic-pt", "https://127.0.0.1:9444/r4"}});
  ASSERT_NE(config, nullptr);
  auto transports = PushTransports::Create(config);
  CG_ASSERT_OK(transports);
  PushTransport* grpc = (*transports)->ForOrganization("lakeside-obgyn");
  PushTransport* fhir = (*transports)->ForOrganization("core-pelvic-pt");
  ASSERT_NE(grpc, nullptr);
  ASSERT_NE(fhir, nullptr);
  EXPECT_NE(dynamic_cast<GrpcPushTransport*>(grpc), nullptr);
  EXPECT_NE(dynamic_cast<FhirPushTransport*>(fhir), nullptr);
  EXPECT_EQ(grpc->endpoint(), "127.0.0.1:9443");
  EXPECT_EQ(fhir->endpoint(), "https://127.0.0.1:9444/r4");
  EXPECT_EQ(grpc->max_in_flight(), 8);
  // Same endpoint, same transport and cap.
  EXPECT_EQ((*transports)->ForOrganization("riverside-urology"), grpc);
  EXPECT_EQ((*transports)->all().size(), 2u);
  EXPECT_EQ((*transports)->ForOrganization("maple-primary-care"), nullptr);
  EXPECT_EQ((*transports)->ForOrganization("sunrise-therapy"), nullptr);
  EXPECT_EQ((*transports)->ForOrganization("nobody"), nullptr);
  EXPECT_EQ((*transports)->retry_policy().policy().max_attempts, 2000);
}

TEST_F(PushTransportsTest, PullOnlyConfigHasNoTransports) {
  auto transports = PushTransports::Create(ConfigWithEndpoints(*setup_, {}));
  CG_ASSERT_OK(transports);
  EXPECT_TRUE((*transports)->all().empty());
}

TEST_F(PushTransportsTest, UnreadableFilesStopTheStartNamingThem) {
  DevSetup setup;
  auto config =
      ConfigWithEndpoints(setup, {{"lakeside-obgyn", "127.0.0.1:9443"}});
  ASSERT_NE(config, nullptr);
  std::filesystem::remove(setup.Path(pki::kCaCertFile));
  EXPECT_THAT(PushTransports::Create(config),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("ca.crt: cannot read the CA bundle of the "
                                 "endpoint of lakeside-obgyn")));
  std::filesystem::remove(setup.Path(pki::kDeliveryKeyFile));
  EXPECT_THAT(PushTransports::Create(config),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("gateway-delivery.key: cannot read the "
                                 "delivery key")));
}

TEST_F(PushTransportsTest, BundleContextComesFromTheDirectory) {
  auto config = ConfigWithEndpoints(*setup_, {});
  ASSERT_NE(config, nullptr);
  v1::Message message = SignedMessage(setup_->signer(), "m-ctx");
  fhir::MessageBundleContext context = BundleContextFor(*config, message);
  EXPECT_EQ(context.gateway_id, "caregate.local/audit");
  EXPECT_EQ(context.source_endpoint,
            "spiffe://caregate.local/gateway-delivery");
  EXPECT_EQ(context.sender.display_name, "Alma Rivera, PhD");
  EXPECT_EQ(context.sender.npi, "1900001011");
  EXPECT_EQ(context.sender_practice.display_name, "Sunrise Therapy Collective");
  EXPECT_EQ(context.recipient_org.display_name, "Core Pelvic Physical Therapy");
  EXPECT_EQ(context.recipient_provider.display_name, "Elin Lindqvist, DPT");
  EXPECT_EQ(context.recipient_provider.npi, "1900001045");
  EXPECT_EQ(context.destination_endpoint, "");
}

TEST_F(PushTransportsTest, DeliversThroughBothKindsFromTheConfig) {
  ReceiverStub receiver(*setup_);
  receiver.SetDefault({grpc::StatusCode::OK, /*acknowledged=*/true});
  FhirStub fhir(*setup_);
  auto config =
      ConfigWithEndpoints(*setup_, {{"lakeside-obgyn", receiver.address()},
                                    {"core-pelvic-pt", fhir.base_url()}});
  ASSERT_NE(config, nullptr);
  auto transports = PushTransports::Create(config);
  CG_ASSERT_OK(transports);
  ResultCollector results;
  const v1::Message message = SignedMessage(setup_->signer(), "m-both");
  ASSERT_TRUE((*transports)
                  ->ForOrganization("lakeside-obgyn")
                  ->TryDeliver(message, 1, results.Callback("grpc")));
  ASSERT_TRUE((*transports)
                  ->ForOrganization("core-pelvic-pt")
                  ->TryDeliver(message, 1, results.Callback("fhir")));
  auto entries = results.WaitFor(2, kWait);
  ASSERT_EQ(entries.size(), 2u);
  for (const auto& entry : entries) {
    EXPECT_EQ(entry.result.outcome, PushResult::Outcome::kDelivered)
        << entry.tag << ": " << entry.result.error;
    EXPECT_EQ(entry.result.acknowledged, entry.tag == "grpc");
  }
  ASSERT_EQ(fhir.received().size(), 1u);
  // The directory's names reached the bundle.
  EXPECT_THAT(fhir.received()[0].body, HasSubstr("Elin Lindqvist, DPT"));
}

}  // namespace
}  // namespace caregate::push
