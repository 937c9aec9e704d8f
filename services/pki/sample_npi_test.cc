#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/config/npi.h"
#include "services/pki/sample_config.h"

namespace caregate::pki {
namespace {

TEST(NpiTest, EverySampleNpiIsValidAndMutationsFail) {
  config::v1::GatewayConfig config = SampleGatewayConfig(DevInitOptions{});
  int providers = 0;
  for (const auto& org : config.directory().organizations()) {
    for (const auto& provider : org.providers()) {
      ++providers;
      const std::string& npi = provider.npi();
      EXPECT_TRUE(IsValidNpi(npi)) << provider.provider_id() << " " << npi;
      std::string mutated = npi;
      mutated[9] = static_cast<char>('0' + (mutated[9] - '0' + 1) % 10);
      EXPECT_FALSE(IsValidNpi(mutated)) << mutated;
    }
  }
  EXPECT_EQ(providers, 9);
}

}  // namespace
}  // namespace caregate::pki
