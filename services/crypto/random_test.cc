#include "services/crypto/random.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate {
namespace {

using ::testing::MatchesRegex;
using ::testing::SizeIs;
using ::testing::StartsWith;

TEST(RandomTest, RandomBytesHasRequestedSize) {
  EXPECT_THAT(RandomBytes(0), SizeIs(0));
  EXPECT_THAT(RandomBytes(32), SizeIs(32));
  EXPECT_NE(RandomBytes(32), RandomBytes(32));
}

TEST(RandomTest, NewUuidIsVersion4Lowercase) {
  for (int i = 0; i < 100; ++i) {
    EXPECT_THAT(NewUuid(), MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
                                        "[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  }
}

TEST(RandomTest, NewIdHasPrefixAndBase32Suffix) {
  const std::string id = NewId("msg");
  EXPECT_THAT(id, StartsWith("msg-"));
  EXPECT_THAT(id, SizeIs(4 + 26));
  EXPECT_THAT(id, MatchesRegex("msg-[0-9abcdefghjkmnpqrstvwxyz]{26}"));
}

TEST(RandomTest, TimeOrderedIdStartsWithTheTime) {
  const absl::Time t = absl::FromUnixMillis(1732700000123);
  const std::string id = NewTimeOrderedId("dsc", t);
  EXPECT_THAT(id, SizeIs(4 + 10 + 26));
  EXPECT_THAT(id, MatchesRegex("dsc-[0-9abcdefghjkmnpqrstvwxyz]{36}"));
  // 1732700000123 in 10 base32 digits, most significant first.
  EXPECT_THAT(id, StartsWith("dsc-01jdpffkvv"));
}

TEST(RandomTest, TimeOrderedIdsOfLaterTimesSortAfter) {
  const absl::Time t = absl::FromUnixMillis(1732700000123);
  for (absl::Duration later :
       {absl::Milliseconds(1), absl::Seconds(1), absl::Hours(24 * 365 * 30)}) {
    EXPECT_LT(NewTimeOrderedId("msg", t), NewTimeOrderedId("msg", t + later));
  }
  EXPECT_NE(NewTimeOrderedId("msg", t), NewTimeOrderedId("msg", t));
}

TEST(RandomTest, NewIdIsUnique) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(NewId("dsc"));
  EXPECT_EQ(ids.size(), 10000u);
}

}  // namespace
}  // namespace caregate
