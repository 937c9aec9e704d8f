// Verification of the stored audit log: recomputes the hash chain over a
// range of events and checks every signed checkpoint against it. The logic
// behind AuditService.VerifyAuditLog, without gRPC.
//
// A range [from, to] is verified from the start with the zero hash, or, when
// it starts later, anchored on the stored hash of event from-1 (that event
// itself is trusted, not verified). Every event of the range is read and its
// hash recomputed on every call; nothing is cached between calls. The first
// problem found is reported, checked in this order:
//   1. the events of the range (ChainVerifier's messages: a gap, a broken
//      prev_hash, changed content; "stored event cannot be decoded");
//   2. each stored checkpoint, in seq order: its signature ("checkpoint
//      signature invalid"), then against the stored chain ("... log
//      truncated after checkpoint", "... log rewritten"), so that an older
//      checkpoint still catches a log rewritten before newer ones were
//      signed;
//   3. events of the range that should exist but do not (a deleted tail):
//      "seq N: event missing ...".
// Problem texts name seqs only, never event content.
//
// Thread-safe as far as the Store is; reads only. Blocks on store reads: call
// it off the gRPC and ledger threads. Reads on the calling thread and hashes
// on one more, for the duration of the call (PipelinedChainVerifier).
// Cost: O(events in the range) reads and SHA-256s, plus one signature check
// and at most one event read per checkpoint; about 1.5 s for 1M events on
// the 2-core benchmark machine (bench/results/console-2026-12-07.md).
#ifndef CAREGATE_SERVICES_AUDIT_SERVICE_LOG_VERIFICATION_H_
#define CAREGATE_SERVICES_AUDIT_SERVICE_LOG_VERIFICATION_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/audit/audit_event.h"
#include "services/crypto/ed25519.h"
#include "services/store/store.h"

namespace caregate {

// The outcome of VerifyStoredLog.
struct VerifyReport {
  // True when every event of the range and every stored checkpoint verify.
  bool ok = true;
  // The last seq verified good (the anchor's seq, or 0, when none was).
  int64_t verified_through_seq = 0;
  // When !ok: the first seq found bad (a missing event's seq, or the
  // checkpoint's seq for a checkpoint problem).
  int64_t first_bad_seq = 0;
  // When !ok: what is wrong; PHI-free.
  std::string problem;
  // The store's latest checkpoint, if it has one (all of them are checked).
  std::optional<Checkpoint> checkpoint;
};

// The request-level checks of a range: INVALID_ARGUMENT naming the field for a
// negative from_seq or to_seq, or a to_seq (other than 0) below from_seq.
absl::Status ValidateVerifyRange(int64_t from_seq, int64_t to_seq);

// Verifies events from_seq..to_seq of `store` (from_seq 0 or 1: from the
// start; to_seq 0 or beyond `head_seq`: through `head_seq`, the last
// committed seq) and the store's latest checkpoint with `verifier`.
//
// Errors: those of ValidateVerifyRange; INVALID_ARGUMENT "from_seq: ..." when
// from_seq is beyond `head_seq`; the store's own errors (UNAVAILABLE).
// Problems found in the log are not errors: they are reported in the
// VerifyReport.
absl::StatusOr<VerifyReport> VerifyStoredLog(Store& store,
                                             const Ed25519Verifier& verifier,
                                             int64_t from_seq, int64_t to_seq,
                                             int64_t head_seq);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_SERVICE_LOG_VERIFICATION_H_
