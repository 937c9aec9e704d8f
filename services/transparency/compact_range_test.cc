#include "services/transparency/compact_range.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/transparency/test_vectors.h"
#include "tests/testing/status_matchers.h"

namespace caregate::tlog {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(CompactRangeTest, EmptyTreeHasTheEmptyRoot) {
  CompactRange range;
  EXPECT_EQ(range.size(), 0);
  EXPECT_EQ(range.Root(), EmptyRoot());
  EXPECT_THAT(range.right_edge(), IsEmpty());
}

TEST(CompactRangeTest, RootsMatchTheReferenceTree) {
  CompactRange range;
  const std::vector<Hash256> leaves = testing::ReferenceLeafHashes();
  for (size_t i = 0; i < leaves.size(); ++i) {
    range.Append(leaves[i], nullptr);
    EXPECT_EQ(HashHex(range.Root()), testing::ReferenceRootsHex()[i])
        << "size " << i + 1;
  }
}

TEST(CompactRangeTest, RootsMatchTheRecursiveDefinition) {
  const std::vector<Hash256> leaves = testing::SyntheticLeafHashes(300);
  CompactRange range;
  for (int64_t n = 1; n <= 300; ++n) {
    range.Append(leaves[n - 1], nullptr);
    ASSERT_EQ(range.Root(), testing::ReferenceTreeHash(leaves, 0, n))
        << "size " << n;
  }
}

TEST(CompactRangeTest, AppendReportsTheNodesItCompletes) {
  const std::vector<Hash256> leaves = testing::SyntheticLeafHashes(4);
  CompactRange range;
  std::vector<NodeHash> completed;
  for (int i = 0; i < 3; ++i) range.Append(leaves[i], nullptr);
  range.Append(leaves[3], &completed);
  ASSERT_EQ(completed.size(), 3u);
  EXPECT_EQ(completed[0].id, (NodeId{0, 3}));
  EXPECT_EQ(completed[0].hash, leaves[3]);
  EXPECT_EQ(completed[1].id, (NodeId{1, 1}));
  EXPECT_EQ(completed[1].hash, HashChildren(leaves[2], leaves[3]));
  EXPECT_EQ(completed[2].id, (NodeId{2, 0}));
  EXPECT_EQ(completed[2].hash, testing::ReferenceTreeHash(leaves, 0, 4));
}

TEST(CompactRangeTest, ReportedNodesAreEveryPerfectSubtreeOnce) {
  const std::vector<Hash256> leaves = testing::SyntheticLeafHashes(100);
  CompactRange range;
  std::vector<NodeHash> completed;
  for (const Hash256& leaf : leaves) range.Append(leaf, &completed);
  // A tree of 100 leaves has 100 + 50 + 25 + 12 + 6 + 3 + 1 perfect subtrees.
  EXPECT_EQ(completed.size(), 197u);
  for (const NodeHash& node : completed) {
    const int64_t begin = node.id.index << node.id.level;
    EXPECT_EQ(node.hash,
              testing::ReferenceTreeHash(leaves, begin,
                                         begin + (int64_t{1} << node.id.level)))
        << "level " << node.id.level << " index " << node.id.index;
  }
}

TEST(CompactRangeTest, RightEdgeNodesFollowTheSizesBits) {
  EXPECT_THAT(CompactRange::RightEdgeNodes(0), IsEmpty());
  EXPECT_THAT(CompactRange::RightEdgeNodes(1), ElementsAre(NodeId{0, 0}));
  EXPECT_THAT(CompactRange::RightEdgeNodes(6),
              ElementsAre(NodeId{2, 0}, NodeId{1, 2}));
  EXPECT_THAT(CompactRange::RightEdgeNodes(8), ElementsAre(NodeId{3, 0}));
  EXPECT_THAT(CompactRange::RightEdgeNodes(11),
              ElementsAre(NodeId{3, 0}, NodeId{1, 4}, NodeId{0, 10}));
}

TEST(CompactRangeTest, RestoredRangeContinuesLikeTheOriginal) {
  const std::vector<Hash256> leaves = testing::SyntheticLeafHashes(200);
  CompactRange original;
  for (int64_t size = 0; size < 150; ++size) {
    // What a store would do: load the right edge's nodes by id.
    std::vector<Hash256> edge;
    for (const NodeId& id : CompactRange::RightEdgeNodes(size)) {
      const int64_t begin = id.index << id.level;
      edge.push_back(testing::ReferenceTreeHash(
          leaves, begin, begin + (int64_t{1} << id.level)));
    }
    EXPECT_EQ(edge, original.right_edge()) << "size " << size;
    absl::StatusOr<CompactRange> restored = CompactRange::Restore(size, edge);
    CG_ASSERT_OK(restored);
    EXPECT_EQ(restored->Root(), original.Root());
    for (int64_t i = size; i < size + 50; ++i) {
      restored->Append(leaves[i], nullptr);
    }
    EXPECT_EQ(restored->Root(),
              testing::ReferenceTreeHash(leaves, 0, size + 50))
        << "restored at size " << size;
    original.Append(leaves[size], nullptr);
  }
}

TEST(CompactRangeTest, RestoreRejectsAWrongNodeCount) {
  EXPECT_THAT(CompactRange::Restore(6, {Hash256{}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("a tree of size 6 has 2 right-edge nodes, "
                                 "got 1")));
  EXPECT_THAT(CompactRange::Restore(0, {Hash256{}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has 0 right-edge nodes, got 1")));
  EXPECT_THAT(CompactRange::Restore(-1, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tree size -1 is out of range")));
  EXPECT_THAT(
      CompactRange::Restore(kMaxTreeSize + 1, {}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("out of range")));
}

TEST(CompactRangeTest, RestoreAtALargeSizeKeepsSixtyTwoLevels) {
  const int64_t size = kMaxTreeSize - 1;  // 62 set bits
  std::vector<Hash256> edge(62, LeafHash("x"));
  absl::StatusOr<CompactRange> range = CompactRange::Restore(size, edge);
  CG_ASSERT_OK(range);
  std::vector<NodeHash> completed;
  range->Append(LeafHash("y"), &completed);
  EXPECT_EQ(range->size(), kMaxTreeSize);
  EXPECT_EQ(range->right_edge().size(), 1u);
  EXPECT_EQ(completed.size(), 63u);
  EXPECT_EQ(completed.back().id, (NodeId{62, 0}));
}

}  // namespace
}  // namespace caregate::tlog
