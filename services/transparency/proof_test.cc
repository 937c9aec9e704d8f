// Proof generation and verification against the published RFC 6962
// reference proofs, with the errors each kind of bad input gets.
#include <bit>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/transparency/node_source.h"
#include "services/transparency/proof_builder.h"
#include "services/transparency/proof_verifier.h"
#include "services/transparency/test_vectors.h"
#include "tests/testing/status_matchers.h"

namespace caregate::tlog {
namespace {

using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
using testing::HashesFromHex;
using testing::HashFromHex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

MemoryNodeSource ReferenceTree() {
  MemoryNodeSource source;
  for (const Hash256& leaf : testing::ReferenceLeafHashes()) {
    source.AppendLeaf(leaf);
  }
  return source;
}

Hash256 ReferenceRoot(int64_t size) {
  return HashFromHex(testing::ReferenceRootsHex()[size - 1]);
}

// Counts reads and calls, to check proofs read O(log n) nodes in one batch.
class CountingSource final : public NodeSource {
 public:
  explicit CountingSource(NodeSource* inner) : inner_(inner) {}
  absl::StatusOr<Hash256> Node(int level, int64_t index) override {
    ++reads;
    return inner_->Node(level, index);
  }
  absl::StatusOr<std::vector<Hash256>> Nodes(
      absl::Span<const NodeId> ids) override {
    ++batches;
    return NodeSource::Nodes(ids);
  }
  int reads = 0;
  int batches = 0;

