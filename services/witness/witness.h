// Witness: the logic of caregate-witness, a C2SP tlog-witness. No HTTP here
// (witness_server.h maps its results to HTTP with witness_protocol.h).
//
// A witness has an Ed25519 key and a key name; its verifier key is a
// cosignature/v1 (type 0x04) vkey. For every log origin it records the
// latest checkpoint it cosigned, and it cosigns a new checkpoint only when a
// consistency proof shows it extends that one. It therefore refuses a
// smaller checkpoint (rollback), another root at the same size (fork) and a
// larger tree that does not contain the recorded one (rewrite).
//
// State lives in one directory:
//   witness-key.pem  the Ed25519 private key, PKCS#8 PEM, mode 0600;
//   witness-state    the key name and the cosigned checkpoints
//                    (witness_state.h), mode 0600, replaced durably
//                    (durable_file.h) before a cosignature is returned.
// Open() creates both on first start (the directory too, mode 0700) and
// reuses them later. One without the other is refused: a witness that lost
// its state could be made to cosign a rollback.
//
// Log keys: with at least one --log-key, only origins that have a key are
// accepted (404 otherwise), and a checkpoint needs a valid signature by one
// of its origin's keys (403 otherwise). A key applies to the origin equal
// to its key name. With no log key at all the witness accepts every origin
// without checking log signatures: it still never cosigns two inconsistent
// checkpoints of one origin, but anyone who can reach it can start a record
// for a new origin first, with a tree of their choosing.
//
// Thread-safe. AddCheckpoint serializes requests (check, persist, cosign are
// atomic per witness, hence per origin). After a failed state write every
// later AddCheckpoint fails with INTERNAL until restart.
#ifndef CAREGATE_SERVICES_WITNESS_WITNESS_H_
#define CAREGATE_SERVICES_WITNESS_WITNESS_H_

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/common/clock.h"
#include "services/transparency/note_keys.h"
#include "services/transparency/witness_protocol.h"
#include "services/witness/witness_state.h"

namespace caregate::witness {

inline constexpr std::string_view kKeyFileName = "witness-key.pem";
inline constexpr std::string_view kStateFileName = "witness-state";

struct WitnessOptions {
  std::filesystem::path state_dir;
  // The key name. On first start: empty means
  // "caregate-witness/<first 8 hex digits of SHA-256(public key)>". Later
  // starts use the stored name; a different non-empty one is refused.
  std::string name;
  // Verifier keys (type 0x01 or 0x04) of the logs to accept.
  std::vector<std::string> log_keys;
  const Clock* clock = RealClock::Get();  // not owned
};

class Witness {
 public:
  // Opens or creates the witness in options.state_dir. INVALID_ARGUMENT for
  // a bad name or log key; FAILED_PRECONDITION for a key without a state
  // file or the reverse, or a name other than the stored one; DATA_LOSS for
  // a corrupt state file or a stored checkpoint without a valid cosignature
  // by this witness; file errors as pki::ErrnoStatus maps them.
  static absl::StatusOr<std::unique_ptr<Witness>> Open(
      const WitnessOptions& options);

  // The cosignature/v1 verifier key "<name>+<key ID>+<base64 key>".
  const std::string& verifier_key() const { return signer_->verifier_key(); }
  const std::string& name() const { return signer_->name(); }
  // True when Open() created the key and state.
  bool created() const { return created_; }

  // Handles an add-checkpoint request body. Returns the cosignature line
  // ("— <name> <base64>\n"), or the refusal as witness_protocol.h maps it:
  // INVALID_ARGUMENT (400), NOT_FOUND (404), PERMISSION_DENIED (403),
  // WitnessConflictError with the recorded size (409), DATA_LOSS (422), and
  // INTERNAL when the state cannot be persisted.
  absl::StatusOr<std::string> AddCheckpoint(std::string_view request_body);

  // The note of the latest checkpoint cosigned for the origin whose SHA-256
  // is `origin_sha256_hex` (lowercase hex): text, kept log signatures and the
  // cosignature. NOT_FOUND when there is none.
  absl::StatusOr<std::string> LatestCheckpoint(
      std::string_view origin_sha256_hex) const;

 private:
  using LogKeys =
      std::map<std::string, std::vector<std::unique_ptr<tlog::NoteVerifier>>>;

  Witness(std::filesystem::path state_path,
          std::unique_ptr<tlog::NoteSigner> signer, LogKeys log_keys,
          WitnessState state, const Clock* clock, bool created);

  // The signature lines of `note` to keep with the record, after checking
  // the origin and its log signature (404 / 403).
  absl::StatusOr<std::vector<tlog::NoteSignature>> CheckLogSignature(
      const tlog::Checkpoint& checkpoint, const tlog::SignedNote& note) const;
  // 409 / 422 checks against the record.
  absl::Status CheckConsistency(const tlog::AddCheckpointRequest& request,
                                const tlog::Checkpoint& checkpoint) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::filesystem::path state_path_;
  const std::unique_ptr<tlog::NoteSigner> signer_;
  const LogKeys log_keys_;
  const Clock* const clock_;
  const bool created_;

  mutable absl::Mutex mu_;
  WitnessState state_ ABSL_GUARDED_BY(mu_);
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace caregate::witness

#endif  // CAREGATE_SERVICES_WITNESS_WITNESS_H_
