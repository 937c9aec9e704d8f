// Verification of RFC 6962 / RFC 9162 inclusion and consistency proofs.
//
// Plain functions, no I/O, thread-safe. They never trust the proof's shape:
// sizes, indexes and the number of hashes are checked against what the tree
// sizes imply before any hashing, and then the RFC 9162 algorithms
// (§2.1.3.2, §2.1.4.2) run with their own end checks as well.
//
// Errors:
//   INVALID_ARGUMENT  the arguments cannot describe a valid proof: an index
//                     outside the tree, a size out of range, old size 0 or
//                     larger than the new size, the wrong number of hashes
//                     (the message gives the number expected);
//   DATA_LOSS         the proof is well formed but does not lead to the
//                     given root(s): the leaf is not in that tree, or the two
//                     trees are not consistent (one is a rewrite of the
//                     other, or the proof was altered).
#ifndef CAREGATE_SERVICES_TRANSPARENCY_PROOF_VERIFIER_H_
#define CAREGATE_SERVICES_TRANSPARENCY_PROOF_VERIFIER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/transparency/merkle.h"

namespace caregate::tlog {

// The number of hashes in an inclusion proof of leaf `index` in a tree of
// `tree_size` leaves (0 <= index < tree_size).
int InclusionProofLength(int64_t index, int64_t tree_size);
// The number of hashes in a consistency proof from `old_size` to `new_size`
// (0 < old_size <= new_size).
int ConsistencyProofLength(int64_t old_size, int64_t new_size);

// The root that `proof` leads to from the leaf hash `leaf_hash` at `index`
// in a tree of `tree_size` leaves. INVALID_ARGUMENT as above.
absl::StatusOr<Hash256> RootFromInclusionProof(const Hash256& leaf_hash,
                                               int64_t index, int64_t tree_size,
                                               absl::Span<const Hash256> proof);

// OK when `proof` shows that the leaf whose hash is `leaf_hash` is leaf
// `index` of the tree of `tree_size` leaves whose root is `root`.
absl::Status VerifyInclusion(const Hash256& leaf_hash, int64_t index,
                             int64_t tree_size, absl::Span<const Hash256> proof,
                             const Hash256& root);

// OK when `proof` shows that the tree of `old_size` leaves with root
// `old_root` is a prefix of the tree of `new_size` leaves with root
// `new_root`. Equal sizes need an empty proof and equal roots.
absl::Status VerifyConsistency(int64_t old_size, int64_t new_size,
                               absl::Span<const Hash256> proof,
                               const Hash256& old_root,
                               const Hash256& new_root);

// Proof hashes from raw byte strings (e.g. protobuf `bytes` or decoded
// base64): INVALID_ARGUMENT "proof hash 3 is 31 bytes, want 32" when one is
// not exactly 32 bytes.
absl::StatusOr<std::vector<Hash256>> ProofFromBytes(
    absl::Span<const std::string> hashes);

}  // namespace caregate::tlog

#endif  // CAREGATE_SERVICES_TRANSPARENCY_PROOF_VERIFIER_H_
