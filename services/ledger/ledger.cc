#include "services/ledger/ledger.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/audit/audit_tree.h"
#include "services/audit/checkpoint.h"
#include "services/common/status_macros.h"
#include "services/common/thread_name.h"
#include "services/transparency/checkpoint.h"
#include "services/transparency/signed_note.h"
#include "spdlog/spdlog.h"

namespace caregate {

absl::StatusOr<int64_t> LedgerTxn::Audit(AuditEvent event) {
  if (event.time == absl::Time()) event.time = now_;
  const AuditChain chain_before = *chain_;
  const tlog::CompactRange tree_before = *tree_;
  chain_->Append(&event);
  absl::Status s = store_->AppendAuditEvent(event);
  if (s.ok()) {
    std::vector<tlog::NodeHash> completed;
    tree_->Append(AuditLeafHash(event.hash), &completed);
    DropLeaves(completed);
    s = store_->PutTreeNodes(completed);
  }
  if (!s.ok()) {
    *chain_ = chain_before;
    *tree_ = tree_before;
    return s;
  }
  return event.seq;
}

namespace {

// The tree of `size` leaves continued from its stored right edge.
absl::StatusOr<tlog::CompactRange> RestoreTree(WriteTransaction& txn,
                                               int64_t size) {
  CG_ASSIGN_OR_RETURN(
      std::vector<Hash256> edge,
      txn.ReadTreeNodes(tlog::CompactRange::RightEdgeNodes(size)));
  return tlog::CompactRange::Restore(size, std::move(edge));
}

// Stores the tree nodes of events stored+1..head that a log written before
// the tree existed lacks, in one transaction (`txn` holds the head).
absl::StatusOr<tlog::CompactRange> BuildMissingTree(Store& store,
                                                    WriteTransaction& txn,
                                                    int64_t stored,
                                                    int64_t head) {
  CG_ASSIGN_OR_RETURN(tlog::CompactRange tree, RestoreTree(txn, stored));
  spdlog::info("building the audit log's Merkle tree over events {}..{}",
               stored + 1, head);
  std::vector<tlog::NodeHash> pending;
  // The nodes gathered so far, but the leaves, written in one call.
  const auto write_pending = [&] {
    DropLeaves(pending);
    absl::Status status = txn.PutTreeNodes(pending);
    pending.clear();
    return status;
  };
  absl::Status written = absl::OkStatus();
  CG_RETURN_IF_ERROR(
      store.ScanAuditEvents(stored + 1, head, [&](const AuditEvent& event) {
        if (event.seq != tree.size() + 1) {
          written = absl::DataLossError(
              absl::StrCat("audit event ", tree.size() + 1, " is missing"));
          return false;
        }
        tree.Append(AuditLeafHash(event.hash), &pending);
        if (pending.size() >= 4096) written = write_pending();
        return written.ok();
      }));
  CG_RETURN_IF_ERROR(written);
  CG_RETURN_IF_ERROR(write_pending());
  if (tree.size() != head) {
    return absl::DataLossError(
        absl::StrCat("audit events after ", tree.size(), " are missing"));
  }
  CG_RETURN_IF_ERROR(txn.Commit());
  CG_RETURN_IF_ERROR(store.Sync());
  return tree;
}

// The tree of the stored log, built first where the store lacks it.
absl::StatusOr<tlog::CompactRange> LoadTree(Store& store, ChainHead& head) {
  CG_ASSIGN_OR_RETURN(std::unique_ptr<WriteTransaction> txn,
                      store.BeginWrite());
  CG_ASSIGN_OR_RETURN(std::optional<ChainHead> locked, txn->LockLogHead());
  head = locked.value_or(ChainHead{});
  CG_ASSIGN_OR_RETURN(const int64_t stored, store.GetTreeSize());
  if (stored > head.seq) {
    spdlog::error(
        "audit log: the stored Merkle tree has {} leaves but the log only {} "
        "events: events were removed behind the gateway's back (log "
        "truncated); the tree continues from the events",
        stored, head.seq);
  }
  absl::StatusOr<tlog::CompactRange> tree = RestoreTree(*txn, head.seq);
  if (!absl::IsNotFound(tree.status())) return tree;
  return BuildMissingTree(store, *txn, std::min(stored, head.seq), head.seq);
}

// The checkpoint note of the tree of `size` leaves with root `root`,
// signed by `signer` at `now`.
absl::StatusOr<std::string> SignCheckpointNote(const tlog::NoteSigner& signer,
                                               int64_t size,
                                               const Hash256& root,
                                               absl::Time now) {
  CG_ASSIGN_OR_RETURN(std::string text,
                      tlog::FormatCheckpoint({signer.name(), size, root, {}}));
  CG_ASSIGN_OR_RETURN(tlog::NoteSignature signature, signer.Sign(text, now));
  return tlog::FormatSignedNote({std::move(text), {std::move(signature)}});
}

}  // namespace

absl::StatusOr<std::unique_ptr<Ledger>> Ledger::Create(
    Store* store, const Clock* clock, const Ed25519Signer* signer,
    Options options) {
  // Not owned: the caller keeps the signer alive longer than the ledger.
  std::shared_ptr<const Ed25519Signer> key(std::shared_ptr<void>(), signer);
  absl::StatusOr<std::unique_ptr<tlog::NoteSigner>> note_signer =
      tlog::NoteSigner::Create(options.checkpoint_origin,
                               tlog::NoteKeyType::kCosignatureV1, key);
  if (!note_signer.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint origin: ", note_signer.status().message()));
  }
  ChainHead head;
  absl::StatusOr<tlog::CompactRange> tree = LoadTree(*store, head);
  if (!tree.ok()) return tree.status();
  AuditChain chain;
  if (head.seq > 0) chain = AuditChain(head.seq, head.hash);
  auto ledger = std::unique_ptr<Ledger>(
      new Ledger(store, clock, signer, *std::move(note_signer),
                 std::move(options), chain, *std::move(tree)));
  absl::StatusOr<std::optional<Checkpoint>> cp = store->GetLatestCheckpoint();
  if (!cp.ok()) return cp.status();
  if (cp->has_value()) {
    ledger->last_checkpoint_seq_ = (*cp)->seq;
    absl::MutexLock lock(&ledger->mu_);
    ledger->checkpoint_ = **cp;
    ledger->durable_checkpoint_ = **cp;
  }
  ledger->writer_ = std::thread([l = ledger.get()] {
    SetCurrentThreadName("ledger-writer");
    l->WriterLoop();
  });
  ledger->syncer_ = std::thread([l = ledger.get()] {
    SetCurrentThreadName("ledger-sync");
    l->SyncLoop();
  });
  return ledger;
}

Ledger::Ledger(Store* store, const Clock* clock, const Ed25519Signer* signer,
               std::unique_ptr<tlog::NoteSigner> note_signer, Options options,
               AuditChain chain, tlog::CompactRange tree)
    : store_(store),
      clock_(clock),
      signer_(signer),
      note_signer_(std::move(note_signer)),
      options_(std::move(options)),
      chain_(chain),
      tree_(std::move(tree)) {
  committed_.seq = chain.head_seq();
  committed_.hash = chain.head_hash();
}

Ledger::~Ledger() { Shutdown(); }

namespace {

absl::Status SyncFailedError() {
  return absl::UnavailableError(
      "store unavailable: a write could not be synced to disk; the gateway "
      "refuses changes until it is restarted");
}

}  // namespace

void Ledger::Submit(LedgerCommand command, LedgerDone done) {
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_ && !sync_failed_) {
      queue_.push_back({std::move(command), std::move(done)});
      return;
    }
    refused = sync_failed_ ? SyncFailedError()
                           : absl::UnavailableError("gateway is shutting down");
  }
  done(std::move(refused));
}

