// The hash chain of the audit log: canonical serialization, appending, and
// verification. Plain C++; no I/O.
//
// hash(e) = SHA-256(prev_hash || CanonicalEventBytes(e)), prev_hash of seq 1 is
// 32 zero bytes. docs/audit-log.md specifies the canonical form so an auditor
// can re-implement it.
#ifndef CAREGATE_SERVICES_AUDIT_AUDIT_CHAIN_H_
#define CAREGATE_SERVICES_AUDIT_AUDIT_CHAIN_H_

#include <cstdint>
#include <optional>
#include <string>

#include "services/audit/audit_event.h"

namespace caregate {

// The deterministic serialization of `event` without seq-independent fields
// excluded: every field except prev_hash and hash (seq included).
std::string CanonicalEventBytes(const AuditEvent& event);

// SHA-256(prev_hash || CanonicalEventBytes(event)).
Hash256 ComputeEventHash(const Hash256& prev_hash, const AuditEvent& event);

// Appends events to the chain. Not thread-safe: owned by the one writer.
class AuditChain {
 public:
  // An empty chain (next seq 1, zero prev hash).
  AuditChain() = default;
  // Continues after the event `head_seq` whose hash is `head_hash`.
  AuditChain(int64_t head_seq, const Hash256& head_hash);

  // Sets event->seq, prev_hash and hash, and advances the head.
  void Append(AuditEvent* event);

  int64_t head_seq() const { return head_seq_; }
  const Hash256& head_hash() const { return head_hash_; }

 private:
  int64_t head_seq_ = 0;
  Hash256 head_hash_{};
};

// The outcome of verifying (part of) the log.
struct VerifyResult {
  bool ok = true;
  int64_t verified_through_seq = 0;  // the last seq found good
  int64_t first_bad_seq = 0;         // when !ok
  std::string problem;               // when !ok: what is wrong, PHI-free
};

// Verifies events fed in ascending order. Reports the first problem: a seq
// that does not follow its predecessor (a gap, a duplicate or a reordering), a
// prev_hash that is not the previous event's hash, or a hash that does not
// match the recomputation. Not thread-safe.
class ChainVerifier {
 public:
  // Starting at seq 1 with the zero hash.
  ChainVerifier() = default;
  // Starting after `anchor_seq` whose (trusted) hash is `anchor_hash`.
  ChainVerifier(int64_t anchor_seq, const Hash256& anchor_hash);

  // Returns false once a problem is found (and stays false).
  bool Add(const AuditEvent& event);
  const VerifyResult& result() const { return result_; }
  // The hash of the last event accepted (the anchor if none).
  const Hash256& head_hash() const { return head_hash_; }

 private:
  int64_t expected_seq_ = 1;
  Hash256 head_hash_{};
  VerifyResult result_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_AUDIT_CHAIN_H_
