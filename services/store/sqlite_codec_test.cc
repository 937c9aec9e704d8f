#include "services/store/sqlite_codec.h"

#include <limits>

#include "gmock/gmock.h"
#include "services/store/sqlite_connection.h"
#include "tests/testing/status_matchers.h"

namespace caregate::sqlite {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(SqliteCodecTest, TimesRoundTripIncludingInfinities) {
  EXPECT_EQ(TimeToMicros(absl::InfinitePast()),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(TimeToMicros(absl::InfiniteFuture()),
            std::numeric_limits<int64_t>::max());
  for (absl::Time t : {absl::InfinitePast(), absl::InfiniteFuture(),
                       absl::UnixEpoch(), absl::FromUnixMicros(-1),
                       absl::FromUnixMicros(1'700'000'000'123'456)}) {
    EXPECT_EQ(MicrosToTime(TimeToMicros(t)), t);
  }
  EXPECT_EQ(TimeToMicros(absl::FromUnixNanos(1999)), 1);
}

TEST(SqliteCodecTest, EnumsAreCommaJoinedNumbers) {
  const std::vector<v1::Category> categories = {v1::CATEGORY_DIAGNOSIS,
                                                v1::CATEGORY_TRAUMA_HISTORY};
  EXPECT_EQ(EncodeEnums(categories), "3,5");
  EXPECT_THAT(DecodeEnums<v1::Category>("c", "3,5"),
              ::caregate::testing::IsOk());
  EXPECT_EQ(*DecodeEnums<v1::Category>("c", "3,5"), categories);
  EXPECT_EQ(EncodeEnums(std::vector<v1::Category>{}), "");
  EXPECT_THAT(*DecodeEnums<v1::Category>("c", ""), IsEmpty());
  EXPECT_THAT(DecodeInts("categories", "3,,5"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("categories")));
  EXPECT_THAT(DecodeInts("categories", "3,x"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("categories")));
}

// The in-place decoders agree with DecodeInts, whatever the vector held.
TEST(SqliteCodecTest, EnumsDecodeInPlaceAsDecodeIntsDoes) {
  std::vector<v1::Category> out = {
      v1::CATEGORY_DIAGNOSIS, v1::CATEGORY_DIAGNOSIS, v1::CATEGORY_DIAGNOSIS};
  for (const char* text : {"3,5", "", "7", " 3", "+4"}) {
    EXPECT_THAT(DecodeEnumsInto<v1::Category>("c", text, &out),
                ::caregate::testing::IsOk())
        << text;
    const std::vector<int> ints = *DecodeInts("c", text);
    EXPECT_EQ(std::vector<int>(out.begin(), out.end()), ints) << text;
  }
  for (const char* bad : {"3,,5", "3,x", "3,", ",3", ","}) {
    EXPECT_FALSE(DecodeInts("c", bad).ok()) << bad;
    EXPECT_THAT(DecodeEnumsInto<v1::Category>("categories", bad, &out),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("categories")))
        << bad;
  }
}

TEST(SqliteCodecTest, IdListsDecodeInPlaceReusingTheVector) {
  std::vector<std::string> out = {"a-long-previous-id", "b", "c", "d"};
  ASSERT_THAT(DecodeIdsInto("ids", "3:c-14:c-22", &out),
              ::caregate::testing::IsOk());
  EXPECT_THAT(out, ElementsAre("c-1", "c-22"));
  ASSERT_THAT(DecodeIdsInto("ids", "", &out), ::caregate::testing::IsOk());
  EXPECT_THAT(out, IsEmpty());
  EXPECT_THAT(DecodeIdsInto("consent ids", "99:c", &out),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("consent ids")));
}

TEST(SqliteCodecTest, IdListsAreLengthPrefixedAndRoundTripAnyBytes) {
  const std::vector<std::string> ids = {"c-1", "", "a,b", "12:x", "\n:"};
  const std::string encoded = EncodeIds(ids);
  EXPECT_EQ(EncodeIds({"c-1", "c-22"}), "3:c-14:c-22");
  auto decoded = DecodeIds("ids", encoded);
  ASSERT_THAT(decoded, ::caregate::testing::IsOk());
  EXPECT_EQ(*decoded, ids);
  EXPECT_EQ(EncodeIds({}), "");
  EXPECT_THAT(*DecodeIds("ids", ""), IsEmpty());
}

TEST(SqliteCodecTest, DamagedIdListsAreDataLoss) {
  for (const char* bad : {"3:c-", "x:abc", "3c-1", "99:c", "-1:"}) {
    EXPECT_THAT(DecodeIds("consent ids", bad),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("consent ids")))
        << bad;
  }
}

TEST(SqliteCodecTest, HashesAre32Bytes) {
  Hash256 hash{};
  hash[0] = 1;
  hash[31] = 0xff;
  auto decoded = DecodeHash("hash", HashBytes(hash));
  ASSERT_THAT(decoded, ::caregate::testing::IsOk());
  EXPECT_EQ(*decoded, hash);
  EXPECT_THAT(DecodeHash("audit hash", std::string(31, 'x')),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("31 bytes")));
}

TEST(SqliteErrorTest, MapsResultCodesToCanonicalCodes) {
  EXPECT_THAT(
      SqliteError("insert x", SQLITE_CONSTRAINT_UNIQUE, nullptr),
      StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("insert x")));
  EXPECT_THAT(SqliteError("op", SQLITE_CONSTRAINT_PRIMARYKEY, nullptr),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("op: ")));
  EXPECT_THAT(SqliteError("op", SQLITE_CONSTRAINT_NOTNULL, nullptr),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("op")));
  for (int rc :
       {SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED, SQLITE_IOERR_FSYNC,
        SQLITE_FULL, SQLITE_READONLY, SQLITE_CANTOPEN}) {
    EXPECT_THAT(SqliteError("commit", rc, nullptr),
                StatusIs(absl::StatusCode::kUnavailable, HasSubstr("commit")))
        << rc;
  }
  EXPECT_THAT(SqliteError("op", SQLITE_MISUSE, nullptr),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("op")));
  EXPECT_THAT(SqliteError("op", SQLITE_CORRUPT, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("op")));
}

}  // namespace
}  // namespace caregate::sqlite