void Ledger::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
  }
  if (writer_.joinable()) writer_.join();
  {
    absl::MutexLock lock(&sync_mu_);
    sync_stopping_ = true;
  }
  if (syncer_.joinable()) syncer_.join();
}

ChainHead Ledger::committed_head() const {
  absl::MutexLock lock(&mu_);
  return committed_;
}

std::optional<Checkpoint> Ledger::latest_checkpoint() const {
  absl::MutexLock lock(&mu_);
  return checkpoint_;
}

std::optional<Checkpoint> Ledger::durable_checkpoint() const {
  absl::MutexLock lock(&mu_);
  return durable_checkpoint_;
}

void Ledger::WriterLoop() {
  for (;;) {
    bool stop = false;
    {
      absl::MutexLock lock(&mu_);
      const auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return !queue_.empty() || stopping_;
      };
      mu_.AwaitWithTimeout(absl::Condition(&ready),
                           options_.checkpoint_interval);
      stop = stopping_ && queue_.empty();
    }
    if (stop) break;
    RunGroup();
    MaybeCheckpoint(/*force=*/false);
  }
  MaybeCheckpoint(/*force=*/true);
}

void Ledger::RunGroup() {
  Group group;
  std::vector<Outcome>& outcomes = group.outcomes;
  std::vector<std::function<void()>> on_commit;
  absl::StatusOr<std::unique_ptr<WriteTransaction>> txn = BeginGroup();
  const AuditChain chain_before = chain_;
  const tlog::CompactRange tree_before = tree_;
  bool end_group = false;
  while (!end_group &&
         static_cast<int>(outcomes.size()) < options_.max_group_size) {
    Pending next;
    bool sync_failed = false;
    {
      absl::MutexLock lock(&mu_);
      if (queue_.empty()) break;
      next = std::move(queue_.front());
      queue_.pop_front();
      sync_failed = sync_failed_;
    }
    if (sync_failed) {
      outcomes.push_back({std::move(next.done), SyncFailedError()});
      continue;
    }
    if (!txn.ok()) {
      outcomes.push_back({std::move(next.done), txn.status()});
      continue;
    }
    RunCommand(**txn, std::move(next), group, on_commit, end_group);
  }
  if (outcomes.empty()) return;
  absl::Status commit = txn.ok() ? (*txn)->Commit() : txn.status();
  if (!commit.ok()) {
    spdlog::error("ledger commit failed ({} commands): {}", outcomes.size(),
                  commit.ToString());
    if (commit.code() == absl::StatusCode::kUnavailable &&
        options_.on_store_unavailable) {
      options_.on_store_unavailable();
    }
    chain_ = chain_before;
    tree_ = tree_before;
    for (Outcome& o : outcomes) {
      o.status = absl::UnavailableError(
          absl::StrCat("store unavailable, the group's commit failed (",
                       std::string(commit.message()),
                       "); retry with the same request_id, which returns "
                       "the first receipt if it did commit"));
    }
    group.on_durable.clear();
    HandOff(std::move(group));
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    committed_.seq = chain_.head_seq();
    committed_.hash = chain_.head_hash();
  }
  for (auto& fn : on_commit) fn();
  HandOff(std::move(group));
}

