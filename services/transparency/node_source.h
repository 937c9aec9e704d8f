// NodeSource: where proof generation reads the hashes of perfect subtrees.
//
// A log keeps the nodes CompactRange::Append reports (in its store, in
// memory, ...) and serves them through this interface; proof_builder.h
// computes every hash it needs from them. Level 0 nodes are leaf hashes.
//
// Thread-safety is the implementation's to state. MemoryNodeSource is not
// thread-safe.
#ifndef CAREGATE_SERVICES_TRANSPARENCY_NODE_SOURCE_H_
#define CAREGATE_SERVICES_TRANSPARENCY_NODE_SOURCE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/transparency/compact_range.h"
#include "services/transparency/merkle.h"

namespace caregate::tlog {

class NodeSource {
 public:
  virtual ~NodeSource() = default;

  // The hash of the perfect subtree (level, index). NOT_FOUND when the source
  // does not hold it (the tree is smaller); other errors (e.g. UNAVAILABLE
  // from a store) pass through the proof functions unchanged.
  virtual absl::StatusOr<Hash256> Node(int level, int64_t index) = 0;

  // The hashes of `ids`, in the same order. The proof functions ask for all
  // the nodes of one proof in one call (O(log n) of them). This default calls
  // Node() for each; a store can override it to read them in one query.
  virtual absl::StatusOr<std::vector<Hash256>> Nodes(
      absl::Span<const NodeId> ids);
};

// Every node of a tree, in memory (about 64 bytes per leaf): for tests and
// benchmarks. Not thread-safe.
class MemoryNodeSource final : public NodeSource {
 public:
  MemoryNodeSource() = default;

  // Appends a leaf and keeps every node it completes.
  void AppendLeaf(const Hash256& leaf_hash);
  // Reserves room for `leaves` leaves (optional, saves reallocation).
  void Reserve(int64_t leaves);

  int64_t size() const { return range_.size(); }
  Hash256 Root() const { return range_.Root(); }
  const CompactRange& range() const { return range_; }

  absl::StatusOr<Hash256> Node(int level, int64_t index) override;

 private:
  CompactRange range_;
  std::vector<std::vector<Hash256>> levels_;  // levels_[l][i] = node (l, i)
  std::vector<NodeHash> completed_;           // scratch for AppendLeaf
};

}  // namespace caregate::tlog

#endif  // CAREGATE_SERVICES_TRANSPARENCY_NODE_SOURCE_H_
