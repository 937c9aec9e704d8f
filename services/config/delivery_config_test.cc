// Push-delivery config: Organization.delivery, KeyFiles.delivery_*, and
// GatewayConfig.delivery_policy, through GatewayConfig::FromText so that
// every error is checked as an operator sees it (file, line, field).
#include "services/config/delivery_config.h"

#include <string>

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/config/gateway_config.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

// A valid config with one practice and one clinic that takes pushes over
// gRPC. DELIVERY, KEYS and POLICY are replaced by the tests.
// clang-format off
constexpr char kTemplate[] = R"pb(
listen_address: "127.0.0.1:7443"
tls { ca_cert_file: "pki/ca.crt" server_cert_file: "pki/server.crt" server_key_file: "pki/server.key" }
trust_domain: "caregate.local"
principals { principal_id: "dr-rivera" role: ROLE_THERAPIST org_id: "sunrise-therapy" }
directory {
  organizations {
    org_id: "sunrise-therapy"
    display_name: "Sunrise Therapy"
    kind: ORGANIZATION_KIND_THERAPY_PRACTICE
    PRACTICE_DELIVERY
  }
  organizations {
    org_id: "lakeside-obgyn"
    display_name: "Lakeside OB/GYN"
    kind: ORGANIZATION_KIND_PARTNER_CLINIC
    DELIVERY
  }
}
storage { sqlite { path: "data/caregate.db" } }
keys {
  audit_signing_key_file: "keys/a.key.pem"
  audit_signing_public_key_file: "keys/a.pub.pem"
  data_key_file: "keys/data.key"
  data_key_id: "dev-1"
  KEYS
}
redisclosure_notice: "Redisclosure is prohibited."
checkpoint_origin: "caregate.local/audit"
POLICY
)pb";
// clang-format on

constexpr char kGrpcDelivery[] = R"pb(grpc {
                                        endpoint: "127.0.0.1:9443"
                                        ca_cert_file: "pki/ca.crt"
                                        server_name: "localhost"
                                      })pb";
constexpr char kDeliveryKeys[] =
    R"pb(delivery_cert_file: "pki/gateway-delivery.crt"
         delivery_key_file: "pki/gateway-delivery.key")pb";

struct Parts {
  std::string delivery = kGrpcDelivery;
  std::string keys = kDeliveryKeys;
  std::string policy;
  std::string practice_delivery;
};

absl::StatusOr<std::shared_ptr<const GatewayConfig>> Parse(const Parts& parts) {
  const std::string text = absl::StrReplaceAll(
      kTemplate, {{"PRACTICE_DELIVERY", parts.practice_delivery},
                  {"DELIVERY", parts.delivery},
                  {"KEYS", parts.keys},
                  {"POLICY", parts.policy}});
  return GatewayConfig::FromText(text, "test.textproto", "/etc/caregate");
}

const DeliveryEndpoint& ClinicEndpoint(const GatewayConfig& config) {
  return config.directory().FindOrganization("lakeside-obgyn")->delivery;
}

TEST(DeliveryConfigTest, GrpcEndpointIsReadWithPathsResolved) {
  auto config = Parse({});
  CG_ASSERT_OK(config);
  const DeliveryEndpoint& endpoint = ClinicEndpoint(**config);
  EXPECT_EQ(endpoint.kind, DeliveryEndpoint::Kind::kGrpc);
  EXPECT_EQ(endpoint.address, "127.0.0.1:9443");
  EXPECT_EQ(endpoint.ca_cert_file, "/etc/caregate/pki/ca.crt");
  EXPECT_EQ(endpoint.server_name, "localhost");
  EXPECT_EQ((*config)->delivery_cert_file(),
            "/etc/caregate/pki/gateway-delivery.crt");
  EXPECT_EQ((*config)->delivery_key_file(),
            "/etc/caregate/pki/gateway-delivery.key");
  EXPECT_EQ(
      (*config)->directory().FindOrganization("sunrise-therapy")->delivery.kind,
      DeliveryEndpoint::Kind::kNone);
}