absl::StatusOr<std::unique_ptr<WriteTransaction>> Ledger::BeginGroup() {
  CG_ASSIGN_OR_RETURN(std::unique_ptr<WriteTransaction> txn,
                      store_->BeginWrite());
  CG_ASSIGN_OR_RETURN(std::optional<ChainHead> head, txn->LockLogHead());
  chain_ = head.has_value() ? AuditChain(head->seq, head->hash) : AuditChain();
  if (tree_.size() != chain_.head_seq()) {
    CG_ASSIGN_OR_RETURN(tree_, RestoreTree(*txn, chain_.head_seq()));
  }
  return txn;
}

void Ledger::HandOff(Group group) {
  absl::MutexLock lock(&sync_mu_);
  unsynced_.push_back(std::move(group));
}

void Ledger::SyncLoop() {
  for (;;) {
    std::deque<Group> groups;
    bool stop = false;
    {
      absl::MutexLock lock(&sync_mu_);
      const auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(sync_mu_) {
        return !unsynced_.empty() || sync_stopping_;
      };
      sync_mu_.Await(absl::Condition(&ready));
      groups.swap(unsynced_);
      stop = sync_stopping_;
    }
    // On stop, sync even with no group left: the final checkpoint.
    if (!groups.empty() || stop) {
      const absl::Status synced = store_->Sync();
      if (!synced.ok()) {
        spdlog::error(
            "ledger sync failed ({} groups): {}; refusing every further "
            "change until caregated is restarted",
            groups.size(), synced.ToString());
        absl::MutexLock lock(&mu_);
        sync_failed_ = true;
      }
      FinishGroups(groups, synced);
    }
    if (stop) return;  // the writer has joined: nothing more can arrive
  }
}

