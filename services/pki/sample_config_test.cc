#include "services/pki/sample_config.h"

#include <map>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate::pki {
namespace {

using ::caregate::v1::Role;
using ::caregate::v1::Specialty;
using ::testing::ElementsAre;
using ::testing::Pair;

TEST(SampleGatewayConfigTest, PrincipalsAreThoseOfTheApiTable) {
  auto config = SampleGatewayConfig(DevInitOptions{});
  std::vector<std::tuple<std::string, Role, std::string>> principals;
  for (const auto& p : config.principals()) {
    EXPECT_FALSE(p.disabled());
    principals.emplace_back(p.principal_id(), p.role(), p.org_id());
  }
  using T = std::tuple<std::string, Role, std::string>;
  EXPECT_THAT(
      principals,
      ElementsAre(
          T{"dr-rivera", v1::ROLE_THERAPIST, "sunrise-therapy"},
          T{"dr-novak", v1::ROLE_THERAPIST, "harbor-counseling"},
          T{"lakeside-obgyn-inbox", v1::ROLE_CLINIC, "lakeside-obgyn"},
          T{"core-pelvic-pt-inbox", v1::ROLE_CLINIC, "core-pelvic-pt"},
          T{"riverside-urology-inbox", v1::ROLE_CLINIC, "riverside-urology"},
          T{"northside-psychiatry-inbox", v1::ROLE_CLINIC,
            "northside-psychiatry"},
          T{"maple-primary-care-inbox", v1::ROLE_CLINIC, "maple-primary-care"},
          T{"compliance-officer", v1::ROLE_COMPLIANCE, ""},
          T{"gateway-admin", v1::ROLE_ADMIN, ""}));
}

TEST(SampleGatewayConfigTest, DirectoryIsThatOfTheApiTable) {
  auto config = SampleGatewayConfig(DevInitOptions{});
  std::map<std::string, std::vector<std::pair<std::string, Specialty>>>
      providers;
  std::map<std::string, v1::OrganizationKind> kinds;
  for (const auto& org : config.directory().organizations()) {
    EXPECT_FALSE(org.display_name().empty()) << org.org_id();
    EXPECT_FALSE(org.address().empty()) << org.org_id();
    kinds[org.org_id()] = org.kind();
    for (const auto& p : org.providers()) {
      EXPECT_FALSE(p.name().empty()) << p.provider_id();
      providers[org.org_id()].emplace_back(p.provider_id(), p.specialty());
    }
  }
  constexpr auto kPractice = v1::ORGANIZATION_KIND_THERAPY_PRACTICE;
  constexpr auto kClinic = v1::ORGANIZATION_KIND_PARTNER_CLINIC;
  EXPECT_THAT(kinds, ElementsAre(Pair("core-pelvic-pt", kClinic),
                                 Pair("harbor-counseling", kPractice),
                                 Pair("lakeside-obgyn", kClinic),
                                 Pair("maple-primary-care", kClinic),
                                 Pair("northside-psychiatry", kClinic),
                                 Pair("riverside-urology", kClinic),
                                 Pair("sunrise-therapy", kPractice)));
  using P = std::pair<std::string, Specialty>;
  EXPECT_THAT(providers["sunrise-therapy"],
              ElementsAre(P{"dr-rivera", v1::SPECIALTY_SEX_THERAPY}));
  EXPECT_THAT(providers["harbor-counseling"],
              ElementsAre(P{"dr-novak", v1::SPECIALTY_PSYCHOTHERAPY}));
  EXPECT_THAT(providers["lakeside-obgyn"],
              ElementsAre(P{"dr-okafor", v1::SPECIALTY_OBGYN}));
  EXPECT_THAT(
      providers["core-pelvic-pt"],
      ElementsAre(
          P{"pt-lindqvist", v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY},
          P{"pt-moreau", v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY}));
  EXPECT_THAT(providers["riverside-urology"],
              ElementsAre(P{"dr-haddad", v1::SPECIALTY_UROLOGY}));
  EXPECT_THAT(providers["northside-psychiatry"],
              ElementsAre(P{"dr-chen", v1::SPECIALTY_PSYCHIATRY},
                          P{"np-ward", v1::SPECIALTY_PRIMARY_CARE}));
  EXPECT_THAT(providers["maple-primary-care"],
              ElementsAre(P{"dr-mbeki", v1::SPECIALTY_PRIMARY_CARE}));
}

TEST(SampleGatewayConfigTest, SettingsFollowTheOptions) {
  DevInitOptions options;
  options.listen = "0.0.0.0:9000";
  options.trust_domain = "example.test";
  auto config = SampleGatewayConfig(options);
  EXPECT_EQ(config.listen_address(), "0.0.0.0:9000");
  EXPECT_EQ(config.trust_domain(), "example.test");
  EXPECT_EQ(config.checkpoint_origin(), "example.test/audit");
  EXPECT_EQ(config.tls().ca_cert_file(), "pki/ca.crt");
  EXPECT_EQ(config.tls().server_cert_file(), "pki/server.crt");
  EXPECT_EQ(config.tls().server_key_file(), "pki/server.key");
  EXPECT_EQ(config.storage().sqlite().path(), "data/caregate.db");
  EXPECT_EQ(config.keys().audit_signing_key_file(),
            "keys/audit-signing.key.pem");
  EXPECT_EQ(config.keys().audit_signing_public_key_file(),
            "keys/audit-signing.pub.pem");
  EXPECT_EQ(config.keys().data_key_file(), "keys/data.key");
  EXPECT_EQ(config.keys().data_key_id(), "dev-1");
  EXPECT_THAT(config.redisclosure_notice(),
              ::testing::HasSubstr("prohibits you from making any further "
                                   "disclosure"));
  EXPECT_FALSE(config.has_limits());
}

TEST(SampleGatewayConfigTest, PostgresConninfoReplacesSqlite) {
  DevInitOptions options;
  options.postgres_conninfo = "host=db.example.org dbname=caregate";
  auto config = SampleGatewayConfig(options);
  EXPECT_EQ(config.storage().postgres().conninfo(),
            "host=db.example.org dbname=caregate");
  EXPECT_FALSE(config.storage().has_sqlite());
}

TEST(SampleGatewayConfigTest, DefaultsAreLoopbackAndCaregateLocal) {
  auto config = SampleGatewayConfig(DevInitOptions{});
  EXPECT_EQ(config.listen_address(), "127.0.0.1:7443");
  EXPECT_EQ(config.trust_domain(), "caregate.local");
  EXPECT_EQ(config.checkpoint_origin(), "caregate.local/audit");
}

}  // namespace
}  // namespace caregate::pki