 private:
  NodeSource* inner_;
};

TEST(InclusionProofTest, MatchesThePublishedProofs) {
  MemoryNodeSource source = ReferenceTree();
  const std::vector<Hash256> leaves = testing::ReferenceLeafHashes();
  for (const auto& vector : testing::ReferenceInclusionProofs()) {
    SCOPED_TRACE(testing::ReferenceLeavesHex()[vector.index]);
    absl::StatusOr<std::vector<Hash256>> proof =
        InclusionProof(source, vector.index, vector.tree_size);
    CG_ASSERT_OK(proof);
    EXPECT_EQ(*proof, HashesFromHex(vector.proof_hex));
    EXPECT_THAT(
        VerifyInclusion(leaves[vector.index], vector.index, vector.tree_size,
                        *proof, ReferenceRoot(vector.tree_size)),
        IsOk());
  }
}

TEST(ConsistencyProofTest, MatchesThePublishedProofs) {
  MemoryNodeSource source = ReferenceTree();
  for (const auto& vector : testing::ReferenceConsistencyProofs()) {
    SCOPED_TRACE(vector.old_size);
    absl::StatusOr<std::vector<Hash256>> proof =
        ConsistencyProof(source, vector.old_size, vector.new_size);
    CG_ASSERT_OK(proof);
    EXPECT_EQ(*proof, HashesFromHex(vector.proof_hex));
    EXPECT_THAT(VerifyConsistency(vector.old_size, vector.new_size, *proof,
                                  ReferenceRoot(vector.old_size),
                                  ReferenceRoot(vector.new_size)),
                IsOk());
  }
}

TEST(RootAtTest, MatchesThePublishedRoots) {
  MemoryNodeSource source = ReferenceTree();
  EXPECT_EQ(*RootAt(source, 0), EmptyRoot());
  for (int64_t size = 1; size <= 8; ++size) {
    absl::StatusOr<Hash256> root = RootAt(source, size);
    CG_ASSERT_OK(root);
    EXPECT_EQ(*root, ReferenceRoot(size)) << "size " << size;
  }
}

TEST(ProofBuilderTest, RejectsImpossibleArguments) {
  MemoryNodeSource source = ReferenceTree();
  EXPECT_THAT(InclusionProof(source, 8, 8),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leaf index 8 is not in a tree of 8 leaves")));
  EXPECT_THAT(
      InclusionProof(source, -1, 8),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("leaf index -1")));
  EXPECT_THAT(InclusionProof(source, 0, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not in a tree of 0 leaves")));
  EXPECT_THAT(ConsistencyProof(source, 0, 8),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("need 0 < old size <= new size")));
  EXPECT_THAT(ConsistencyProof(source, 5, 4),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("from size 5 to size 4")));
  EXPECT_THAT(RootAt(source, -1),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tree size -1 is out of range")));
  EXPECT_THAT(
      InclusionProof(source, 0, kMaxTreeSize + 1),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("out of range")));
}

TEST(ProofBuilderTest, EqualSizesGiveAnEmptyConsistencyProof) {
  MemoryNodeSource source = ReferenceTree();
  absl::StatusOr<std::vector<Hash256>> proof = ConsistencyProof(source, 5, 5);
  CG_ASSERT_OK(proof);
  EXPECT_THAT(*proof, IsEmpty());
}

TEST(ProofBuilderTest, ASizeBeyondTheSourceIsTheSourcesNotFound) {
  MemoryNodeSource source = ReferenceTree();
  EXPECT_THAT(InclusionProof(source, 3, 9),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no node")));
  EXPECT_THAT(ConsistencyProof(source, 3, 12),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no node")));
  EXPECT_THAT(RootAt(source, 9),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no node")));
}

TEST(ProofBuilderTest, ReadsLogarithmicallyManyNodesInOneBatch) {
  MemoryNodeSource memory;
  const int64_t size = (int64_t{1} << 16) - 1;  // every level non-perfect
  for (const Hash256& leaf : testing::SyntheticLeafHashes(size)) {
    memory.AppendLeaf(leaf);
  }
  for (int64_t index : {int64_t{0}, int64_t{12345}, size - 1}) {
    CountingSource counting(&memory);
    CG_ASSERT_OK(InclusionProof(counting, index, size));
    EXPECT_EQ(counting.batches, 1);
    EXPECT_LE(counting.reads, 2 * 16) << "index " << index;
  }
  for (int64_t old_size : {int64_t{1}, int64_t{777}, size - 1}) {
    CountingSource counting(&memory);
    CG_ASSERT_OK(ConsistencyProof(counting, old_size, size));
    EXPECT_EQ(counting.batches, 1);
    EXPECT_LE(counting.reads, 2 * 16) << "old size " << old_size;
  }
  CountingSource counting(&memory);
  CG_ASSERT_OK(RootAt(counting, size));
  EXPECT_EQ(counting.reads, 16);  // one node per set bit of the size
}

class FailingSource final : public NodeSource {
 public:
  absl::StatusOr<Hash256> Node(int, int64_t) override {
    return absl::UnavailableError("store is down");
  }
};

TEST(ProofBuilderTest, PassesTheSourcesErrorThrough) {
  FailingSource source;
  EXPECT_THAT(InclusionProof(source, 1, 5),
              StatusIs(absl::StatusCode::kUnavailable, "store is down"));
  EXPECT_THAT(ConsistencyProof(source, 2, 5),
              StatusIs(absl::StatusCode::kUnavailable, "store is down"));
}

class ShortBatchSource final : public NodeSource {
 public:
  absl::StatusOr<Hash256> Node(int, int64_t) override { return Hash256{}; }
  absl::StatusOr<std::vector<Hash256>> Nodes(
      absl::Span<const NodeId>) override {
    return std::vector<Hash256>{};
  }
};

TEST(ProofBuilderTest, RefusesASourceThatReturnsTooFewHashes) {
  ShortBatchSource source;
  EXPECT_THAT(InclusionProof(source, 1, 5),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("returned 0 hashes for 3 nodes")));
}

// The verifier's errors, one per kind of bad input.

TEST(VerifyInclusionTest, NamesEachProblem) {
  const std::vector<Hash256> leaves = testing::ReferenceLeafHashes();
  const auto& ref = testing::ReferenceInclusionProofs()[2];  // leaf 5 of 8
  const std::vector<Hash256> proof = HashesFromHex(ref.proof_hex);
  const Hash256 root = ReferenceRoot(8);
  const Hash256& leaf = leaves[5];

  EXPECT_THAT(VerifyInclusion(leaf, 8, 8, proof, root),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leaf index 8 is not in a tree of 8 leaves")));
  EXPECT_THAT(
      VerifyInclusion(leaf, -1, 8, proof, root),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("leaf index -1")));
  EXPECT_THAT(VerifyInclusion(leaf, 0, 0, {}, EmptyRoot()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not in a tree of 0 leaves")));
  EXPECT_THAT(
      VerifyInclusion(leaf, 5, 8, absl::MakeSpan(proof).subspan(0, 2), root),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("inclusion proof of leaf 5 in a tree of 8 "
                         "leaves has 2 hashes, want 3")));
  std::vector<Hash256> longer = proof;
  longer.push_back(root);
  EXPECT_THAT(VerifyInclusion(leaf, 5, 8, longer, root),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has 4 hashes, want 3")));
  EXPECT_THAT(
      VerifyInclusion(leaves[4], 5, 8, proof, root),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr("does not match the expected root " + HashHex(root))));
  EXPECT_THAT(VerifyInclusion(leaf, 5, 8, proof, ReferenceRoot(7)),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("calculated root " + HashHex(root))));
  EXPECT_THAT(VerifyInclusion(leaf, 5, 1 + kMaxTreeSize, proof, root),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tree size 4611686018427387905 is out of "
                                 "range")));
}

TEST(VerifyInclusionTest, SingleLeafTreeNeedsAnEmptyProof) {
  const Hash256 leaf = LeafHash("only");
  EXPECT_THAT(VerifyInclusion(leaf, 0, 1, {}, leaf), IsOk());
  EXPECT_THAT(VerifyInclusion(leaf, 0, 1, {leaf}, leaf),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("has 1 hashes, want 0")));
  EXPECT_THAT(VerifyInclusion(leaf, 0, 1, {}, LeafHash("other")),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("calculated")));
}

