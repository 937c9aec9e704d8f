#include "services/ctl/export_trust.h"

#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "services/audit/audit_chain.h"
#include "services/audit/audit_tree.h"
#include "services/ctl/checkpoint_note.h"
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

// "NAME vouched for size N" for each cosignature of `note`.
void AddVouched(const CheckedNote& note, std::vector<std::string>& vouched) {
  for (const CheckedNote::Cosignature& c : note.cosignatures) {
    vouched.push_back(
        absl::StrCat(c.witness, " vouched for size ", note.checkpoint.size));
  }
}

// The Merkle tree of an export's events, with its root at chosen sizes.
struct ExportTree {
  tlog::CompactRange range;
  absl::flat_hash_map<int64_t, Hash256> roots;

  int64_t size() const { return range.size(); }
  std::optional<Hash256> RootAt(int64_t size) const {
    if (size == range.size()) return range.Root();
    auto it = roots.find(size);
    if (it == roots.end()) return std::nullopt;
    return it->second;
  }
};

// The events' hashes in seq order, their chain checked on the way
// (ChainVerifier); nullopt when it is broken.
std::optional<std::vector<Hash256>> ChainedHashes(const ExportEvents& events) {
  ChainVerifier chain;
  std::vector<Hash256> hashes;
  hashes.reserve(events.size());
  v1::AuditEvent scratch;
  AuditEvent event;
  for (int i = 0; i < events.size(); ++i) {
    const v1::AuditEvent* proto = events.Get(i, scratch);
    if (proto == nullptr || !AuditEventFromProtoInto(*proto, &event).ok() ||
        !chain.Add(event)) {
      return std::nullopt;
    }
    hashes.push_back(event.hash);
  }
  return hashes;
}

// The tree of events whose chain was verified already, from their hashes.
ExportTree TreeOfHashes(const std::vector<Hash256>& hashes,
                        const std::vector<int64_t>& sizes) {
  ExportTree out;
  const absl::flat_hash_set<int64_t> wanted(sizes.begin(), sizes.end());
  if (wanted.contains(0)) out.roots[0] = tlog::EmptyRoot();
  for (const Hash256& hash : hashes) {
    out.range.Append(AuditLeafHash(hash), nullptr);
    if (wanted.contains(out.range.size())) {
      out.roots[out.range.size()] = out.range.Root();
    }
  }
  return out;
}

}  // namespace

TrustReport CheckExportAgainstTrust(
    const v1::AuditExport& x, const Ed25519Verifier& pubkey,
    const std::string& trusted_note,
    const std::vector<std::string>& witness_keys) {
  return CheckExportAgainstTrust(x, ExportEvents(x), pubkey, trusted_note,
                                 witness_keys);
}

TrustReport CheckExportAgainstTrust(
    const v1::AuditExport& x, const ExportEvents& events,
    const Ed25519Verifier& pubkey, const std::string& trusted_note,
    const std::vector<std::string>& witness_keys,
    const std::vector<Hash256>* verified_hashes) {
  TrustReport report;
  auto log_key = LogNoteKey(x.checkpoint().origin(), pubkey);
  if (!log_key.ok()) return Fail(report, Message(log_key.status()));
  auto log = tlog::NoteVerifier::FromVerifierKey(*log_key);
  if (!log.ok()) return Fail(report, Message(log.status()));
  auto verifiers = WitnessVerifiers(witness_keys);
  if (!verifiers.ok()) return Fail(report, Message(verifiers.status()));
  const auto& witnesses = *verifiers;
  // The sizes whose roots matter: every checkpoint's and the trusted one's.
  std::optional<CheckedNote> trusted;
  if (!trusted_note.empty()) {
    auto checked = CheckCheckpointNote(trusted_note, **log, witnesses);
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
  std::optional<std::vector<Hash256>> chained;
  if (verified_hashes == nullptr) {
    chained = ChainedHashes(events);
    if (!chained.has_value()) {
      return Fail(report, "the export's hash chain is broken");
    }
  }
  const ExportTree tree = TreeOfHashes(
      verified_hashes != nullptr ? *verified_hashes : *chained, sizes);
  // Each checkpoint with a note: its root is the export's, and who vouched.
  std::vector<v1::Checkpoint> all(x.checkpoints().begin(),
                                  x.checkpoints().end());
  all.push_back(x.checkpoint());
  for (const v1::Checkpoint& c : all) {
    if (c.note().empty()) continue;  // signed before the tree existed
    auto checked = CheckCheckpointNote(c.note(), **log, witnesses);
    if (!checked.ok()) {
      return Fail(report, absl::StrCat("checkpoint at seq ", c.seq(), ": ",
                                       Message(checked.status())));
    }
    if (tree.RootAt(checked->checkpoint.size) != checked->checkpoint.root) {
      return Fail(report, absl::StrCat("checkpoint at seq ", c.seq(),
                                       ": its tree root is not the export's"));
    }
    AddVouched(*checked, report.vouched);
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
