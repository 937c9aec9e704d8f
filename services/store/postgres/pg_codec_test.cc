#include "services/store/postgres/pg_codec.h"

#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate::pg {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(PgCodecTest, IntegersAreBigEndian) {
  EXPECT_EQ(EncodeInt64(1), Bytes({0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(EncodeInt64(-2),
            Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}));
  EXPECT_EQ(EncodeInt32(0x01020304), Bytes({1, 2, 3, 4}));
  EXPECT_EQ(EncodeBool(true), Bytes({1}));
  EXPECT_EQ(EncodeBool(false), Bytes({0}));
}

TEST(PgCodecTest, IntegersRoundTrip) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1'700'000'000'123'456},
                    std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    auto got = DecodeInt64("c", EncodeInt64(v));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, v);
  }
  for (int32_t v : {0, -7, std::numeric_limits<int32_t>::min(),
                    std::numeric_limits<int32_t>::max()}) {
    auto got = DecodeInt32("c", EncodeInt32(v));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, v);
  }
  auto b = DecodeBool("c", EncodeBool(true));
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(*b);
}

TEST(PgCodecTest, WrongLengthsAreDataLossNamingTheColumn) {
  EXPECT_THAT(DecodeInt64("audit seq", Bytes({1, 2, 3, 4})),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("stored audit seq is damaged")));
  EXPECT_THAT(DecodeInt32("purpose", EncodeInt64(1)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("purpose")));
  EXPECT_THAT(DecodeBool("flag", Bytes({2})),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("flag")));
}

TEST(PgCodecTest, EmptyArrayHasNoDimension) {
  EXPECT_EQ(EncodeTextArray({}), Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25}));
  EXPECT_EQ(EncodeInt32Array({}), Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23}));
  auto text = DecodeTextArray("ids", EncodeTextArray({}));
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, IsEmpty());
}

TEST(PgCodecTest, ArrayLayoutIsArraySend) {
  // 1 dimension, no NULLs, int4; 2 elements from index 1; each 4 bytes.
  EXPECT_EQ(EncodeInt32Array({7, -1}),
            Bytes({0, 0, 0, 1, 0, 0, 0, 0, 0,    0,    0,    23,
                   0, 0, 0, 2, 0, 0, 0, 1, 0,    0,    0,    4,
                   0, 0, 0, 7, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff}));
}

TEST(PgCodecTest, ArraysRoundTripAnyBytes) {
  const std::vector<std::string> ids = {
      "c-1", "", ":c-1", std::string("a\0b", 3), std::string(300, 'x')};
  auto text = DecodeTextArray("ids", EncodeTextArray(ids));
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, ids);
  auto ints = DecodeInt32Array("cats", EncodeInt32Array({3, 5, 0, -9}));
  ASSERT_TRUE(ints.ok()) << ints.status();
  EXPECT_THAT(*ints, ElementsAre(3, 5, 0, -9));
}

TEST(PgCodecTest, DamagedArraysAreDataLoss) {
  const std::string good = EncodeTextArray({"abc", "de"});
  // Truncated anywhere.
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_THAT(DecodeTextArray("ids", good.substr(0, n)),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("ids")))
        << n << " bytes";
  }
  EXPECT_THAT(DecodeTextArray("ids", good + "x"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("after")));
  // An int4[] is not a text[].
  EXPECT_THAT(DecodeTextArray("ids", EncodeInt32Array({1})),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("type 23")));
  // A NULL element (length -1).
  std::string with_null = EncodeTextArray({"a"});
  with_null.replace(20, 4, Bytes({0xff, 0xff, 0xff, 0xff}));
  with_null.resize(24);
  EXPECT_THAT(DecodeTextArray("ids", with_null),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("NULL")));
  // Two dimensions.
  std::string two_d = good;
  two_d[3] = 2;
  EXPECT_THAT(
      DecodeTextArray("ids", two_d),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("one-dimensional")));
  // An element that is not 4 bytes in an int4[].
  std::string short_int = EncodeInt32Array({1});
  short_int.replace(20, 4, Bytes({0, 0, 0, 3}));
  short_int.resize(27);
  EXPECT_THAT(DecodeInt32Array("cats", short_int),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("cats")));
}

}  // namespace
}  // namespace caregate::pg
