#include "services/config/gateway_config.h"

#include <fstream>
#include <string>

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

// A small valid configuration; tests mutate it one element at a time.
// Line numbers of this text are asserted below: keep clang-format out.
// clang-format off
constexpr char kValidConfig[] = R"pb(
listen_address: "127.0.0.1:7443"
tls {
  ca_cert_file: "pki/ca.crt"
  server_cert_file: "pki/server.crt"
  server_key_file: "pki/server.key"
}
trust_domain: "caregate.local"
principals { principal_id: "dr-rivera" role: ROLE_THERAPIST org_id: "sunrise-therapy" }
principals { principal_id: "lakeside-obgyn-inbox" role: ROLE_CLINIC org_id: "lakeside-obgyn" }
principals { principal_id: "compliance-officer" role: ROLE_COMPLIANCE }
directory {
  organizations {
    org_id: "sunrise-therapy"
    display_name: "Sunrise Therapy"
    kind: ORGANIZATION_KIND_THERAPY_PRACTICE
    providers { provider_id: "dr-rivera" npi: "1234567893" name: "Dr. R" specialty: SPECIALTY_SEX_THERAPY }
  }
  organizations {
    org_id: "lakeside-obgyn"
    display_name: "Lakeside OB/GYN"
    kind: ORGANIZATION_KIND_PARTNER_CLINIC
    address: "1 Lake Rd"
    providers { provider_id: "dr-okafor" npi: "1245319599" name: "Dr. O" specialty: SPECIALTY_OBGYN }
  }
}
storage { sqlite { path: "data/caregate.db" } }
keys {
  audit_signing_key_file: "keys/audit-signing.key.pem"
  audit_signing_public_key_file: "keys/audit-signing.pub.pem"
  data_key_file: "keys/data.key"
  data_key_id: "dev-1"
}
redisclosure_notice: "Redisclosure is prohibited."
checkpoint_origin: "caregate.local/audit"
)pb";
// clang-format on

absl::StatusOr<std::shared_ptr<const GatewayConfig>> Parse(
    const std::string& text) {
  return GatewayConfig::FromText(text, "test.textproto", "/etc/caregate");
}

std::string Without(const std::string& line) {
  return absl::StrReplaceAll(kValidConfig, {{line, ""}});
}

TEST(GatewayConfigTest, ValidConfigLoads) {
  auto config = Parse(kValidConfig);
  CG_ASSERT_OK(config);
  const GatewayConfig& c = **config;
  EXPECT_EQ(c.listen_address(), "127.0.0.1:7443");
  EXPECT_EQ(c.ca_cert_file(), "/etc/caregate/pki/ca.crt");
  EXPECT_EQ(c.sqlite_path(), "/etc/caregate/data/caregate.db");
  EXPECT_EQ(c.data_key_id(), "dev-1");
  EXPECT_EQ(c.limits().max_sections, 64);
  EXPECT_EQ(c.limits().max_section_body_bytes, 1 << 20);
  EXPECT_EQ(c.shutdown_grace(), absl::Seconds(10));
  ASSERT_NE(c.FindPrincipal("dr-rivera"), nullptr);
  EXPECT_EQ(c.FindPrincipal("dr-rivera")->role, v1::ROLE_THERAPIST);
  EXPECT_EQ(c.FindPrincipal("nobody"), nullptr);
  const ProviderInfo* okafor = c.directory().FindProvider("dr-okafor");
  ASSERT_NE(okafor, nullptr);
  EXPECT_EQ(okafor->org_id, "lakeside-obgyn");
  EXPECT_EQ(okafor->specialty, v1::SPECIALTY_OBGYN);
  EXPECT_EQ(c.directory().FindOrganization("lakeside-obgyn")->address,
            "1 Lake Rd");
}

struct MissingCase {
  std::string removed;
  std::string field;
};

class MissingFieldTest : public ::testing::TestWithParam<MissingCase> {};

