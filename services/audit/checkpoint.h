// Signed checkpoints of the audit log (C2SP tlog-checkpoint body form).
#ifndef CAREGATE_SERVICES_AUDIT_CHECKPOINT_H_
#define CAREGATE_SERVICES_AUDIT_CHECKPOINT_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "services/audit/audit_event.h"
#include "services/crypto/ed25519.h"

namespace caregate {

// "<origin>\n<seq>\n<base64(head_hash)>\n".
std::string CheckpointBody(std::string_view origin, int64_t seq,
                           const Hash256& head_hash);

// A checkpoint of (seq, head_hash) signed by `signer`.
Checkpoint SignCheckpoint(std::string_view origin, int64_t seq,
                          const Hash256& head_hash, absl::Time time,
                          const Ed25519Signer& signer);

// OK when `checkpoint.body` is exactly the body of its origin, seq and
// head_hash, and `checkpoint.signature` verifies over it. DATA_LOSS naming
// what is wrong otherwise.
absl::Status VerifyCheckpoint(const Checkpoint& checkpoint,
                              const Ed25519Verifier& verifier);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_CHECKPOINT_H_
