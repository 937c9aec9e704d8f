#include "services/transparency/merkle.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/transparency/test_vectors.h"
#include "tests/testing/status_matchers.h"

namespace caregate::tlog {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using testing::HashFromHex;
using ::testing::HasSubstr;

TEST(MerkleHashTest, MatchesRfc6962Vectors) {
  // echo -n | sha256sum
  EXPECT_EQ(HashHex(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // echo -n 00 | xxd -r -p | sha256sum: an empty leaf is not the empty tree.
  EXPECT_EQ(HashHex(LeafHash("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  // echo -n 004C313233343536 | xxd -r -p | sha256sum
  EXPECT_EQ(HashHex(LeafHash("L123456")),
            "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
}

TEST(MerkleHashTest, NodeHashIsPrefixedAndOrdered) {
  // The root of the two reference leaves "" and 0x00.
  const Hash256 left = LeafHash("");
  const Hash256 right = LeafHash(std::string(1, '\0'));
  EXPECT_EQ(HashHex(HashChildren(left, right)),
            testing::ReferenceRootsHex()[1]);
  EXPECT_NE(HashChildren(left, right), HashChildren(right, left));
  // A node is not the leaf hash of its children's concatenation.
  EXPECT_NE(HashChildren(left, right),
            LeafHash(HashBytes(left) + HashBytes(right)));
}

TEST(SubtreeNodesTest, DecomposesLargestFirst) {
  EXPECT_THAT(SubtreeNodes(0, 1), ElementsAre(NodeId{0, 0}));
  EXPECT_THAT(SubtreeNodes(0, 6), ElementsAre(NodeId{2, 0}, NodeId{1, 2}));
  EXPECT_THAT(SubtreeNodes(0, 7),
              ElementsAre(NodeId{2, 0}, NodeId{1, 2}, NodeId{0, 6}));
  EXPECT_THAT(SubtreeNodes(8, 13), ElementsAre(NodeId{2, 2}, NodeId{0, 12}));
  EXPECT_THAT(SubtreeNodes(16, 32), ElementsAre(NodeId{4, 1}));
}

TEST(SubtreeNodesTest, FoldRightGivesTheTreeHash) {
  const std::vector<Hash256> leaves = testing::SyntheticLeafHashes(40);
  for (int64_t end = 1; end <= 40; ++end) {
    std::vector<Hash256> parts;
    for (const NodeId& id : SubtreeNodes(0, end)) {
      const int64_t begin = id.index << id.level;
      parts.push_back(testing::ReferenceTreeHash(
          leaves, begin, begin + (int64_t{1} << id.level)));
    }
    EXPECT_EQ(FoldRight(parts), testing::ReferenceTreeHash(leaves, 0, end))
        << "size " << end;
  }
}

TEST(HashBytesTest, RoundTripsAndChecksLength) {
  const Hash256 hash = HashFromHex(testing::ReferenceRootsHex()[7]);
  absl::StatusOr<Hash256> back = HashFromBytes(HashBytes(hash), "root");
  CG_ASSERT_OK(back);
  EXPECT_EQ(*back, hash);
  EXPECT_THAT(HashFromBytes(std::string(31, 'x'), "root"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("root is 31 bytes, want 32")));
}

}  // namespace
}  // namespace caregate::tlog
