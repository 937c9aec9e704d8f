#include "services/crypto/encoding.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate {
namespace {

using ::testing::Eq;
using ::testing::Optional;

std::string AllByteValues() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  return bytes;
}

TEST(HexTest, EncodesLowercase) {
  EXPECT_EQ(HexEncode(std::string("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(HexEncode(""), "");
}

TEST(HexTest, RoundTripsAllByteValues) {
  const std::string bytes = AllByteValues();
  EXPECT_THAT(HexDecode(HexEncode(bytes)), Optional(Eq(bytes)));
}

TEST(HexTest, DecodesUppercase) {
  EXPECT_THAT(HexDecode("ABff"), Optional(Eq(std::string("\xab\xff"))));
}

TEST(HexTest, RejectsMalformed) {
  EXPECT_EQ(HexDecode("abc"), std::nullopt);  // odd length
  EXPECT_EQ(HexDecode("zz"), std::nullopt);   // not hex
  EXPECT_EQ(HexDecode("0g"), std::nullopt);
  EXPECT_EQ(HexDecode(" 00"), std::nullopt);   // whitespace
  EXPECT_EQ(HexDecode("0x00"), std::nullopt);  // prefix
}

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");  // standard, not URL, alphabet
}

TEST(Base64Test, DecodesRfc4648Vectors) {
  EXPECT_THAT(Base64Decode(""), Optional(Eq("")));
  EXPECT_THAT(Base64Decode("Zg=="), Optional(Eq("f")));
  EXPECT_THAT(Base64Decode("Zm8="), Optional(Eq("fo")));
  EXPECT_THAT(Base64Decode("Zm9vYmFy"), Optional(Eq("foobar")));
}

TEST(Base64Test, RoundTripsEveryLength) {
  const std::string bytes = AllByteValues();
  for (size_t n = 0; n <= bytes.size(); ++n) {
    const std::string prefix = bytes.substr(0, n);
    EXPECT_THAT(Base64Decode(Base64Encode(prefix)), Optional(Eq(prefix)))
        << "length " << n;
  }
}

TEST(Base64Test, RejectsMalformed) {
  EXPECT_EQ(Base64Decode("Zg="), std::nullopt);   // length not 4k
  EXPECT_EQ(Base64Decode("Zg"), std::nullopt);    // missing padding
  EXPECT_EQ(Base64Decode("Z==="), std::nullopt);  // too much padding
  EXPECT_EQ(Base64Decode("===="), std::nullopt);
  EXPECT_EQ(Base64Decode("Zg=a"), std::nullopt);      // data after padding
  EXPECT_EQ(Base64Decode("Zg==Zg=="), std::nullopt);  // padding mid-text
  EXPECT_EQ(Base64Decode("Zm9v\n"), std::nullopt);    // whitespace
  EXPECT_EQ(Base64Decode("Zm9-"), std::nullopt);      // URL alphabet
  EXPECT_EQ(Base64Decode("Zh=="), std::nullopt);      // stray low bits
  EXPECT_EQ(Base64Decode("Zm9="), std::nullopt);
}

}  // namespace
}  // namespace caregate
