#include "services/transparency/proof_builder.h"

#include <algorithm>
#include <bit>

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"

namespace caregate::tlog {
namespace {

// Leaves [begin, end): one proof hash.
struct Range {
  int64_t begin;
  int64_t end;
};

// The largest power of two smaller than `n` (n >= 2).
int64_t SplitPoint(int64_t n) {
  return int64_t{1} << (63 - std::countl_zero(static_cast<uint64_t>(n - 1)));
}

// Reads the nodes of every range in one call and folds each range's hash.
absl::StatusOr<std::vector<Hash256>> HashRanges(
    NodeSource& source, const std::vector<Range>& ranges) {
  std::vector<NodeId> ids;
  std::vector<size_t> counts;
  counts.reserve(ranges.size());
  for (const Range& range : ranges) {
    std::vector<NodeId> nodes = SubtreeNodes(range.begin, range.end);
    counts.push_back(nodes.size());
    ids.insert(ids.end(), nodes.begin(), nodes.end());
  }
  CG_ASSIGN_OR_RETURN(std::vector<Hash256> hashes, source.Nodes(ids));
  if (hashes.size() != ids.size()) {
    return absl::InternalError(absl::StrCat("node source returned ",
                                            hashes.size(), " hashes for ",
                                            ids.size(), " nodes"));
  }
  std::vector<Hash256> out;
  out.reserve(ranges.size());
  size_t next = 0;
  for (size_t count : counts) {
    out.push_back(
        FoldRight(absl::Span<const Hash256>(hashes.data() + next, count)));
    next += count;
  }
  return out;
}

absl::Status CheckTreeSize(int64_t tree_size) {
  if (tree_size < 0 || tree_size > kMaxTreeSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree size ", tree_size, " is out of range"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Hash256>> InclusionProof(NodeSource& source,
                                                    int64_t index,
                                                    int64_t tree_size) {
  CG_RETURN_IF_ERROR(CheckTreeSize(tree_size));
  if (index < 0 || index >= tree_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "leaf index ", index, " is not in a tree of ", tree_size, " leaves"));
  }
  // Walk down from the root; each step's sibling is one proof hash. The
  // proof lists them bottom-up.
  std::vector<Range> ranges;
  Range node{0, tree_size};
  while (node.end - node.begin > 1) {
    const int64_t mid = node.begin + SplitPoint(node.end - node.begin);
    if (index < mid) {
      ranges.push_back({mid, node.end});
      node.end = mid;
    } else {
      ranges.push_back({node.begin, mid});
      node.begin = mid;
    }
  }
  std::reverse(ranges.begin(), ranges.end());
  return HashRanges(source, ranges);
}

absl::StatusOr<std::vector<Hash256>> ConsistencyProof(NodeSource& source,
                                                      int64_t old_size,
                                                      int64_t new_size) {
  CG_RETURN_IF_ERROR(CheckTreeSize(new_size));
  if (old_size <= 0 || old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("no consistency proof from size ", old_size, " to size ",
                     new_size, " (need 0 < old size <= new size)"));
  }
  // RFC 9162 SUBPROOF, unrolled: walk down while the old tree's edge splits
  // the current subtree; `whole` is b (the subtree is the old tree itself).
  std::vector<Range> ranges;
  Range node{0, new_size};
  bool whole = true;
  while (old_size != node.end) {
    const int64_t mid = node.begin + SplitPoint(node.end - node.begin);
    if (old_size <= mid) {
      ranges.push_back({mid, node.end});
      node.end = mid;
    } else {
      ranges.push_back({node.begin, mid});
      node.begin = mid;
      whole = false;
    }
  }
  if (!whole) ranges.push_back(node);
  std::reverse(ranges.begin(), ranges.end());
  return HashRanges(source, ranges);
}

absl::StatusOr<Hash256> RootAt(NodeSource& source, int64_t tree_size) {
  CG_RETURN_IF_ERROR(CheckTreeSize(tree_size));
  if (tree_size == 0) return EmptyRoot();
  CG_ASSIGN_OR_RETURN(std::vector<Hash256> hashes,
                      HashRanges(source, {Range{0, tree_size}}));
  return hashes.front();
}

}  // namespace caregate::tlog
