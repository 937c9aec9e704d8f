#include "services/ctl/proof_verify.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "services/audit/audit_chain.h"
#include "services/audit/audit_tree.h"
#include "services/ctl/checkpoint_note.h"
#include "services/ctl/offline_verify.h"
#include "services/transparency/checkpoint.h"
#include "services/transparency/merkle.h"
#include "services/transparency/note_keys.h"
#include "services/transparency/proof_verifier.h"
#include "services/transparency/signed_note.h"

namespace caregate::ctl {
namespace {

ProofReport Fail(ProofReport report, std::string problem) {
  report.ok = false;
  report.problem = std::move(problem);
  return report;
}

std::string Message(const absl::Status& s) { return std::string(s.message()); }

}  // namespace

ProofReport VerifyEventProof(const v1::AuditEventProof& proof,
                             const std::string& log_key,
                             const std::vector<std::string>& witness_keys,
                             int min_witnesses) {
  ProofReport report;
  report.seq = proof.seq();
  report.tree_size = proof.proof().tree_size();
  auto log = tlog::NoteVerifier::FromVerifierKey(log_key);
  if (!log.ok()) return Fail(report, "log key: " + Message(log.status()));
  auto witnesses = WitnessVerifiers(witness_keys);
  if (!witnesses.ok()) return Fail(report, Message(witnesses.status()));
  // 1. The checkpoint note: the log's signature, the witnesses'.
  auto checked =
      CheckCheckpointNote(proof.proof().checkpoint().note(), **log, *witnesses);
  if (!checked.ok()) {
    return Fail(report, "checkpoint: " + Message(checked.status()));
  }
  report.log_signed_at = checked->log_signed_at;
  for (const CheckedNote::Cosignature& c : checked->cosignatures) {
    report.witnesses.push_back(absl::StrCat(c.witness, " (", c.signed_at, ")"));
  }
  const tlog::Checkpoint* checkpoint = &checked->checkpoint;
  report.origin = checkpoint->origin;
  if (checkpoint->size != report.tree_size) {
    return Fail(report,
                absl::StrCat("the proof is for tree size ", report.tree_size,
                             " but the checkpoint "
                             "covers ",
                             checkpoint->size));
  }
  // 2. The leaf: the event's hash, from its content when the file has it.
  auto event_hash = tlog::HashFromBytes(proof.event_hash(), "event_hash");
  if (!event_hash.ok()) return Fail(report, Message(event_hash.status()));
  if (proof.has_event()) {
    auto event = AuditEventFromProto(proof.event());
    if (!event.ok()) return Fail(report, "event: " + Message(event.status()));
    if (event->seq != proof.seq()) {
      return Fail(report, "the event in the file is not event seq " +
                              std::to_string(proof.seq()));
    }
    if (ComputeEventHash(event->prev_hash, *event) != *event_hash ||
        event->hash != *event_hash) {
      return Fail(report, absl::StrCat("seq ", proof.seq(),
                                       ": hash mismatch (event content "
                                       "changed)"));
    }
    report.event_checked = true;
  }
  // 3. The inclusion proof of that leaf in the checkpoint's tree.
  if (proof.proof().leaf_index() != proof.seq() - 1) {
    return Fail(report, "the proof's leaf index is not seq - 1");
  }
  const std::vector<std::string> raw(proof.proof().hashes().begin(),
                                     proof.proof().hashes().end());
  auto hashes = tlog::ProofFromBytes(raw);
  if (!hashes.ok()) return Fail(report, Message(hashes.status()));
  absl::Status included =
      tlog::VerifyInclusion(AuditLeafHash(*event_hash), proof.seq() - 1,
                            report.tree_size, *hashes, checkpoint->root);
  if (!included.ok()) {
    return Fail(report, "inclusion proof: " + Message(included));
  }
  if (static_cast<int>(report.witnesses.size()) < min_witnesses) {
    return Fail(report, absl::StrCat(report.witnesses.size(),
                                     " witness cosignature(s) verified, ",
                                     min_witnesses,
                                     " required (witnesses cosign a new "
                                     "checkpoint within seconds: prove the "
                                     "event again for one they have "
                                     "cosigned)"));
  }
  report.ok = true;
  return report;
}

}  // namespace caregate::ctl
