#include "services/ctl/checkpoint_note.h"

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/status_macros.h"
#include "services/transparency/signed_note.h"

namespace caregate::ctl {

absl::StatusOr<std::string> LogNoteKey(std::string_view origin,
                                       const Ed25519Verifier& pubkey) {
  if (!tlog::CheckKeyName(origin).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the checkpoint's origin \"", AsAbsl(origin),
                     "\" is not a note key name"));
  }
  return tlog::FormatVerifierKey(origin, tlog::NoteKeyType::kCosignatureV1,
                                 pubkey.raw_public_key());
}

absl::StatusOr<std::vector<std::unique_ptr<tlog::NoteVerifier>>>
WitnessVerifiers(const std::vector<std::string>& witness_keys) {
  std::vector<std::unique_ptr<tlog::NoteVerifier>> verifiers;
  for (const std::string& key : witness_keys) {
    auto verifier = tlog::NoteVerifier::FromVerifierKey(key);
    if (!verifier.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("witness key: ", verifier.status().message()));
    }
    verifiers.push_back(*std::move(verifier));
  }
  return verifiers;
}

absl::StatusOr<CheckedNote> CheckCheckpointNote(
    std::string_view note, const tlog::NoteVerifier& log,
    const std::vector<std::unique_ptr<tlog::NoteVerifier>>& witnesses) {
  CG_ASSIGN_OR_RETURN(tlog::SignedNote parsed, tlog::ParseSignedNote(note));
  std::vector<const tlog::NoteVerifier*> trusted = {&log};
  for (const auto& w : witnesses) trusted.push_back(w.get());
  CG_ASSIGN_OR_RETURN(std::vector<tlog::VerifiedSignature> signatures,
                      tlog::VerifyNote(parsed, trusted));
  CheckedNote checked;
  bool by_log = false;
  for (const tlog::VerifiedSignature& s : signatures) {
    if (s.verifier == &log) {
      by_log = true;
      checked.log_signed_at = s.timestamp.value_or(0);
    } else {
      checked.cosignatures.push_back(
          {s.verifier->name(), s.timestamp.value_or(0)});
    }
  }
  if (!by_log) {
    return absl::UnauthenticatedError(
        absl::StrCat("not signed by the log key ", log.name()));
  }
  CG_ASSIGN_OR_RETURN(checked.checkpoint, tlog::ParseCheckpoint(parsed.text));
  // The log's key is named by its origin: a witness's key is not the log's.
  if (log.name() != checked.checkpoint.origin) {
    return absl::UnauthenticatedError(
        absl::StrCat("the key ", log.name(), " is not the log key of origin ",
                     checked.checkpoint.origin));
  }
  return checked;
}

}  // namespace caregate::ctl
