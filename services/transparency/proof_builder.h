// Proof generation for an RFC 6962 / RFC 9162 Merkle tree whose perfect
// subtree hashes a NodeSource serves.
//
// Each function computes which nodes it needs (O(log n): a proof hash that
// covers a non-perfect subtree on the tree's right edge is folded from the
// perfect subtrees it consists of), reads them with ONE NodeSource::Nodes()
// call, and hashes them together. Thread-safe as far as the source is.
//
// Errors: INVALID_ARGUMENT for impossible arguments (named in the message);
// the source's error otherwise (NOT_FOUND when it lacks a node, i.e. the
// tree it holds is smaller than asked). Checking a size against the log's
// current size (OUT_OF_RANGE, say) is the caller's job.
#ifndef CAREGATE_SERVICES_TRANSPARENCY_PROOF_BUILDER_H_
#define CAREGATE_SERVICES_TRANSPARENCY_PROOF_BUILDER_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "services/transparency/merkle.h"
#include "services/transparency/node_source.h"

namespace caregate::tlog {

// The inclusion proof of leaf `index` (from 0) in the tree of the first
// `tree_size` leaves: RFC 9162 §2.1.3.1 PATH, the sibling hashes from the
// leaf up to the root. Requires 0 <= index < tree_size <= kMaxTreeSize.
absl::StatusOr<std::vector<Hash256>> InclusionProof(NodeSource& source,
                                                    int64_t index,
                                                    int64_t tree_size);

// The consistency proof from the tree of the first `old_size` leaves to the
// tree of the first `new_size`: RFC 9162 §2.1.4.1 PROOF. Requires
// 0 < old_size <= new_size <= kMaxTreeSize; empty when the sizes are equal.
// (A proof from the empty tree is meaningless: every tree extends it.)
absl::StatusOr<std::vector<Hash256>> ConsistencyProof(NodeSource& source,
                                                      int64_t old_size,
                                                      int64_t new_size);

// The Merkle tree hash of the first `tree_size` leaves (EmptyRoot() for 0).
// Requires 0 <= tree_size <= kMaxTreeSize.
absl::StatusOr<Hash256> RootAt(NodeSource& source, int64_t tree_size);

}  // namespace caregate::tlog

#endif  // CAREGATE_SERVICES_TRANSPARENCY_PROOF_BUILDER_H_
