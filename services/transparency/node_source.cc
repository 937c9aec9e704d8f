#include "services/transparency/node_source.h"

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"

namespace caregate::tlog {

absl::StatusOr<std::vector<Hash256>> NodeSource::Nodes(
    absl::Span<const NodeId> ids) {
  std::vector<Hash256> hashes;
  hashes.reserve(ids.size());
  for (const NodeId& id : ids) {
    CG_ASSIGN_OR_RETURN(Hash256 hash, Node(id.level, id.index));
    hashes.push_back(hash);
  }
  return hashes;
}

void MemoryNodeSource::AppendLeaf(const Hash256& leaf_hash) {
  completed_.clear();
  range_.Append(leaf_hash, &completed_);
  for (const NodeHash& node : completed_) {
    if (levels_.size() <= static_cast<size_t>(node.id.level)) {
      levels_.resize(node.id.level + 1);
    }
    levels_[node.id.level].push_back(node.hash);  // index == current count
  }
}

void MemoryNodeSource::Reserve(int64_t leaves) {
  for (int level = 0; (leaves >> level) > 0; ++level) {
    if (levels_.size() <= static_cast<size_t>(level)) levels_.resize(level + 1);
    levels_[level].reserve(leaves >> level);
  }
}

absl::StatusOr<Hash256> MemoryNodeSource::Node(int level, int64_t index) {
  if (level < 0 || static_cast<size_t>(level) >= levels_.size() || index < 0 ||
      static_cast<uint64_t>(index) >= levels_[level].size()) {
    return absl::NotFoundError(absl::StrCat("no node at level ", level,
                                            " index ", index, " (tree size ",
                                            range_.size(), ")"));
  }
  return levels_[level][index];
}

}  // namespace caregate::tlog