TEST_P(MissingFieldTest, NamesTheField) {
  const std::string text = Without(GetParam().removed);
  ASSERT_NE(text, kValidConfig) << "test case removes nothing";
  EXPECT_THAT(Parse(text), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr(GetParam().field)));
}

INSTANTIATE_TEST_SUITE_P(
    EveryRequiredField, MissingFieldTest,
    ::testing::Values(
        MissingCase{"listen_address: \"127.0.0.1:7443\"",
                    "listen_address: required"},
        MissingCase{"ca_cert_file: \"pki/ca.crt\"",
                    "tls.ca_cert_file: required"},
        MissingCase{"server_cert_file: \"pki/server.crt\"",
                    "tls.server_cert_file: required"},
        MissingCase{"server_key_file: \"pki/server.key\"",
                    "tls.server_key_file: required"},
        MissingCase{"trust_domain: \"caregate.local\"",
                    "trust_domain: required"},
        MissingCase{"role: ROLE_THERAPIST", "principals[0].role: required"},
        MissingCase{"role: ROLE_CLINIC org_id: \"lakeside-obgyn\"",
                    "principals[1].role: required"},
        MissingCase{"principal_id: \"compliance-officer\"",
                    "principals[2].principal_id: required"},
        MissingCase{"display_name: \"Lakeside OB/GYN\"",
                    "directory.organizations[1].display_name: required"},
        MissingCase{"kind: ORGANIZATION_KIND_PARTNER_CLINIC",
                    "directory.organizations[1].kind: required"},
        MissingCase{"npi: \"1245319599\"",
                    "directory.organizations[1].providers[0].npi"},
        MissingCase{"specialty: SPECIALTY_OBGYN",
                    "providers[0].specialty: required"},
        MissingCase{"storage { sqlite { path: \"data/caregate.db\" } }",
                    "storage: required"},
        MissingCase{"audit_signing_key_file: \"keys/audit-signing.key.pem\"",
                    "keys.audit_signing_key_file: required"},
        MissingCase{
            "audit_signing_public_key_file: \"keys/audit-signing.pub.pem\"",
            "keys.audit_signing_public_key_file: required"},
        MissingCase{"data_key_file: \"keys/data.key\"",
                    "keys.data_key_file: required"},
        MissingCase{"data_key_id: \"dev-1\"", "keys.data_key_id: required"},
        MissingCase{"redisclosure_notice: \"Redisclosure is prohibited.\"",
                    "redisclosure_notice: required"},
        MissingCase{"checkpoint_origin: \"caregate.local/audit\"",
                    "checkpoint_origin: required"}));

TEST(GatewayConfigTest, ErrorNamesTheLine) {
  // principals[1] is on line 10 of kValidConfig (line 1 is empty).
  EXPECT_THAT(Parse(Without("role: ROLE_CLINIC")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("test.textproto:10: principals[1].role")));
}

// Found by the config fuzzer: an empty repeated field crashed the loader
// while it looked for the field's line.
TEST(GatewayConfigTest, NoPrincipalsIsAnErrorNotACrash) {
  std::string text = kValidConfig;
  for (size_t at; (at = text.find("principals {")) != std::string::npos;) {
    text.erase(at, text.find('\n', at) - at);
  }
  EXPECT_THAT(Parse(text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("principals: at least one required")));
}

