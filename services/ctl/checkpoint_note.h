// Checks of the audit log's checkpoint notes shared by `audit verify-proof`
// (proof_verify.h) and `audit verify-offline --trusted-checkpoint
// --witness-key` (export_trust.h): the log's note key, witnesses' keys, and
// a note signed by the one and cosigned by the others (docs/audit-log.md,
// docs/transparency.md). Thread-safe.
#ifndef CAREGATE_SERVICES_CTL_CHECKPOINT_NOTE_H_
#define CAREGATE_SERVICES_CTL_CHECKPOINT_NOTE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/crypto/ed25519.h"
#include "services/transparency/checkpoint.h"
#include "services/transparency/note_keys.h"

namespace caregate::ctl {

// The verifier key of the gateway's checkpoint notes: `pubkey` under the
// key name `origin`, cosignature/v1. INVALID_ARGUMENT when the origin cannot
// be a key name.
absl::StatusOr<std::string> LogNoteKey(std::string_view origin,
                                       const Ed25519Verifier& pubkey);

// Verifiers of witness keys; INVALID_ARGUMENT "witness key: ..." for a bad
// one.
absl::StatusOr<std::vector<std::unique_ptr<tlog::NoteVerifier>>>
WitnessVerifiers(const std::vector<std::string>& witness_keys);

// A checkpoint note that the log key signed.
struct CheckedNote {
  tlog::Checkpoint checkpoint;
  int64_t log_signed_at = 0;  // POSIX seconds of the log's signature
  struct Cosignature {
    std::string witness;  // the witness's key name
    int64_t signed_at = 0;
  };
  std::vector<Cosignature> cosignatures;  // verified, in note order
};

// Parses `note`, verifies its signatures by `log` and `witnesses` (a line of
// one of them that does not verify rejects the note), requires one by `log`
// ("not signed by the log key NAME") and a checkpoint whose origin is the
// log key's name ("the key NAME is not the log key of origin ORIGIN": a
// witness's key offered as the log's).
absl::StatusOr<CheckedNote> CheckCheckpointNote(
    std::string_view note, const tlog::NoteVerifier& log,
    const std::vector<std::unique_ptr<tlog::NoteVerifier>>& witnesses);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_CHECKPOINT_NOTE_H_
