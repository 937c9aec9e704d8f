#include "services/audit_service/log_proofs.h"

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/store/store_node_source.h"
#include "services/transparency/proof_builder.h"

namespace caregate {
namespace {

absl::Status CheckWithinLog(const char* field, int64_t size, int64_t log_size) {
  if (size <= log_size) return absl::OkStatus();
  return absl::OutOfRangeError(absl::StrCat(field, ": ", size,
                                            " is beyond the log, which has ",
                                            log_size, " events"));
}

// The latest checkpoint that has a tree root.
absl::StatusOr<Checkpoint> LatestTreeCheckpoint(Store& store) {
  CG_ASSIGN_OR_RETURN(std::optional<Checkpoint> latest,
                      store.GetLatestCheckpoint());
  if (!latest.has_value() || !latest->tree_root.has_value()) {
    return absl::FailedPreconditionError(
        "tree_size: no checkpoint of the Merkle tree yet; give a tree_size");
  }
  return *std::move(latest);
}

}  // namespace

absl::StatusOr<LogInclusionProof> ProveInclusion(Store& store, int64_t seq,
                                                 int64_t tree_size,
                                                 int64_t log_size) {
  if (seq < 1) {
    return absl::InvalidArgumentError("seq: must be at least 1");
  }
  if (tree_size < 0) {
    return absl::InvalidArgumentError(
        "tree_size: must be 0 (the latest checkpoint) or at least seq");
  }
  LogInclusionProof proof;
  if (tree_size == 0) {
    CG_ASSIGN_OR_RETURN(Checkpoint latest, LatestTreeCheckpoint(store));
    tree_size = latest.seq;
    proof.checkpoint = std::move(latest);
    if (seq > tree_size) {
      return absl::OutOfRangeError(
          absl::StrCat("seq: event ", seq,
                       " is not yet covered by a checkpoint (the "
                       "latest covers ",
                       tree_size, " events); retry in a second"));
    }
  } else if (tree_size < seq) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tree_size: must be at least seq (", seq, "), got ", tree_size));
  }
  CG_RETURN_IF_ERROR(CheckWithinLog("tree_size", tree_size, log_size));
  StoreNodeSource nodes(&store);
  proof.leaf_index = seq - 1;
  proof.tree_size = tree_size;
  CG_ASSIGN_OR_RETURN(proof.hashes,
                      tlog::InclusionProof(nodes, seq - 1, tree_size));
  bool found = false;
  CG_RETURN_IF_ERROR(store.ScanAuditEvents(seq, seq, [&](const AuditEvent& e) {
    proof.event_hash = e.hash;
    proof.event = e;
    found = true;
    return false;
  }));
  if (!found) {
    return absl::DataLossError(
        absl::StrCat("audit event ", seq, " is missing"));
  }
  if (!proof.checkpoint.has_value()) {
    CG_ASSIGN_OR_RETURN(std::optional<Checkpoint> latest,
                        store.GetLatestCheckpoint());
    if (latest.has_value() && latest->seq == tree_size &&
        latest->tree_root.has_value()) {
      proof.checkpoint = std::move(latest);
    }
  }
  return proof;
}

absl::StatusOr<std::vector<Hash256>> ProveConsistency(Store& store,
                                                      int64_t from_size,
                                                      int64_t to_size,
                                                      int64_t log_size) {
  if (from_size < 1) {
    return absl::InvalidArgumentError("from_size: must be at least 1");
  }
  if (to_size < from_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("to_size: must be at least from_size (", from_size,
                     "), got ", to_size));
  }
  CG_RETURN_IF_ERROR(CheckWithinLog("to_size", to_size, log_size));
  StoreNodeSource nodes(&store);
  return tlog::ConsistencyProof(nodes, from_size, to_size);
}

}  // namespace caregate
