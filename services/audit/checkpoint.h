// Signed checkpoints of the audit log (C2SP tlog-checkpoint body form).
//
// A checkpoint states "the log's event `seq` has hash `head_hash`", signed
// with the gateway's Ed25519 key. The body is exactly
// "<origin>\n<seq>\n<base64(head_hash)>\n" (seq in decimal, base64 standard
// with padding) and the signature is raw Ed25519 over exactly the body.
// Checkpoint.time and key_id are not signed: time is informational, key_id a
// hint for choosing the verifier. All functions are thread-safe.
#ifndef CAREGATE_SERVICES_AUDIT_CHECKPOINT_H_
#define CAREGATE_SERVICES_AUDIT_CHECKPOINT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/audit/audit_event.h"
#include "services/crypto/ed25519.h"

namespace caregate {

// "<origin>\n<seq>\n<base64(head_hash)>\n".
std::string CheckpointBody(std::string_view origin, int64_t seq,
                           const Hash256& head_hash);

// A checkpoint of (seq, head_hash) signed by `signer`, with key_id set to the
// signer's. `origin` must be non-empty and free of newlines (the deployment
// config validates it); VerifyCheckpoint rejects other origins.
Checkpoint SignCheckpoint(std::string_view origin, int64_t seq,
                          const Hash256& head_hash, absl::Time time,
                          const Ed25519Signer& signer);

// OK when `checkpoint.body` is exactly the body of its origin, seq and
// head_hash, and `checkpoint.signature` verifies over it. DATA_LOSS naming
// what is wrong otherwise (a malformed origin, a negative seq, a body that does
// not match the fields, a key_id other than the verifier's, a bad signature).
absl::Status VerifyCheckpoint(const Checkpoint& checkpoint,
                              const Ed25519Verifier& verifier);

// Checks a checkpoint (already accepted by VerifyCheckpoint) against a log
// the caller has verified with a ChainVerifier through seq `log_last_seq`.
// `hash_at_checkpoint_seq` is the hash of event checkpoint.seq the caller
// recorded while verifying (the zero hash for seq 0), or std::nullopt when the
// log has no such event. Returns:
//   DATA_LOSS "checkpoint at seq N is beyond the log's last seq M (log
//     truncated after checkpoint)" when checkpoint.seq > log_last_seq;
//   DATA_LOSS "checkpoint does not match event N (log rewritten)" when the
//     hashes differ;
//   INVALID_ARGUMENT when checkpoint.seq <= log_last_seq but no hash is given.
absl::Status CheckCheckpointAgainstChain(
    const Checkpoint& checkpoint, int64_t log_last_seq,
    const std::optional<Hash256>& hash_at_checkpoint_seq);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_CHECKPOINT_H_
