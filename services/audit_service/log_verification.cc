#include "services/audit_service/log_verification.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/audit/audit_chain.h"
#include "services/audit/checkpoint.h"
#include "services/audit/pipelined_chain_verifier.h"
#include "services/common/status_macros.h"

namespace caregate {
namespace {

// A problem found in the log: the first bad seq and what is wrong.
struct Problem {
  int64_t seq = 0;
  std::string text;
};

void Fail(VerifyReport& report, Problem problem) {
  report.ok = false;
  report.first_bad_seq = problem.seq;
  report.problem = std::move(problem.text);
}

// The stored event `seq`, or std::nullopt when the store has none.
absl::StatusOr<std::optional<AuditEvent>> ReadEvent(Store& store, int64_t seq) {
  std::optional<AuditEvent> found;
  CG_RETURN_IF_ERROR(store.ScanAuditEvents(seq, seq, [&](const AuditEvent& e) {
    found = e;
    return false;
  }));
  return found;
}

// The seq of the last stored event (0 for an empty log).
absl::StatusOr<int64_t> LastStoredSeq(Store& store) {
  CG_ASSIGN_OR_RETURN(std::optional<ChainHead> head, store.GetChainHead());
  return head.has_value() ? head->seq : 0;
}

// Checks a checkpoint: its signature, then that the stored chain still holds
// its event with its hash. `verified_hash` is the hash of event
// checkpoint.seq when the caller verified that event.
absl::StatusOr<std::optional<Problem>> CheckCheckpoint(
    Store& store, const Ed25519Verifier& verifier, const Checkpoint& checkpoint,
    std::optional<Hash256> verified_hash) {
  if (!VerifyCheckpoint(checkpoint, verifier).ok()) {
    return Problem{checkpoint.seq, "checkpoint signature invalid"};
  }
  std::optional<Hash256> hash = std::move(verified_hash);
  int64_t last_seq = checkpoint.seq;
  if (checkpoint.seq == 0) hash = Hash256{};
  if (!hash.has_value()) {
    CG_ASSIGN_OR_RETURN(std::optional<AuditEvent> event,
                        ReadEvent(store, checkpoint.seq));
    if (event.has_value()) {
      hash = event->hash;
    } else {
      CG_ASSIGN_OR_RETURN(last_seq, LastStoredSeq(store));
      if (last_seq >= checkpoint.seq) {
        return Problem{
            checkpoint.seq,
            absl::StrCat("seq ", checkpoint.seq,
                         ": event missing (the checkpoint's event)")};
      }
    }
  }
  absl::Status match = CheckCheckpointAgainstChain(checkpoint, last_seq, hash);
  if (match.ok()) return std::nullopt;
  const int64_t bad_seq =
      last_seq < checkpoint.seq ? last_seq + 1 : checkpoint.seq;
  return Problem{bad_seq, std::string(match.message())};
}

// A verifier for a range starting at `from`: from the start, or anchored on
// the stored hash of event from-1; std::nullopt when that event is missing.
absl::StatusOr<std::optional<ChainVerifier>> StartVerifier(Store& store,
                                                           int64_t from) {
  if (from <= 1) return ChainVerifier();
  CG_ASSIGN_OR_RETURN(std::optional<AuditEvent> anchor,
                      ReadEvent(store, from - 1));
  if (!anchor.has_value()) return std::nullopt;
  return ChainVerifier(anchor->seq, anchor->hash);
}

// Every stored checkpoint, in ascending seq order.
absl::StatusOr<std::vector<Checkpoint>> AllCheckpoints(Store& store) {
  std::vector<Checkpoint> checkpoints;
  CG_RETURN_IF_ERROR(store.ScanCheckpoints([&](const Checkpoint& checkpoint) {
    checkpoints.push_back(checkpoint);
    return true;
  }));
  return checkpoints;
}

std::vector<int64_t> CheckpointSeqs(const std::vector<Checkpoint>& all) {
  std::vector<int64_t> seqs;
  seqs.reserve(all.size());
  for (const Checkpoint& checkpoint : all) seqs.push_back(checkpoint.seq);
  return seqs;
}

// Reads events from..to into `pipeline` (the store is read on this thread
// while the pipeline's hashes on another: every event is still read and
// hashed) and waits for it. The first problem in the events, if any.
absl::StatusOr<std::optional<Problem>> VerifyEvents(
    Store& store, int64_t from, int64_t to, PipelinedChainVerifier& pipeline) {
  const absl::Status scan = store.ScanAuditEvents(
      from, to, [&](const AuditEvent& event) { return pipeline.Add(event); });
  const VerifyResult& result = pipeline.Finish();
  // A problem in the events read comes first: the reader may have gone on
  // past it (to a row that no longer decodes) before hearing of it.
  if (!result.ok) return Problem{result.first_bad_seq, result.problem};
  if (scan.code() == absl::StatusCode::kDataLoss) {
    // Rows are read in seq order: the one that no longer decodes follows the
    // last event verified.
    const int64_t bad = result.verified_through_seq + 1;
    return Problem{bad, absl::StrCat("seq ", bad,
                                     ": stored event cannot be decoded "
                                     "(event content changed)")};
  }
  CG_RETURN_IF_ERROR(scan);
  return std::nullopt;
}

}  // namespace

absl::Status ValidateVerifyRange(int64_t from_seq, int64_t to_seq) {
  if (from_seq < 0) {
    return absl::InvalidArgumentError("from_seq: must not be negative");
  }
  if (to_seq < 0) {
    return absl::InvalidArgumentError("to_seq: must not be negative");
  }
  if (to_seq != 0 && to_seq < from_seq) {
    return absl::InvalidArgumentError(
        absl::StrCat("to_seq: ", to_seq, " is below from_seq ", from_seq));
  }
  return absl::OkStatus();
}

absl::StatusOr<VerifyReport> VerifyStoredLog(Store& store,
                                             const Ed25519Verifier& verifier,
                                             int64_t from_seq, int64_t to_seq,
                                             int64_t head_seq) {
  CG_RETURN_IF_ERROR(ValidateVerifyRange(from_seq, to_seq));
  const int64_t from = std::max<int64_t>(from_seq, 1);
  const int64_t to = to_seq == 0 ? head_seq : std::min(to_seq, head_seq);
  if (from > 1 && from > to) {
    return absl::InvalidArgumentError(absl::StrCat(
        "from_seq: ", from_seq, " is beyond the log head ", head_seq));
  }
  VerifyReport report;
  CG_ASSIGN_OR_RETURN(report.checkpoint, store.GetLatestCheckpoint());
  CG_ASSIGN_OR_RETURN(std::optional<ChainVerifier> chain,
                      StartVerifier(store, from));
  if (!chain.has_value()) {
    Fail(report, Problem{from - 1, absl::StrCat("seq ", from - 1,
                                                ": event missing (the "
                                                "range's anchor)")});
    return report;
  }
  // Every checkpoint ever signed is checked, not only the latest: a gateway
  // restarted on an altered log signs new checkpoints over it, but the older
  // ones still commit to the original events.
  CG_ASSIGN_OR_RETURN(std::vector<Checkpoint> checkpoints,
                      AllCheckpoints(store));
  PipelinedChainVerifier pipeline(*std::move(chain),
                                  CheckpointSeqs(checkpoints));
  CG_ASSIGN_OR_RETURN(std::optional<Problem> bad_event,
                      VerifyEvents(store, from, to, pipeline));
  const VerifyResult& result = pipeline.Finish();
  report.verified_through_seq = result.verified_through_seq;
  if (bad_event.has_value()) {
    Fail(report, *std::move(bad_event));
    return report;
  }
  for (const Checkpoint& checkpoint : checkpoints) {
    CG_ASSIGN_OR_RETURN(std::optional<Problem> problem,
                        CheckCheckpoint(store, verifier, checkpoint,
                                        pipeline.RecordedHash(checkpoint.seq)));
    if (problem.has_value()) {
      Fail(report, *std::move(problem));
      return report;
    }
  }
  if (result.verified_through_seq < to) {
    const int64_t missing = result.verified_through_seq + 1;
    Fail(report, Problem{missing, absl::StrCat("seq ", missing,
                                               ": event missing (expected "
                                               "events through seq ",
                                               to, ")")});
  }
  return report;
}

}  // namespace caregate
