#include "services/transparency/compact_range.h"

#include <bit>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace caregate::tlog {

std::vector<NodeId> CompactRange::RightEdgeNodes(int64_t size) {
  if (size <= 0) return {};
  return SubtreeNodes(0, size);
}

absl::StatusOr<CompactRange> CompactRange::Restore(
    int64_t size, std::vector<Hash256> right_edge) {
  if (size < 0 || size > kMaxTreeSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree size ", size, " is out of range"));
  }
  const size_t want = std::popcount(static_cast<uint64_t>(size));
  if (right_edge.size() != want) {
    return absl::InvalidArgumentError(
        absl::StrCat("a tree of size ", size, " has ", want,
                     " right-edge nodes, got ", right_edge.size()));
  }
  return CompactRange(size, std::move(right_edge));
}

void CompactRange::Append(const Hash256& leaf_hash,
                          std::vector<NodeHash>* completed) {
  if (size_ >= kMaxTreeSize) {
    std::fputs("caregate tlog: CompactRange is full (2^62 leaves)\n", stderr);
    std::abort();
  }
  Hash256 hash = leaf_hash;
  int64_t index = size_;
  if (completed != nullptr) completed->push_back({{0, index}, hash});
  // Each trailing one bit of the old size is a perfect subtree of the same
  // level as the one just built: merge them.
  for (int level = 0; (size_ >> level & 1) != 0; ++level) {
    hash = HashChildren(right_edge_.back(), hash);
    right_edge_.pop_back();
    index >>= 1;
    if (completed != nullptr) completed->push_back({{level + 1, index}, hash});
  }
  right_edge_.push_back(hash);
  ++size_;
}

Hash256 CompactRange::Root() const {
  if (right_edge_.empty()) return EmptyRoot();
  return FoldRight(right_edge_);
}

}  // namespace caregate::tlog
