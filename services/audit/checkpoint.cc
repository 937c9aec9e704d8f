#include "services/audit/checkpoint.h"

#include "absl/strings/str_cat.h"
#include "services/crypto/encoding.h"

namespace caregate {
namespace {

std::string HashBase64(const Hash256& hash) {
  return Base64Encode(std::string_view(
      reinterpret_cast<const char*>(hash.data()), hash.size()));
}

bool IsValidOrigin(std::string_view origin) {
  return !origin.empty() && origin.find('\n') == std::string_view::npos;
}

}  // namespace

std::string CheckpointBody(std::string_view origin, int64_t seq,
                           const Hash256& head_hash) {
  return absl::StrCat(absl::string_view(origin.data(), origin.size()), "\n",
                      seq, "\n", HashBase64(head_hash), "\n");
}

Checkpoint SignCheckpoint(std::string_view origin, int64_t seq,
                          const Hash256& head_hash, absl::Time time,
                          const Ed25519Signer& signer) {
  Checkpoint checkpoint;
  checkpoint.origin = std::string(origin);
  checkpoint.seq = seq;
  checkpoint.head_hash = head_hash;
  checkpoint.time = time;
  checkpoint.body = CheckpointBody(origin, seq, head_hash);
  checkpoint.signature = signer.Sign(checkpoint.body);
  checkpoint.key_id = signer.key_id();
  return checkpoint;
}

absl::Status VerifyCheckpoint(const Checkpoint& checkpoint,
                              const Ed25519Verifier& verifier) {
  if (!IsValidOrigin(checkpoint.origin)) {
    return absl::DataLossError(
        "checkpoint origin is empty or contains a newline");
  }
  if (checkpoint.seq < 0) {
    return absl::DataLossError(
        absl::StrCat("checkpoint seq ", checkpoint.seq, " is negative"));
  }
  if (checkpoint.body !=
      CheckpointBody(checkpoint.origin, checkpoint.seq, checkpoint.head_hash)) {
    return absl::DataLossError(
        absl::StrCat("checkpoint body does not match its origin, seq ",
                     checkpoint.seq, " and head hash"));
  }
  if (!checkpoint.key_id.empty() && checkpoint.key_id != verifier.key_id()) {
    return absl::DataLossError(
        absl::StrCat("checkpoint names key ", checkpoint.key_id,
                     ", verifier has key ", verifier.key_id()));
  }
  if (!verifier.Verify(checkpoint.body, checkpoint.signature)) {
    return absl::DataLossError(absl::StrCat(
        "checkpoint signature does not verify with key ", verifier.key_id()));
  }
  return absl::OkStatus();
}

absl::Status CheckCheckpointAgainstChain(
    const Checkpoint& checkpoint, int64_t log_last_seq,
    const std::optional<Hash256>& hash_at_checkpoint_seq) {
  if (checkpoint.seq > log_last_seq) {
    return absl::DataLossError(absl::StrCat(
        "checkpoint at seq ", checkpoint.seq, " is beyond the log's last seq ",
        log_last_seq, " (log truncated after checkpoint)"));
  }
  if (!hash_at_checkpoint_seq.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no chain hash given for checkpoint seq ", checkpoint.seq,
                     " (log verified through seq ", log_last_seq, ")"));
  }
  if (*hash_at_checkpoint_seq != checkpoint.head_hash) {
    return absl::DataLossError(absl::StrCat("checkpoint does not match event ",
                                            checkpoint.seq,
                                            " (log rewritten)"));
  }
  return absl::OkStatus();
}

}  // namespace caregate