TEST(DeliveryConfigTest, FhirEndpointDropsTrailingSlashes) {
  Parts parts;
  parts.delivery = R"pb(fhir {
                          base_url: "https://fhir.lakeside.example/r4//"
                          ca_cert_file: "/etc/ssl/clinic.pem"
                        })pb";
  auto config = Parse(parts);
  CG_ASSERT_OK(config);
  const DeliveryEndpoint& endpoint = ClinicEndpoint(**config);
  EXPECT_EQ(endpoint.kind, DeliveryEndpoint::Kind::kFhir);
  EXPECT_EQ(endpoint.address, "https://fhir.lakeside.example/r4");
  EXPECT_EQ(endpoint.ca_cert_file, "/etc/ssl/clinic.pem");
}

TEST(DeliveryConfigTest, PullOnlyNeedsNoDeliveryKeysAndHasDefaults) {
  Parts parts;
  parts.delivery = "";
  parts.keys = "";
  auto config = Parse(parts);
  CG_ASSERT_OK(config);
  EXPECT_EQ(ClinicEndpoint(**config).kind, DeliveryEndpoint::Kind::kNone);
  EXPECT_EQ((*config)->delivery_cert_file(), "");
  const DeliveryPolicyConfig& policy = (*config)->delivery_policy();
  EXPECT_EQ(policy.initial_backoff, absl::Seconds(1));
  EXPECT_EQ(policy.max_backoff, absl::Minutes(5));
  EXPECT_EQ(policy.max_attempts, 2000);
  EXPECT_EQ(policy.max_age, absl::Hours(72));
  EXPECT_EQ(policy.max_in_flight_per_endpoint, 8);
  EXPECT_EQ(policy.attempt_timeout, absl::Seconds(30));
}

TEST(DeliveryConfigTest, PolicyOverridesDefaults) {
  Parts parts;
  parts.policy = R"pb(delivery_policy {
                        initial_backoff { nanos: 250000000 }
                        max_backoff { seconds: 60 }
                        max_attempts: 5
                        max_age { seconds: 3600 }
                        max_in_flight_per_endpoint: 2
                        attempt_timeout { seconds: 5 }
                      })pb";
  auto config = Parse(parts);
  CG_ASSERT_OK(config);
  const DeliveryPolicyConfig& policy = (*config)->delivery_policy();
  EXPECT_EQ(policy.initial_backoff, absl::Milliseconds(250));
  EXPECT_EQ(policy.max_backoff, absl::Seconds(60));
  EXPECT_EQ(policy.max_attempts, 5);
  EXPECT_EQ(policy.max_age, absl::Hours(1));
  EXPECT_EQ(policy.max_in_flight_per_endpoint, 2);
  EXPECT_EQ(policy.attempt_timeout, absl::Seconds(5));
}

TEST(DeliveryConfigTest, PracticeMayNotHaveADeliveryBlock) {
  Parts parts;
  parts.practice_delivery = kGrpcDelivery;
  // Line 11 holds the practice's grpc block.
  EXPECT_THAT(
      Parse(parts),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("test.textproto:11: directory.organizations[0].grpc: "
                         "only a partner clinic")));
  parts.practice_delivery =
      R"pb(fhir { base_url: "https://x.example" ca_cert_file: "ca.pem" })pb";
  EXPECT_THAT(Parse(parts),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("directory.organizations[0].fhir: only a "
                                 "partner clinic")));
}

struct BadCase {
  std::string delivery;
  std::string expected;
};

class BadEndpointTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadEndpointTest, NamesTheField) {
  Parts parts;
  parts.delivery = GetParam().delivery;
  EXPECT_THAT(Parse(parts), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("directory.organizations[1]." +
                                               GetParam().expected)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadEndpointTest,
    ::testing::Values(
        BadCase{R"pb(grpc { ca_cert_file: "ca.pem" })pb",
                "grpc.endpoint: required"},
        BadCase{R"pb(grpc { endpoint: "receiver" ca_cert_file: "ca.pem" })pb",
                "grpc.endpoint: must be host:port"},
        BadCase{R"pb(grpc { endpoint: "r:0" ca_cert_file: "ca.pem" })pb",
                "grpc.endpoint: must be host:port"},
        BadCase{R"pb(grpc { endpoint: "r:99999" ca_cert_file: "ca.pem" })pb",
                "grpc.endpoint: must be host:port"},
        BadCase{R"pb(grpc { endpoint: "::1:9443" ca_cert_file: "ca.pem" })pb",
                "grpc.endpoint: must be host:port"},
        BadCase{R"pb(grpc { endpoint: "r:9443" })pb",
                "grpc.ca_cert_file: required"},
        BadCase{R"pb(grpc {
                       endpoint: "r:1"
                       ca_cert_file: "c"
                       server_name: "a b"
                     })pb",
                "grpc.server_name: must be a host name"},
        BadCase{R"pb(fhir { ca_cert_file: "ca.pem" })pb",
                "fhir.base_url: required"},
        BadCase{R"pb(fhir {
                       base_url: "http://fhir.example/r4"
                       ca_cert_file: "c"
                     })pb",
                "fhir.base_url: must be an https URL"},
        BadCase{R"pb(fhir { base_url: "https:///r4" ca_cert_file: "c" })pb",
                "fhir.base_url: must be an https URL"},
        BadCase{R"pb(fhir {
                       base_url: "https://f.example/r4?x=1"
                       ca_cert_file: "c"
                     })pb",
                "fhir.base_url: must be an https URL"},
        BadCase{R"pb(fhir { base_url: "https://f.example/r4" })pb",
                "fhir.ca_cert_file: required"}));

TEST(DeliveryConfigTest, IPv6EndpointInBracketsIsAccepted) {
  Parts parts;
  parts.delivery = R"pb(grpc { endpoint: "[::1]:9443" ca_cert_file: "c" })pb";
  auto config = Parse(parts);
  CG_ASSERT_OK(config);
  EXPECT_EQ(ClinicEndpoint(**config).address, "[::1]:9443");
}

TEST(DeliveryConfigTest, DeliveryKeysAreRequiredWithAnEndpoint) {
  Parts parts;
  parts.keys = "";
  EXPECT_THAT(Parse(parts),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("keys.delivery_cert_file: required when an "
                                 "organization has a delivery block")));
}

TEST(DeliveryConfigTest, DeliveryCertAndKeyGoTogether) {
  Parts parts;
  parts.delivery = "";
  parts.keys = R"pb(delivery_key_file: "k")pb";
  EXPECT_THAT(Parse(parts), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("keys.delivery_cert_file: "
                                               "required with "
                                               "delivery_key_file")));
  parts.keys = R"pb(delivery_cert_file: "c")pb";
  EXPECT_THAT(Parse(parts), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("keys.delivery_key_file: "
                                               "required with "
                                               "delivery_cert_file")));
}

struct BadPolicyCase {
  std::string policy;
  std::string expected;
};

class BadPolicyTest : public ::testing::TestWithParam<BadPolicyCase> {};

TEST_P(BadPolicyTest, NamesTheField) {
  Parts parts;
  parts.policy = "delivery_policy { " + GetParam().policy + " }";
  EXPECT_THAT(Parse(parts),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("delivery_policy." + GetParam().expected)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadPolicyTest,
    ::testing::Values(
        BadPolicyCase{"initial_backoff { seconds: -1 }",
                      "initial_backoff: must be within (0s, 24h]"},
        BadPolicyCase{"max_backoff { seconds: 90000 }",
                      "max_backoff: must be within (0s, 24h]"},
        BadPolicyCase{
            "initial_backoff { seconds: 10 } max_backoff { seconds: 5 }",
            "initial_backoff: may not exceed max_backoff"},
        BadPolicyCase{"initial_backoff { seconds: 600 }",
                      "initial_backoff: may not exceed max_backoff"},
        BadPolicyCase{"max_age { seconds: -5 }", "max_age: must be within"},
        BadPolicyCase{"attempt_timeout { seconds: 601 }",
                      "attempt_timeout: must be within (0s, 10m]"},
        BadPolicyCase{"max_attempts: -1", "max_attempts: must be >= 0"},
        BadPolicyCase{"max_in_flight_per_endpoint: 5000",
                      "max_in_flight_per_endpoint: must be within [0, 1024]"}));

}  // namespace
}  // namespace caregate