void Ledger::FinishGroups(std::deque<Group>& groups,
                          const absl::Status& synced) {
  for (Group& group : groups) {
    if (synced.ok()) {
      for (auto& fn : group.on_durable) fn();
    }
    for (Outcome& o : group.outcomes) {
      if (!synced.ok() && o.status.ok()) o.status = SyncFailedError();
      o.done(std::move(o.status));
    }
  }
}

namespace {

// A store fault inside a command (a corrupt row, a constraint the writer
// should never hit) is logged in full and reported to the caller without the
// store's own words. A unique key met in the store (ALREADY_EXISTS) means
// another writer (a replica on the same database) committed the same key
// first: the command's savepoint is rolled back, and the caller is told to
// retry, which with the same request id returns the winner's result.
// Refusals a command decides itself pass unchanged.
absl::Status ForCaller(absl::Status s) {
  switch (s.code()) {
    case absl::StatusCode::kAlreadyExists:
      spdlog::warn("ledger command met a concurrent write: {}", s.ToString());
      return absl::AbortedError(
          "a concurrent request committed the same key first; nothing was "
          "written; retry with the same request_id");
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kInternal:
      spdlog::error("ledger command failed in the store: {}", s.ToString());
      return absl::InternalError("internal store error; nothing was written");
    default:
      return s;
  }
}

}  // namespace

void Ledger::RunCommand(WriteTransaction& txn, Pending pending, Group& group,
                        std::vector<std::function<void()>>& on_commit,
                        bool& end_group) {
  std::vector<Outcome>& outcomes = group.outcomes;
  absl::Status s = txn.Savepoint();
  if (!s.ok()) {
    outcomes.push_back({std::move(pending.done), s});
    return;
  }
  const AuditChain chain_before = chain_;
  const tlog::CompactRange tree_before = tree_;
  LedgerTxn ltxn(&txn, &chain_, &tree_, clock_->Now());
  s = pending.command(ltxn);
  if (s.ok()) s = txn.ReleaseSavepoint();
  if (!s.ok()) {
    chain_ = chain_before;
    tree_ = tree_before;
    absl::Status rollback = txn.RollbackToSavepoint();
    if (!rollback.ok()) {
      spdlog::error("ledger savepoint rollback failed: {}",
                    rollback.ToString());
    }
    outcomes.push_back({std::move(pending.done), ForCaller(std::move(s))});
    return;
  }
  for (auto& fn : ltxn.on_commit_) on_commit.push_back(std::move(fn));
  for (auto& fn : ltxn.on_durable_) {
    group.on_durable.push_back(std::move(fn));
  }
  end_group = ltxn.end_group_;
  outcomes.push_back({std::move(pending.done), absl::OkStatus()});
}

void Ledger::MaybeCheckpoint(bool force) {
  const int64_t head = chain_.head_seq();
  if (head == 0 || head == last_checkpoint_seq_) return;
  {
    absl::MutexLock lock(&mu_);
    if (sync_failed_) return;  // the head may not be on disk: sign nothing
  }
  const absl::Time now = clock_->Now();
  if (!force && now - last_checkpoint_time_ < options_.checkpoint_interval) {
    return;
  }
  Checkpoint cp = SignCheckpoint(options_.checkpoint_origin, head,
                                 chain_.head_hash(), now, *signer_);
  cp.tree_root = tree_.Root();
  absl::StatusOr<std::string> note =
      SignCheckpointNote(*note_signer_, head, *cp.tree_root, now);
  absl::Status s = note.status();
  if (s.ok()) cp.note = *std::move(note);
  absl::StatusOr<std::unique_ptr<WriteTransaction>> txn = store_->BeginWrite();
  if (s.ok()) s = txn.ok() ? (*txn)->InsertCheckpoint(cp) : txn.status();
  if (s.ok()) s = (*txn)->Commit();
  if (!s.ok()) {
    spdlog::error("checkpoint at seq {} not written: {}", head, s.ToString());
    return;
  }
  last_checkpoint_seq_ = head;
  last_checkpoint_time_ = now;
  // A sync soon, even if no command follows; then witnesses may see it.
  Group group;
  group.on_durable.push_back([this, cp] {
    absl::MutexLock lock(&mu_);
    durable_checkpoint_ = cp;
  });
  HandOff(std::move(group));
  absl::MutexLock lock(&mu_);
  checkpoint_ = std::move(cp);
}

}  // namespace caregate