TEST(VerifyConsistencyTest, NamesEachProblem) {
  const auto& ref = testing::ReferenceConsistencyProofs()[2];  // 6 -> 8
  const std::vector<Hash256> proof = HashesFromHex(ref.proof_hex);
  const Hash256 root6 = ReferenceRoot(6);
  const Hash256 root8 = ReferenceRoot(8);
  CG_EXPECT_OK(VerifyConsistency(6, 8, proof, root6, root8));

  EXPECT_THAT(VerifyConsistency(8, 6, proof, root8, root6),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("old tree size 8 is larger than new tree "
                                 "size 6")));
  EXPECT_THAT(VerifyConsistency(0, 8, {}, EmptyRoot(), root8),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("from the empty tree is meaningless")));
  EXPECT_THAT(
      VerifyConsistency(0, 0, {}, EmptyRoot(), EmptyRoot()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("meaningless")));
  EXPECT_THAT(VerifyConsistency(6, 8, {}, root6, root8),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("consistency proof from size 6 to size 8 "
                                 "has 0 hashes, want 3")));
  EXPECT_THAT(
      VerifyConsistency(6, 8, absl::MakeSpan(proof).subspan(1), root6, root8),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("has 2 hashes, want 3")));
  EXPECT_THAT(VerifyConsistency(6, 8, proof, root8, root8),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("(old tree): calculated root")));
  EXPECT_THAT(VerifyConsistency(6, 8, proof, root6, root6),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("(new tree): calculated root")));
  EXPECT_THAT(VerifyConsistency(-1, 8, proof, root6, root8),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("old tree size -1 is out of range")));
}

TEST(VerifyConsistencyTest, EqualSizesNeedEqualRootsAndNoProof) {
  const Hash256 root = ReferenceRoot(5);
  CG_EXPECT_OK(VerifyConsistency(5, 5, {}, root, root));
  EXPECT_THAT(VerifyConsistency(5, 5, {root}, root, root),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("from size 5 to size 5 has 1 hashes, "
                                 "want 0")));
  EXPECT_THAT(VerifyConsistency(5, 5, {}, root, ReferenceRoot(4)),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("two different roots for tree size 5")));
}

TEST(ProofFromBytesTest, ChecksEveryHashLength) {
  absl::StatusOr<std::vector<Hash256>> proof =
      ProofFromBytes({std::string(32, 'a'), std::string(32, 'b')});
  CG_ASSERT_OK(proof);
  EXPECT_EQ(proof->size(), 2u);
  EXPECT_THAT(ProofFromBytes({std::string(32, 'a'), std::string(33, 'b')}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("proof hash 1 is 33 bytes, want 32")));
  EXPECT_THAT(ProofFromBytes({""}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("proof hash 0 is 0 bytes")));
}

TEST(ProofLengthTest, MatchesTheRfcDefinitionsAtLargeSizes) {
  // The lengths at sizes far beyond what the exhaustive tests build.
  const int64_t n = int64_t{1} << 40;
  EXPECT_EQ(InclusionProofLength(0, n), 40);
  EXPECT_EQ(InclusionProofLength(n - 1, n), 40);
  EXPECT_EQ(InclusionProofLength(n - 1, n + 1), 41);
  EXPECT_EQ(InclusionProofLength(n, n + 1), 1);
  EXPECT_EQ(ConsistencyProofLength(n / 2, n), 1);
  EXPECT_EQ(ConsistencyProofLength(1, n), 40);
  // From 2^40 - 1 (forty 1 bits) to 2^40: 1 + 39 + 1 hashes.
  EXPECT_EQ(ConsistencyProofLength(n - 1, n), 41);
  EXPECT_EQ(ConsistencyProofLength(7, 8), 4);
}

}  // namespace
}  // namespace caregate::tlog
