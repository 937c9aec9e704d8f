// RFC 6962 / RFC 9162 Merkle tree hashing and the node addressing shared by
// the accumulator (compact_range.h), proof generation (proof_builder.h) and
// verification (proof_verifier.h). Plain functions, no I/O; thread-safe.
//
//   leaf hash      = SHA-256(0x00 || leaf input)
//   interior node  = SHA-256(0x01 || left || right)   (HashChildren)
//   empty tree     = SHA-256("")
//
// What a leaf input is belongs to the log that uses this library (for the
// audit log: docs/audit-log.md); LeafHash() is the one place it enters.
#ifndef CAREGATE_SERVICES_TRANSPARENCY_MERKLE_H_
#define CAREGATE_SERVICES_TRANSPARENCY_MERKLE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace caregate::tlog {

using Hash256 = std::array<uint8_t, 32>;

// The largest tree size this library handles (2^62 leaves). Levels therefore
// run from 0 (leaves) to 62.
inline constexpr int64_t kMaxTreeSize = int64_t{1} << 62;

// SHA-256(0x00 || leaf_input).
Hash256 LeafHash(std::string_view leaf_input);
// SHA-256(0x01 || left || right).
Hash256 HashChildren(const Hash256& left, const Hash256& right);
// SHA-256 of the empty string: the root of the tree of size 0.
const Hash256& EmptyRoot();

// A perfect subtree: the 2^level leaves [index * 2^level, (index+1) * 2^level).
// Level 0 nodes are leaf hashes.
struct NodeId {
  int level = 0;
  int64_t index = 0;

  friend bool operator==(const NodeId&, const NodeId&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const NodeId& id) {
    return H::combine(std::move(h), id.level, id.index);
  }
};

// A node and its hash, as reported by CompactRange::Append.
struct NodeHash {
  NodeId id;
  Hash256 hash;
};

// The perfect subtrees whose hashes, folded right to left with HashChildren(),
// give the Merkle tree hash of the leaves [begin, end): the binary
// decomposition of end - begin, largest first. Requires
// 0 <= begin < end and begin to be a multiple of the smallest power of two
// >= end - begin (true of every range a proof or a root needs, e.g. [0, n)).
std::vector<NodeId> SubtreeNodes(int64_t begin, int64_t end);

// Folds hashes of SubtreeNodes() (largest first) into the range's hash:
// h = hashes[last]; then h = HashChildren(hashes[i], h) for i from last-1 down
// to 0. `hashes` must not be empty.
Hash256 FoldRight(absl::Span<const Hash256> hashes);

// The 32 raw bytes as a string (e.g. for a bytes field or base64).
std::string HashBytes(const Hash256& hash);
// A Hash256 from exactly 32 raw bytes; INVALID_ARGUMENT naming `what` and the
// length otherwise.
absl::StatusOr<Hash256> HashFromBytes(std::string_view bytes,
                                      std::string_view what);
// Lowercase hex, for messages and tests.
std::string HashHex(const Hash256& hash);

}  // namespace caregate::tlog

#endif  // CAREGATE_SERVICES_TRANSPARENCY_MERKLE_H_
