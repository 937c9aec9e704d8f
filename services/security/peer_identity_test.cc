#include "services/security/peer_identity.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate {
namespace {

TEST(PeerIdentityTest, SpiffeUriOfTheTrustDomainWins) {
  EXPECT_EQ(PrincipalIdFromIdentities({"spiffe://caregate.local/dr-rivera"},
                                      {"someone-else"}, "caregate.local"),
            "dr-rivera");
}

TEST(PeerIdentityTest, FallsBackToCommonName) {
  EXPECT_EQ(PrincipalIdFromIdentities({}, {"dr-novak"}, "caregate.local"),
            "dr-novak");
}

TEST(PeerIdentityTest, OtherTrustDomainIsNotTrustedNorFallsBack) {
  EXPECT_EQ(PrincipalIdFromIdentities({"spiffe://evil.example/dr-rivera"},
                                      {"dr-rivera"}, "caregate.local"),
            std::nullopt);
}

TEST(PeerIdentityTest, RejectsPathsAndOddCharacters) {
  EXPECT_EQ(PrincipalIdFromIdentities({"spiffe://caregate.local/a/b"}, {},
                                      "caregate.local"),
            std::nullopt);
  EXPECT_EQ(PrincipalIdFromIdentities({}, {"CN with spaces"}, "caregate.local"),
            std::nullopt);
  EXPECT_EQ(PrincipalIdFromIdentities({}, {}, "caregate.local"), std::nullopt);
}

}  // namespace
}  // namespace caregate
