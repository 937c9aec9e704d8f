// Checks the committed example configs under config/.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "services/pki/dev_pki.h"
#include "services/config/npi.h"

namespace caregate::pki {
namespace {

using ::testing::StartsWith;

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(CAREGATE_SOURCE_DIR) + "/" + relative,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ConfigFilesTest, DevConfigIsExactlyWhatDevInitWrites) {
  EXPECT_EQ(ReadSourceFile("config/caregate.dev.textproto"),
            SampleConfigText(DevInitOptions{}))
      << "regenerate it: caregatectl dev-init /tmp/d && "
         "cp /tmp/d/caregate.textproto config/caregate.dev.textproto";
}

TEST(ConfigFilesTest, ProductionTemplateParses) {
  config::v1::GatewayConfig config;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      ReadSourceFile("config/caregate.production.textproto"), &config));
  EXPECT_EQ(config.listen_address(), "0.0.0.0:7443");
  EXPECT_THAT(config.tls().ca_cert_file(), StartsWith("/etc/caregate/pki/"));
  EXPECT_THAT(config.tls().server_key_file(), StartsWith("/etc/caregate/pki/"));
  EXPECT_THAT(config.keys().audit_signing_key_file(),
              StartsWith("/etc/caregate/keys/"));
  EXPECT_THAT(config.keys().data_key_file(), StartsWith("/etc/caregate/keys/"));
  EXPECT_THAT(config.storage().sqlite().path(),
              StartsWith("/var/lib/caregate/"));
  EXPECT_FALSE(config.trust_domain().empty());
  EXPECT_FALSE(config.redisclosure_notice().empty());
  EXPECT_FALSE(config.checkpoint_origin().empty());
  EXPECT_GE(config.principals_size(), 3);
  int providers = 0;
  for (const auto& org : config.directory().organizations()) {
    for (const auto& provider : org.providers()) {
      ++providers;
      EXPECT_TRUE(IsValidNpi(provider.npi())) << provider.provider_id();
    }
  }
  EXPECT_GE(providers, 2);
}

}  // namespace
}  // namespace caregate::pki
