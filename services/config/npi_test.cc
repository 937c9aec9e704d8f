#include "services/config/npi.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate {
namespace {

TEST(NpiTest, KnownValidNpiPasses) { EXPECT_TRUE(IsValidNpi("1234567893")); }

TEST(NpiTest, WrongCheckDigitFails) {
  EXPECT_FALSE(IsValidNpi("1234567890"));
  EXPECT_FALSE(IsValidNpi("1234567894"));
}

TEST(NpiTest, SwappedDigitsFail) { EXPECT_FALSE(IsValidNpi("2134567893")); }

TEST(NpiTest, MalformedFails) {
  EXPECT_FALSE(IsValidNpi(""));
  EXPECT_FALSE(IsValidNpi("123456789"));
  EXPECT_FALSE(IsValidNpi("12345678931"));
  EXPECT_FALSE(IsValidNpi("123456789X"));
  EXPECT_FALSE(IsValidNpi(" 234567893"));
}

TEST(NpiTest, CheckDigitIsComputed) {
  EXPECT_EQ(NpiWithCheckDigit("123456789"), "1234567893");
  EXPECT_EQ(NpiWithCheckDigit("190000101"), "1900001011");
}

TEST(NpiTest, CheckDigitOfMalformedInputIsEmpty) {
  EXPECT_EQ(NpiWithCheckDigit("12345678"), "");
  EXPECT_EQ(NpiWithCheckDigit("1234567890"), "");
  EXPECT_EQ(NpiWithCheckDigit("12345678a"), "");
}

}  // namespace
}  // namespace caregate
