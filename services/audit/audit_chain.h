// The hash chain of the audit log: canonical serialization, appending, and
// verification. Plain C++; no I/O.
//
// hash(e) = SHA-256(prev_hash || CanonicalEventBytes(e)), prev_hash of seq 1 is
// 32 zero bytes. docs/audit-log.md specifies the canonical form byte for byte
// so an auditor can re-implement it.
//
// Free functions are thread-safe. AuditChain and ChainVerifier are not: each
// belongs to one thread at a time.
#ifndef CAREGATE_SERVICES_AUDIT_AUDIT_CHAIN_H_
#define CAREGATE_SERVICES_AUDIT_AUDIT_CHAIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "services/audit/audit_event.h"

namespace caregate {

// The domain tag that starts every canonical event ("caregate.audit.v1").
inline constexpr std::string_view kAuditEventDomainTag = "caregate.audit.v1";

// The deterministic serialization of `event` that its hash covers: the domain
// tag, then every field except prev_hash and hash (seq included), in the order
// of docs/audit-log.md. Time counts in whole microseconds (floor). Each string
// must be shorter than 4 GiB (the gateway's input limits are far lower).
std::string CanonicalEventBytes(const AuditEvent& event);

// SHA-256(prev_hash || CanonicalEventBytes(event)). Allocation-free after the
// first call on a thread (reuses a per-thread buffer).
Hash256 ComputeEventHash(const Hash256& prev_hash, const AuditEvent& event);

// Appends events to the chain. Not thread-safe: owned by the one writer.
class AuditChain {
 public:
  // An empty chain (next seq 1, zero prev hash).
  AuditChain() = default;
  // Continues after the event `head_seq` whose hash is `head_hash`.
  AuditChain(int64_t head_seq, const Hash256& head_hash);

  // Truncates event->time to whole microseconds (so an event read back from
  // the store hashes the same), sets event->seq, prev_hash and hash, and
  // advances the head.
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
  // The last seq found good; the anchor's seq (0 without one) when no event
  // has been accepted yet.
  int64_t verified_through_seq = 0;
  int64_t first_bad_seq = 0;  // when !ok: the seq of the event found bad
  std::string problem;        // when !ok: what is wrong, PHI-free
};

// Verifies events fed in ascending order. Reports the first problem, checked
// in this order for each event:
//   "seq 7: expected seq 6 (event missing or reordered)"  (a gap, duplicate
//                                                          or reordering)
//   "seq 7: prev_hash does not match hash of seq 6"
//   "seq 1: prev_hash is not 32 zero bytes"
//   "seq 7: hash mismatch (event content changed)"
// A rewrite that recomputes every later hash is not detectable from the
// events alone: compare with a signed checkpoint (checkpoint.h). Not
// thread-safe.
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
  void Fail(int64_t seq, std::string problem);

  int64_t expected_seq_ = 1;
  Hash256 head_hash_{};
  VerifyResult result_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_AUDIT_CHAIN_H_
