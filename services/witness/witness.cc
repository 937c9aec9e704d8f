#include "services/witness/witness.h"

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/file_contents.h"
#include "services/common/status_macros.h"
#include "services/crypto/sha256.h"
#include "services/pki/new_file_set.h"
#include "services/pki/pem.h"
#include "services/transparency/proof_verifier.h"
#include "services/transparency/signed_note.h"
#include "services/witness/durable_file.h"

namespace caregate::witness {
namespace {

constexpr mode_t kFileMode = 0600;
constexpr mode_t kDirMode = 0700;
constexpr size_t kMaxStateBytes = 64 << 20;

struct Identity {
  std::unique_ptr<Ed25519Signer> key;
  WitnessState state;
};

std::string DefaultName(std::string_view public_key) {
  return absl::StrCat("caregate-witness/", Sha256Hex(public_key).substr(0, 8));
}

// Creates the key and an empty state, all or nothing.
absl::StatusOr<Identity> CreateIdentity(
    const WitnessOptions& options, const std::filesystem::path& key_path,
    const std::filesystem::path& state_path) {
  CG_ASSIGN_OR_RETURN(pki::EvpPkeyPtr generated, pki::GenerateEd25519Key());
  CG_ASSIGN_OR_RETURN(std::string pem, pki::PrivateKeyPem(generated.get()));
  absl::StatusOr<std::unique_ptr<Ed25519Signer>> key =
      Ed25519Signer::FromPem(pem);
  if (!key.ok()) return key.status();
  Identity identity{*std::move(key), {}};
  identity.state.name = options.name.empty()
                            ? DefaultName(identity.key->raw_public_key())
                            : options.name;
  CG_RETURN_IF_ERROR(tlog::CheckKeyName(identity.state.name));
  pki::NewFileSet files;
  CG_RETURN_IF_ERROR(files.MakeDirs(options.state_dir, kDirMode));
  CG_RETURN_IF_ERROR(files.WriteFile(key_path, pem, kFileMode));
  CG_RETURN_IF_ERROR(files.WriteFile(
      state_path, FormatWitnessState(identity.state), kFileMode));
  CG_RETURN_IF_ERROR(SyncDirectory(options.state_dir));
  files.Commit();
  std::fill(pem.begin(), pem.end(), '\0');
  return identity;
}

absl::StatusOr<std::string> ReadStateFile(const std::filesystem::path& path) {
  absl::StatusOr<std::string> contents =
      ReadFileContents(path.string(), kMaxStateBytes);
  if (contents.ok()) return contents;
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot read ", path.string(), ": ", contents.status().message()));
}

absl::StatusOr<Identity> LoadIdentity(const WitnessOptions& options,
                                      const std::filesystem::path& key_path,
                                      const std::filesystem::path& state_path) {
  absl::StatusOr<std::unique_ptr<Ed25519Signer>> key =
      Ed25519Signer::FromPemFile(key_path.string());
  if (!key.ok()) return key.status();
  CG_ASSIGN_OR_RETURN(std::string contents, ReadStateFile(state_path));
  absl::StatusOr<WitnessState> state = ParseWitnessState(contents);
  if (!state.ok()) {
    return absl::DataLossError(
        absl::StrCat(state_path.string(), ": ", state.status().message()));
  }
  if (!options.name.empty() && options.name != state->name) {
    return absl::FailedPreconditionError(absl::StrCat(
        options.state_dir.string(), " holds the witness \"", state->name,
        "\", not \"", options.name, "\" (a name is fixed at first start)"));
  }
  return Identity{*std::move(key), *std::move(state)};
}

// Every stored note must carry this witness's valid cosignature.
absl::Status CheckOwnCosignatures(const WitnessState& state,
                                  const tlog::NoteVerifier& own,
                                  const std::filesystem::path& state_path) {
  const tlog::NoteVerifier* trusted[] = {&own};
  for (const auto& [origin, record] : state.origins) {
    absl::StatusOr<tlog::SignedNote> note = tlog::ParseSignedNote(record.note);
    absl::Status verified =
        note.ok() ? tlog::VerifyNote(*note, trusted).status() : note.status();
    if (!verified.ok()) {
      return absl::DataLossError(
          absl::StrCat(state_path.string(), ": the checkpoint of origin \"",
                       origin, "\" has no valid cosignature by this witness (",
                       verified.message(), ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Witness>> Witness::Open(
    const WitnessOptions& options) {
  LogKeys log_keys;
  for (const std::string& vkey : options.log_keys) {
    absl::StatusOr<std::unique_ptr<tlog::NoteVerifier>> verifier =
        tlog::NoteVerifier::FromVerifierKey(vkey);
    if (!verifier.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "log key \"", vkey, "\": ", verifier.status().message()));
    }
    const std::string origin = (*verifier)->name();
    log_keys[origin].push_back(*std::move(verifier));
  }
  const std::filesystem::path key_path = options.state_dir / kKeyFileName;
  const std::filesystem::path state_path = options.state_dir / kStateFileName;
  std::error_code error;
  const bool has_key = std::filesystem::exists(key_path, error);
  const bool has_state = std::filesystem::exists(state_path, error);
  if (has_key != has_state) {
    return absl::FailedPreconditionError(absl::StrCat(
        (has_key ? key_path : state_path).string(), " exists but ",
        (has_key ? state_path : key_path).string(),
        " does not: restore the missing file, or remove the directory to "
        "start a new witness with a new key (a witness that lost its state "
        "could cosign a rollback)"));
  }
  absl::StatusOr<Identity> identity =
      has_key ? LoadIdentity(options, key_path, state_path)
              : CreateIdentity(options, key_path, state_path);
  if (!identity.ok()) return identity.status();
  CG_ASSIGN_OR_RETURN(
      std::unique_ptr<tlog::NoteSigner> signer,
      tlog::NoteSigner::Create(identity->state.name,
                               tlog::NoteKeyType::kCosignatureV1,
                               std::move(identity->key)));
  CG_ASSIGN_OR_RETURN(
      std::unique_ptr<tlog::NoteVerifier> own,
      tlog::NoteVerifier::FromVerifierKey(signer->verifier_key()));
  CG_RETURN_IF_ERROR(CheckOwnCosignatures(identity->state, *own, state_path));
  return std::unique_ptr<Witness>(
      new Witness(state_path, std::move(signer), std::move(log_keys),
                  std::move(identity->state), options.clock, !has_key));
}

Witness::Witness(std::filesystem::path state_path,
                 std::unique_ptr<tlog::NoteSigner> signer, LogKeys log_keys,
                 WitnessState state, const Clock* clock, bool created)
    : state_path_(std::move(state_path)),
      signer_(std::move(signer)),
      log_keys_(std::move(log_keys)),
      clock_(clock),
      created_(created),
      state_(std::move(state)) {}

absl::StatusOr<std::vector<tlog::NoteSignature>> Witness::CheckLogSignature(
    const tlog::Checkpoint& checkpoint, const tlog::SignedNote& note) const {
  if (log_keys_.empty()) return note.signatures;  // no log key configured
  const auto it = log_keys_.find(checkpoint.origin);
  if (it == log_keys_.end()) {
    return absl::NotFoundError(absl::StrCat(
        "unknown log origin \"", checkpoint.origin, "\": no log key for it"));
  }
  std::vector<const tlog::NoteVerifier*> trusted;
  for (const auto& verifier : it->second) trusted.push_back(verifier.get());
  absl::StatusOr<std::vector<tlog::VerifiedSignature>> verified =
      tlog::VerifyNote(note, trusted);
  if (!verified.ok()) {
    return absl::PermissionDeniedError(
        absl::StrCat("log signature of \"", checkpoint.origin,
                     "\": ", verified.status().message()));
  }
  std::vector<tlog::NoteSignature> kept;
  for (const tlog::VerifiedSignature& v : *verified)
    kept.push_back(v.signature);
  return kept;
}

absl::Status Witness::CheckConsistency(
    const tlog::AddCheckpointRequest& request,
    const tlog::Checkpoint& checkpoint) const {
  const auto it = state_.origins.find(checkpoint.origin);
  const int64_t recorded =
      it == state_.origins.end() ? 0 : it->second.checkpoint.size;
  if (request.old_size != recorded) {
    return tlog::WitnessConflictError(
        recorded,
        absl::StrCat("old size ", request.old_size, " is not ", recorded,
                     ", the size of the latest checkpoint this witness "
                     "cosigned for \"",
                     checkpoint.origin, "\""));
  }
  if (checkpoint.size == 0 && checkpoint.root != tlog::EmptyRoot()) {
    return absl::DataLossError(
        "a checkpoint of size 0 must have the empty tree's root, "
        "SHA-256(\"\")");
  }
  if (request.old_size == 0) {
    if (!request.proof.empty()) {
      return absl::DataLossError(
          absl::StrCat("from old size 0 the consistency proof must be empty, "
                       "got ",
                       request.proof.size(), " hashes"));
    }
    return absl::OkStatus();
  }
  absl::Status consistent =
      tlog::VerifyConsistency(request.old_size, checkpoint.size, request.proof,
                              it->second.checkpoint.root, checkpoint.root);
  if (!consistent.ok()) {
    return absl::DataLossError(absl::StrCat(
        "checkpoint of size ", checkpoint.size,
        " is not consistent with the one this witness cosigned at size ",
        recorded, ": ", consistent.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Witness::AddCheckpoint(
    std::string_view request_body) {
  CG_ASSIGN_OR_RETURN(tlog::AddCheckpointRequest request,
                      tlog::ParseAddCheckpointRequest(request_body));
  absl::StatusOr<tlog::SignedNote> note =
      tlog::ParseSignedNote(request.checkpoint_note);
  absl::StatusOr<tlog::Checkpoint> checkpoint =
      note.ok() ? tlog::ParseCheckpoint(note->text) : note.status();
  if (!checkpoint.ok()) {
    return absl::InvalidArgumentError(checkpoint.status().message());
  }
  if (request.old_size > checkpoint->size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "old size ", request.old_size, " is larger than the checkpoint's size ",
        checkpoint->size));
  }
  CG_ASSIGN_OR_RETURN(std::vector<tlog::NoteSignature> kept,
                      CheckLogSignature(*checkpoint, *note));

  absl::MutexLock lock(&mu_);
  if (write_failed_) {
    return absl::InternalError(
        "an earlier state write failed; restart the witness");
  }
  CG_RETURN_IF_ERROR(CheckConsistency(request, *checkpoint));
  CG_ASSIGN_OR_RETURN(tlog::NoteSignature cosignature,
                      signer_->Sign(note->text, clock_->Now()));
  kept.push_back(cosignature);
  WitnessState next = state_;
  next.origins[checkpoint->origin] = CosignedCheckpoint{
      *checkpoint, tlog::FormatSignedNote({note->text, std::move(kept)})};
  absl::Status written =
      ReplaceFileDurably(state_path_, FormatWitnessState(next), kFileMode);
  if (!written.ok()) {
    write_failed_ = true;
    return absl::InternalError(
        absl::StrCat("cannot persist the witness state: ", written.message()));
  }
  state_ = std::move(next);
  return tlog::FormatSignatureLine(cosignature);
}

absl::StatusOr<std::string> Witness::LatestCheckpoint(
    std::string_view origin_sha256_hex) const {
  absl::MutexLock lock(&mu_);
  for (const auto& [origin, record] : state_.origins) {
    if (Sha256Hex(origin) == origin_sha256_hex) return record.note;
  }
  return absl::NotFoundError(
      "this witness has cosigned no checkpoint of that "
      "origin");
}

}  // namespace caregate::witness
