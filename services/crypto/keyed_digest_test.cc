#include "services/crypto/keyed_digest.h"

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/crypto/encoding.h"
#include "services/crypto/sha256.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Key() { return *HexDecode(
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"); }

// Checked with: printf 'what do ya want for nothing?' |
//   openssl dgst -sha256 -mac HMAC -macopt hexkey:000102...1e1f
TEST(KeyedDigestTest, MatchesOpenSslHmacSha256) {
  auto digest = KeyedDigest::Create(Key());
  CG_ASSERT_OK(digest);
  EXPECT_EQ((*digest)->DigestHex("what do ya want for nothing?"),
            "099805f4ac310786968565c098db515cc50862b420ae31e20238312344bed36a");
  EXPECT_EQ((*digest)->DigestBytes("x").size(), 32u);
}

TEST(KeyedDigestTest, DiffersFromPlainSha256AndBetweenKeys) {
  auto a = KeyedDigest::Create(Key());
  auto b = KeyedDigest::Create(std::string(32, 'b'));
  CG_ASSERT_OK(a);
  CG_ASSERT_OK(b);
  EXPECT_NE((*a)->DigestHex("F52.31"), Sha256Hex("F52.31"));
  EXPECT_NE((*a)->DigestHex("F52.31"), (*b)->DigestHex("F52.31"));
}

TEST(KeyedDigestTest, KeyFileIsHexAndErrorsNameTheFileNotTheKey) {
  const std::string dir = ::testing::TempDir();
  const std::string good = dir + "/digest-good.key";
  std::ofstream(good) << "  " << HexEncode(Key()) << "\n";
  CG_EXPECT_OK(KeyedDigest::FromKeyFile(good));
  const std::string bad = dir + "/digest-bad.key";
  std::ofstream(bad) << "abcd";
  absl::StatusOr<std::unique_ptr<KeyedDigest>> refused =
      KeyedDigest::FromKeyFile(bad);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("digest-bad.key")));
  EXPECT_THAT(KeyedDigest::Create("short"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Not(HasSubstr("short"))));
}

TEST(KeyedDigestTest, DerivedKeyIsNeitherTheBaseKeyNorLabelIndependent) {
  const std::string path = ::testing::TempDir() + "/digest-base.key";
  std::ofstream(path) << HexEncode(Key());
  auto base = KeyedDigest::FromKeyFile(path);
  auto derived = KeyedDigest::DerivedFromKeyFile(path, "caregate digest v1");
  auto again = KeyedDigest::DerivedFromKeyFile(path, "caregate digest v1");
  auto other = KeyedDigest::DerivedFromKeyFile(path, "another label");
  CG_ASSERT_OK(base);
  CG_ASSERT_OK(derived);
  CG_ASSERT_OK(again);
  CG_ASSERT_OK(other);
  EXPECT_NE((*derived)->DigestHex("x"), (*base)->DigestHex("x"));
  EXPECT_EQ((*derived)->DigestHex("x"), (*again)->DigestHex("x"));
  EXPECT_NE((*derived)->DigestHex("x"), (*other)->DigestHex("x"));
}

}  // namespace
}  // namespace caregate