TEST(GatewayConfigTest, SyntaxErrorNamesLineAndColumn) {
  EXPECT_THAT(Parse("listen_address: \"x:1\"\nbogus_field: 3\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("test.textproto:2:")));
}

TEST(GatewayConfigTest, RejectsUnknownOrganizationOfPrincipal) {
  const std::string text = absl::StrReplaceAll(
      kValidConfig,
      {{"org_id: \"lakeside-obgyn\" }", "org_id: \"nowhere\" }"}});
  EXPECT_THAT(Parse(text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("principals[1].org_id: unknown")));
}

TEST(GatewayConfigTest, RejectsTherapistWithoutOrganization) {
  const std::string text = absl::StrReplaceAll(
      kValidConfig,
      {{"ROLE_THERAPIST org_id: \"sunrise-therapy\"", "ROLE_THERAPIST"}});
  ASSERT_NE(text, kValidConfig);
  EXPECT_THAT(Parse(text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("principals[0].org_id: required")));
}

TEST(GatewayConfigTest, RejectsDuplicatePrincipal) {
  const std::string text =
      std::string(kValidConfig) +
      "principals { principal_id: \"dr-rivera\" role: ROLE_ADMIN }\n";
  EXPECT_THAT(Parse(text), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("principals[3].principal_id: "
                                              "duplicate")));
}

TEST(GatewayConfigTest, RejectsBadNpi) {
  const std::string text = absl::StrReplaceAll(
      kValidConfig, {{"npi: \"1245319599\"", "npi: \"1245319598\""}});
  EXPECT_THAT(Parse(text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("organizations[1].providers[0].npi")));
}

TEST(GatewayConfigTest, LimitsOverrideDefaults) {
  auto config = Parse(std::string(kValidConfig) +
                      "limits { max_sections: 8 max_id_length: 64 }\n");
  CG_ASSERT_OK(config);
  EXPECT_EQ((*config)->limits().max_sections, 8);
  EXPECT_EQ((*config)->limits().max_id_length, 64);
  EXPECT_EQ((*config)->limits().max_request_bytes, 4 << 20);
}

TEST(GatewayConfigTest, ConsentLimitsAndAdmissionHaveDefaults) {
  auto config = Parse(kValidConfig);
  CG_ASSERT_OK(config);
  const InputLimits& l = (*config)->limits();
  EXPECT_EQ(l.earliest_signed_at, absl::FromUnixSeconds(946684800));
  EXPECT_EQ(l.max_consent_term, absl::Hours(24 * 3653));
  EXPECT_EQ(l.max_consents_per_patient, 1000);
  const AdmissionConfig& a = (*config)->admission();
  EXPECT_EQ(a.max_streams_per_principal, 4);
  EXPECT_EQ(a.refusal_audit_window, absl::Seconds(10));
}

TEST(GatewayConfigTest, ConsentLimitsAndAdmissionOverrideDefaults) {
  auto config = Parse(std::string(kValidConfig) + R"pb(
    limits {
      earliest_signed_at { seconds: 1577836800 }
      max_consent_term { seconds: 86400 }
      max_consents_per_patient: 7
    }
    admission {
      calls_per_second: 10
      call_burst: 3
      refusals_per_second: 0.5
      refusal_burst: 2
      max_calls_in_flight: 9
      max_streams_per_principal: 1
      max_streams: 2
      refusal_audit_window { seconds: 30 }
    })pb");
  CG_ASSERT_OK(config);
  const InputLimits& l = (*config)->limits();
  EXPECT_EQ(l.earliest_signed_at, absl::FromUnixSeconds(1577836800));
  EXPECT_EQ(l.max_consent_term, absl::Hours(24));
  EXPECT_EQ(l.max_consents_per_patient, 7);
  const AdmissionConfig& a = (*config)->admission();
  EXPECT_EQ(a.calls_per_second, 10);
  EXPECT_EQ(a.call_burst, 3);
  EXPECT_EQ(a.refusals_per_second, 0.5);
  EXPECT_EQ(a.refusal_burst, 2);
  EXPECT_EQ(a.max_calls_in_flight, 9);
  EXPECT_EQ(a.max_streams_per_principal, 1);
  EXPECT_EQ(a.max_streams, 2);
  EXPECT_EQ(a.refusal_audit_window, absl::Seconds(30));
}

TEST(GatewayConfigTest, NegativeAdmissionLimitIsRefusedNamingTheField) {
  EXPECT_THAT(
      Parse(std::string(kValidConfig) + "admission { max_streams: -1 }"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("admission.max_streams: must be >= 0")));
  EXPECT_THAT(Parse(std::string(kValidConfig) +
                    "limits { max_consents_per_patient: -3 }"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("limits.max_consents_per_patient: must be "
                                 ">= 0")));
}

TEST(GatewayConfigTest, LoadFileResolvesPathsAgainstItsDirectory) {
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "/gateway_config_test.textproto";
  {
    std::ofstream out(path);
    out << kValidConfig;
  }
  auto config = GatewayConfig::LoadFile(path);
  CG_ASSERT_OK(config);
  EXPECT_THAT((*config)->data_key_file(), HasSubstr("keys/data.key"));
  EXPECT_EQ((*config)->data_key_file().front(), '/');
  EXPECT_THAT(GatewayConfig::LoadFile(dir + "/does-not-exist.textproto"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("does-not-exist.textproto")));
}

TEST(GatewayConfigTest, NetworkDefaultsWithoutABlock) {
  auto config = Parse(kValidConfig);
  CG_ASSERT_OK(config);
  const NetworkSettings& n = (*config)->network();
  EXPECT_EQ(n.max_connections, 0);
  EXPECT_EQ(n.handshake_timeout, absl::Seconds(5));
  EXPECT_EQ(n.max_connection_idle, absl::Minutes(5));
  EXPECT_EQ(n.watchdog_interval, absl::Seconds(5));
  EXPECT_EQ(n.watchdog_failure_limit, absl::Seconds(30));
}

TEST(GatewayConfigTest, NetworkOverridesDefaults) {
  auto config = Parse(std::string(kValidConfig) +
                      "network { max_connections: 500 "
                      "handshake_timeout { seconds: 2 } "
                      "watchdog_interval { nanos: 200000000 } "
                      "watchdog_failure_limit { seconds: 1 } }\n");
  CG_ASSERT_OK(config);
  const NetworkSettings& n = (*config)->network();
  EXPECT_EQ(n.max_connections, 500);
  EXPECT_EQ(n.handshake_timeout, absl::Seconds(2));
  EXPECT_EQ(n.max_connection_idle, absl::Minutes(5));
  EXPECT_EQ(n.watchdog_interval, absl::Milliseconds(200));
  EXPECT_EQ(n.watchdog_failure_limit, absl::Seconds(1));
}

TEST(GatewayConfigTest, NetworkRejectsOutOfRangeValues) {
  const auto with = [](const std::string& block) {
    return Parse(std::string(kValidConfig) + "network { " + block + " }\n");
  };
  EXPECT_THAT(with("max_connections: 10"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("network.max_connections: must be 0")));
  EXPECT_THAT(with("max_connections: -1"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("network.max_connections")));
  EXPECT_THAT(with("handshake_timeout { seconds: 121 }"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("network.handshake_timeout: must be within")));
  EXPECT_THAT(with("max_connection_idle { seconds: -5 }"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("network.max_connection_idle")));
  EXPECT_THAT(with("watchdog_interval { seconds: 60 }"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("network.watchdog_failure_limit: must be at "
                                 "least watchdog_interval")));
}

TEST(IdTest, Pattern) {
  EXPECT_TRUE(IsValidId("p-1001", 256));
  EXPECT_TRUE(IsValidId("a.b_c:d-e", 256));
  EXPECT_FALSE(IsValidId("", 256));
  EXPECT_FALSE(IsValidId("-leading", 256));
  EXPECT_FALSE(IsValidId("has space", 256));
  EXPECT_FALSE(IsValidId("slash/no", 256));
  EXPECT_FALSE(IsValidId(std::string(257, 'a'), 256));
  EXPECT_TRUE(IsValidId(std::string(256, 'a'), 256));
}

}  // namespace
}  // namespace caregate
