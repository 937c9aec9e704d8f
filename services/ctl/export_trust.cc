#include "services/ctl/export_trust.h"

#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "services/audit/audit_tree.h"
#include "services/ctl/offline_verify.h"
#include "services/transparency/checkpoint.h"
#include "services/transparency/merkle.h"
#include "services/transparency/note_keys.h"
#include "services/transparency/signed_note.h"

namespace caregate::ctl {
namespace {

TrustReport Fail(TrustReport report, std::string problem) {
  report.ok = false;
  report.problem = std::move(problem);
  return report;
}

std::string Message(const absl::Status& s) { return std::string(s.message()); }

// A checkpoint note verified by `log` (and `witnesses`, who vouch).
struct CheckedNote {
  tlog::Checkpoint checkpoint;
  std::vector<std::string> vouched;
};

absl::StatusOr<CheckedNote> CheckNote(
    const std::string& note_text, const tlog::NoteVerifier& log,
    const std::vector<std::unique_ptr<tlog::NoteVerifier>>& witnesses) {
  auto note = tlog::ParseSignedNote(note_text);
  if (!note.ok()) return note.status();
  std::vector<const tlog::NoteVerifier*> trusted = {&log};
  for (const auto& w : witnesses) trusted.push_back(w.get());
  auto signatures = tlog::VerifyNote(*note, trusted);
  if (!signatures.ok()) return signatures.status();
  auto checkpoint = tlog::ParseCheckpoint(note->text);
  if (!checkpoint.ok()) return checkpoint.status();
  CheckedNote checked{*checkpoint, {}};
  bool by_log = false;
  for (const tlog::VerifiedSignature& s : *signatures) {
    if (s.verifier == &log) {
      by_log = true;
    } else {
      checked.vouched.push_back(absl::StrCat(
          s.verifier->name(), " vouched for size ", checkpoint->size));
    }
  }
  if (!by_log) {
    return absl::UnauthenticatedError("not signed by the gateway's key");
  }
  return checked;
}

}  // namespace

TrustReport CheckExportAgainstTrust(
    const v1::AuditExport& x, const Ed25519Verifier& pubkey,
    const std::string& trusted_note,
    const std::vector<std::string>& witness_keys) {
  TrustReport report;
  const std::string origin = x.checkpoint().origin();
  if (!tlog::CheckKeyName(origin).ok()) {
    return Fail(report, "the export's origin is not a note key name");
  }
  auto log = tlog::NoteVerifier::FromVerifierKey(tlog::FormatVerifierKey(
      origin, tlog::NoteKeyType::kCosignatureV1, pubkey.raw_public_key()));
  if (!log.ok()) return Fail(report, Message(log.status()));
  std::vector<std::unique_ptr<tlog::NoteVerifier>> witnesses;
  for (const std::string& key : witness_keys) {
    auto w = tlog::NoteVerifier::FromVerifierKey(key);
    if (!w.ok()) return Fail(report, "--witness-key: " + Message(w.status()));
    witnesses.push_back(*std::move(w));
  }
  // The sizes whose roots matter: every checkpoint's and the trusted one's.
  std::optional<CheckedNote> trusted;
  if (!trusted_note.empty()) {
    auto checked = CheckNote(trusted_note, **log, witnesses);
    if (!checked.ok()) {
      return Fail(report, "trusted checkpoint: " + Message(checked.status()));
    }
    trusted = *std::move(checked);
    report.trusted_size = trusted->checkpoint.size;
  }
  std::vector<int64_t> sizes;
  for (const v1::Checkpoint& c : x.checkpoints()) sizes.push_back(c.seq());
  sizes.push_back(x.checkpoint().seq());
  if (trusted.has_value()) sizes.push_back(trusted->checkpoint.size);
  AuditTreeVerifier tree(sizes);
  for (const v1::AuditEvent& proto : x.events()) {
    auto event = AuditEventFromProto(proto);
    if (!event.ok() || !tree.Add(*event)) {
      return Fail(report, "the export's hash chain is broken");
    }
  }
  // Each checkpoint with a note: its root is the export's, and who vouched.
  std::vector<v1::Checkpoint> all(x.checkpoints().begin(),
                                  x.checkpoints().end());
  all.push_back(x.checkpoint());
  for (const v1::Checkpoint& c : all) {
    if (c.note().empty()) continue;  // signed before the tree existed
    auto checked = CheckNote(c.note(), **log, witnesses);
    if (!checked.ok()) {
      return Fail(report, absl::StrCat("checkpoint at seq ", c.seq(), ": ",
                                       Message(checked.status())));
    }
    if (tree.RootAt(checked->checkpoint.size) != checked->checkpoint.root) {
      return Fail(report, absl::StrCat("checkpoint at seq ", c.seq(),
                                       ": its tree root is not the export's"));
    }
    for (std::string& v : checked->vouched) {
      report.vouched.push_back(std::move(v));
    }
  }
  if (trusted.has_value()) {
    const int64_t size = trusted->checkpoint.size;
    if (tree.size() < size) {
      return Fail(report,
                  absl::StrCat("the export has ", tree.size(),
                               " events but the trusted checkpoint covers ",
                               size, " (log truncated)"));
    }
    if (tree.RootAt(size) != trusted->checkpoint.root) {
      return Fail(report, absl::StrCat("the export's first ", size,
                                       " events are not those of the trusted "
                                       "checkpoint (log rewritten)"));
    }
  }
  return report;
}

}  // namespace caregate::ctl
