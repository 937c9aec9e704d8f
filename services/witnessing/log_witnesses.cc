#include "services/witnessing/log_witnesses.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/audit/audit_tree.h"
#include "services/common/status_macros.h"
#include "services/common/thread_name.h"
#include "services/store/store_node_source.h"
#include "services/transparency/merkle.h"
#include "services/transparency/proof_builder.h"
#include "services/transparency/witness_protocol.h"
#include "spdlog/spdlog.h"

namespace caregate {
namespace {

// What one witness holds for the log.
struct Witnessed {
  std::string witness;
  int64_t size = 0;
  Hash256 root{};
};

// Rebuilds the tree from events 1..max size and compares each witnessed
// root, then the stored tree's root at that size.
absl::Status CheckWitnessed(Store& store, const std::vector<Witnessed>& held) {
  std::vector<int64_t> sizes;
  int64_t max_size = 0;
  for (const Witnessed& w : held) {
    sizes.push_back(w.size);
    max_size = std::max(max_size, w.size);
  }
  AuditTreeVerifier verifier(sizes);
  CG_RETURN_IF_ERROR(store.ScanAuditEvents(
      1, max_size, [&](const AuditEvent& e) { return verifier.Add(e); }));
  CG_ASSIGN_OR_RETURN(const int64_t stored_tree, store.GetTreeSize());
  StoreNodeSource nodes(&store);
  for (const Witnessed& w : held) {
    if (verifier.size() < w.size) {
      const VerifyResult& r = verifier.result();
      return absl::FailedPreconditionError(
          absl::StrCat("audit log not consistent with witness ", w.witness,
                       ", which cosigned size ", w.size, ": ",
                       r.ok ? absl::StrCat("the log has only ", verifier.size(),
                                           " events (log truncated)")
                            : absl::StrCat(r.problem, " (log altered)"),
                       "; refusing to serve"));
    }
    if (verifier.RootAt(w.size) != w.root) {
      return absl::FailedPreconditionError(absl::StrCat(
          "audit log not consistent with witness ", w.witness,
          ", which cosigned size ", w.size, ": the first ", w.size,
          " events have another Merkle root (log rewritten); refusing to "
          "serve"));
    }
    if (stored_tree >= w.size) {
      CG_ASSIGN_OR_RETURN(Hash256 stored_root, tlog::RootAt(nodes, w.size));
      if (stored_root != w.root) {
        return absl::FailedPreconditionError(
            absl::StrCat("the stored Merkle tree at size ", w.size,
                         " is not the one witness ", w.witness,
                         " cosigned (tree nodes altered); refusing to serve"));
      }
    }
    spdlog::info("audit log consistent with witness {} at size {}", w.witness,
                 w.size);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::unique_ptr<tlog::WitnessClient>>>
ConnectWitnesses(const std::vector<std::pair<std::string, std::string>>&
                     url_and_verifier_key) {
  std::vector<std::unique_ptr<tlog::WitnessClient>> clients;
  for (size_t i = 0; i < url_and_verifier_key.size(); ++i) {
    const auto& [url, key] = url_and_verifier_key[i];
    absl::StatusOr<std::unique_ptr<tlog::WitnessClient>> client =
        tlog::WitnessClient::Create(url, key);
    if (!client.ok()) {
      return absl::Status(
          client.status().code(),
          absl::StrCat("witnesses[", i, "]: ", client.status().message()));
    }
    clients.push_back(*std::move(client));
  }
  return clients;
}

absl::Status CheckLogAgainstWitnesses(
    Store& store, const std::string& origin,
    const std::vector<std::unique_ptr<tlog::WitnessClient>>& witnesses) {
  std::vector<Witnessed> held;
  for (const auto& witness : witnesses) {
    absl::StatusOr<std::optional<tlog::WitnessedCheckpoint>> latest =
        witness->LatestCheckpoint(origin);
    if (!latest.ok()) {
      spdlog::warn("witness {} could not be asked at start: {}",
                   witness->name(), latest.status().ToString());
      continue;
    }
    if (!latest->has_value()) continue;  // it has not seen this log yet
    held.push_back({witness->name(), (*latest)->checkpoint.size,
                    (*latest)->checkpoint.root});
  }
  if (held.empty()) return absl::OkStatus();
  return CheckWitnessed(store, held);
}

WitnessPublisher::WitnessPublisher(
    Store* store, Ledger* ledger,
    std::vector<std::unique_ptr<tlog::WitnessClient>> witnesses,
    Options options)
    : store_(store),
      ledger_(ledger),
      witnesses_(std::move(witnesses)),
      options_(options),
      witnessed_size_(witnesses_.size(), -1) {
  thread_ = std::thread([this] {
    SetCurrentThreadName("witness-client");
    Loop();
  });
}

WitnessPublisher::~WitnessPublisher() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

std::pair<int64_t, int> WitnessPublisher::last_published() const {
  absl::MutexLock lock(&mu_);
  return {published_size_, published_cosignatures_};
}

void WitnessPublisher::Loop() {
  for (;;) {
    int64_t published = 0;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.poll_interval);
      if (stopping_) return;
      published = published_size_;
    }
    std::optional<Checkpoint> checkpoint = ledger_->durable_checkpoint();
    if (checkpoint.has_value() && checkpoint->seq > published &&
        !checkpoint->note.empty() && checkpoint->tree_root.has_value()) {
      Publish(*checkpoint);
    }
  }
}

std::optional<std::string> WitnessPublisher::AskWitness(
    size_t i, const Checkpoint& checkpoint) {
  tlog::WitnessClient& witness = *witnesses_[i];
  StoreNodeSource nodes(store_);
  // Twice at most: the first answer may teach us the size it holds.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int64_t old_size = std::max<int64_t>(witnessed_size_[i], 0);
    std::vector<Hash256> proof;
    if (old_size > 0 && old_size < checkpoint.seq) {
      absl::StatusOr<std::vector<Hash256>> p =
          tlog::ConsistencyProof(nodes, old_size, checkpoint.seq);
      if (!p.ok()) {
        spdlog::error("consistency proof {}..{} for witness {}: {}", old_size,
                      checkpoint.seq, witness.name(), p.status().ToString());
        return std::nullopt;
      }
      proof = *std::move(p);
    }
    absl::StatusOr<tlog::WitnessCosignature> cosigned =
        witness.AddCheckpoint(old_size, proof, checkpoint.note);
    if (cosigned.ok()) {
      witnessed_size_[i] = checkpoint.seq;
      return cosigned->line;
    }
    if (std::optional<int64_t> held = tlog::WitnessSizeOf(cosigned.status());
        held.has_value() && attempt == 0) {
      witnessed_size_[i] = *held;
      if (*held >= checkpoint.seq) return std::nullopt;  // nothing new
      continue;
    }
    if (absl::IsDataLoss(cosigned.status())) {
      spdlog::error(
          "witness {} refuses checkpoint {} as inconsistent with what it "
          "cosigned: the audit log's history was altered: {}",
          witness.name(), checkpoint.seq, cosigned.status().ToString());
    } else {
      spdlog::warn("witness {} did not cosign checkpoint {}: {}",
                   witness.name(), checkpoint.seq,
                   cosigned.status().ToString());
    }
    return std::nullopt;
  }
  return std::nullopt;
}

void WitnessPublisher::Publish(const Checkpoint& checkpoint) {
  std::string lines;
  int cosignatures = 0;
  for (size_t i = 0; i < witnesses_.size(); ++i) {
    if (std::optional<std::string> line = AskWitness(i, checkpoint)) {
      lines += *line;
      ++cosignatures;
    }
  }
  if (cosignatures < options_.min_cosignatures) {
    spdlog::warn(
        "checkpoint {} has {} of the {} witness cosignatures the "
        "policy asks for",
        checkpoint.seq, cosignatures, options_.min_cosignatures);
  }
  if (cosignatures > 0) {
    const std::string note = checkpoint.note + lines;
    const int64_t seq = checkpoint.seq;
    const Hash256 root = *checkpoint.tree_root;
    ledger_->Submit(
        [seq, root, note](LedgerTxn& txn) {
          return txn.store().UpdateCheckpointNote(seq, root, note);
        },
        [seq](absl::Status s) {
          if (!s.ok()) {
            spdlog::warn("cosignatures of checkpoint {} not stored: {}", seq,
                         s.ToString());
          }
        });
  }
  absl::MutexLock lock(&mu_);
  published_size_ = checkpoint.seq;
  published_cosignatures_ = cosignatures;
}

}  // namespace caregate
