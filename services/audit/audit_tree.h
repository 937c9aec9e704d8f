// The audit log as an RFC 6962 Merkle tree (docs/audit-log.md "The Merkle
// tree"): leaf i is the event with seq i + 1, and its leaf input is that
// event's 32-byte chain hash, so the tree commits to every event's content
// and order, while a proof reveals nothing but hashes.
//
// Plain C++, no I/O. Free functions are thread-safe; AuditTreeVerifier is
// not (one thread at a time).
#ifndef CAREGATE_SERVICES_AUDIT_AUDIT_TREE_H_
#define CAREGATE_SERVICES_AUDIT_AUDIT_TREE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "services/audit/audit_chain.h"
#include "services/audit/audit_event.h"
#include "services/transparency/compact_range.h"

namespace caregate {

// LeafHash(event_hash): SHA-256(0x00 || event_hash).
Hash256 AuditLeafHash(const Hash256& event_hash);

// Removes the leaves (level 0) from nodes CompactRange::Append completed:
// the store keeps the others only, and gives a leaf from its event's hash
// (Store::ReadTreeNodes), which halves the rows written per event.
void DropLeaves(std::vector<tlog::NodeHash>& nodes);

// Walks events from seq 1 in order, checking the hash chain (ChainVerifier)
// and growing the Merkle tree of the events it accepted; records the tree's
// root at the sizes asked for beforehand. Rebuilding the tree from the
// events themselves is what ties a root to the events' content: a stored
// tree node or a stored hash column proves nothing about the rows.
class AuditTreeVerifier {
 public:
  // Roots to record: RootAt(size) answers for each size in `sizes` once the
  // walk has reached it.
  explicit AuditTreeVerifier(absl::Span<const int64_t> sizes = {});

  // False once the chain is broken (then result() says where and why).
  bool Add(const AuditEvent& event);

  const VerifyResult& result() const { return chain_.result(); }
  int64_t size() const { return tree_.size(); }
  const tlog::CompactRange& tree() const { return tree_; }
  // The root at `size` if recorded (size() == size counts too).
  std::optional<Hash256> RootAt(int64_t size) const;

 private:
  ChainVerifier chain_;
  tlog::CompactRange tree_;
  absl::flat_hash_map<int64_t, std::optional<Hash256>> roots_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_AUDIT_TREE_H_
