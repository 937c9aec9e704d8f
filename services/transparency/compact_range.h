// CompactRange: an incremental RFC 6962 Merkle tree accumulator.
//
// It holds only the right edge of the tree of `size` leaves: the hashes of
// the perfect subtrees that the binary decomposition of `size` gives
// (RightEdgeNodes(size), at most 62 hashes). Append() costs O(log n) hashes
// amortized O(1) (one leaf plus on average one merge), Root() O(log n).
//
// The tree survives restarts without a rebuild: Append() reports every
// perfect-subtree node it completes, so a store can persist them (they are
// the nodes a NodeSource serves for proofs), and Restore() continues from the
// hashes of RightEdgeNodes(size) read back.
//
// Not thread-safe: one owner (the log's writer). Copyable.
#ifndef CAREGATE_SERVICES_TRANSPARENCY_COMPACT_RANGE_H_
#define CAREGATE_SERVICES_TRANSPARENCY_COMPACT_RANGE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "services/transparency/merkle.h"

namespace caregate::tlog {

class CompactRange {
 public:
  // The empty tree.
  CompactRange() = default;

  // The nodes whose hashes make up the right edge of a tree of `size`
  // leaves, largest (leftmost) first: one per set bit of `size`, e.g. size 6
  // gives (level 2, index 0) and (level 1, index 2). Empty for size 0.
  // Requires 0 <= size <= kMaxTreeSize.
  static std::vector<NodeId> RightEdgeNodes(int64_t size);

  // Continues a tree of `size` leaves from the hashes of
  // RightEdgeNodes(size), in that order. INVALID_ARGUMENT when size is out of
  // [0, kMaxTreeSize] or the number of hashes is not the number of nodes.
  // (The hashes themselves cannot be checked here: compare Root() with a
  // trusted root to catch a wrong one.)
  static absl::StatusOr<CompactRange> Restore(int64_t size,
                                              std::vector<Hash256> right_edge);

  // Appends the leaf whose hash is `leaf_hash` (see LeafHash). When
  // `completed` is not null, appends to it every node this completes, lowest
  // first: the leaf itself (level 0, index = old size), then each perfect
  // subtree it closes, e.g. appending leaf 3 reports (0,3), (1,1), (2,0).
  // Requires size() < kMaxTreeSize (2^62 leaves); aborts the process beyond.
  void Append(const Hash256& leaf_hash, std::vector<NodeHash>* completed);

  // The Merkle tree hash of the leaves so far (EmptyRoot() for none).
  Hash256 Root() const;

  int64_t size() const { return size_; }
  // The hashes of RightEdgeNodes(size()), largest first.
  const std::vector<Hash256>& right_edge() const { return right_edge_; }

 private:
  CompactRange(int64_t size, std::vector<Hash256> right_edge)
      : size_(size), right_edge_(std::move(right_edge)) {}

  int64_t size_ = 0;
  std::vector<Hash256> right_edge_;
};

}  // namespace caregate::tlog

#endif  // CAREGATE_SERVICES_TRANSPARENCY_COMPACT_RANGE_H_
