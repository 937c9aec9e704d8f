// The Ledger serializes every change of the gateway's state.
//
// Commands (record a consent, send a disclosure, acknowledge a message, write
// an audit event, ...) are queued by any thread and run one at a time on the
// ledger's single writer thread. The writer group-commits: it runs every
// queued command inside one store transaction (each under its own savepoint),
// appends their audit events to the hash chain, and commits once. Then it
// hands the group to the sync thread and goes on with the next group: the
// sync thread makes every group committed so far durable with one
// Store::Sync() (one fsync), and only then runs their OnDurable functions and
// completions, in commit order. So a caller's reply always follows
// durability, while the writer never waits for the disk.
//
// Each group's transaction first locks the store's audit head
// (WriteTransaction::LockLogHead) and continues the chain from it, so the
// ledgers of several processes on one PostgreSQL database (replicas, ADR 5)
// append to one linear chain, in the order they take the head.
//
// Because decisions and revocations both run as commands, they are serialized:
// a decision sees every revocation committed before it. A command that changes
// consents calls EndGroupAfterThis(), so its in-memory effects (OnCommit) are
// applied before any later command runs.
//
// Each audited event is also a leaf of the log's RFC 6962 Merkle tree
// (services/audit/audit_tree.h): the writer keeps the tree's right edge
// (tlog::CompactRange) and stores every node it completes in the same
// transaction as the event. A group that finds the head moved (another
// replica appended) restores the edge from the stored nodes.
//
// The writer also signs a checkpoint of the audit head at most every
// `checkpoint_interval` while events arrive, and once more at Shutdown():
// the chain head signed as before, and the tree root as a C2SP checkpoint
// note with a timestamped (cosignature/v1) signature of the origin's key.
//
// Thread-safety: Submit() and the accessors are thread-safe. OnCommit
// functions run on the writer thread, OnDurable functions and completions on
// the sync thread; none may block.
#ifndef CAREGATE_SERVICES_LEDGER_LEDGER_H_
#define CAREGATE_SERVICES_LEDGER_LEDGER_H_

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/audit/audit_chain.h"
#include "services/audit/audit_event.h"
#include "services/common/clock.h"
#include "services/crypto/ed25519.h"
#include "services/store/store.h"
#include "services/transparency/compact_range.h"
#include "services/transparency/note_keys.h"

namespace caregate {

// What a command sees while it runs on the writer thread.
class LedgerTxn {
 public:
  // The open store transaction (inside the command's savepoint).
  WriteTransaction& store() { return *store_; }
  // The time the command runs at (one clock reading per command).
  absl::Time now() const { return now_; }

  // Sets the event's time if unset, appends it to the chain, the Merkle tree
  // and the store, and returns its seq.
  absl::StatusOr<int64_t> Audit(AuditEvent event);

  // Runs on the writer thread right after the group commits, before any
  // later command: for in-memory state later commands must see (the consent
  // index). Dropped when the command or the commit fails.
  void OnCommit(std::function<void()> fn) {
    on_commit_.push_back(std::move(fn));
  }

  // Runs on the sync thread once the group is durable, before its
  // completions: for effects nobody may see before then (delivering a
  // message). Dropped when the command, the commit or the sync fails.
  void OnDurable(std::function<void()> fn) {
    on_durable_.push_back(std::move(fn));
  }

  // Commits the group right after this command, so OnCommit effects are
  // visible to every later command.
  void EndGroupAfterThis() { end_group_ = true; }

 private:
  friend class Ledger;
  LedgerTxn(WriteTransaction* store, AuditChain* chain,
            tlog::CompactRange* tree, absl::Time now)
      : store_(store), chain_(chain), tree_(tree), now_(now) {}

  WriteTransaction* store_;
  AuditChain* chain_;
  tlog::CompactRange* tree_;
  absl::Time now_;
  std::vector<std::function<void()>> on_commit_;
  std::vector<std::function<void()>> on_durable_;
  bool end_group_ = false;
};

// A unit of work. Return non-OK only when the command must leave nothing
// behind (its savepoint is rolled back); report a refusal that is itself
// audited (a denial) through the command's own captured result instead.
using LedgerCommand = std::function<absl::Status(LedgerTxn&)>;
// Runs once the group is durable (on the sync thread) with OK or the
// command's error, or with UNAVAILABLE when the commit failed (nothing was
// written; or, when the connection to PostgreSQL was lost during COMMIT,
// the outcome is unknown and a retry with the same request id tells) or
// the sync did (the change may not have reached the disk; the ledger then
// refuses every further command until the gateway restarts).
using LedgerDone = std::function<void(absl::Status)>;

class Ledger {
 public:
  struct Options {
    std::string checkpoint_origin;
    absl::Duration checkpoint_interval = absl::Seconds(1);
    // A group commits after this many commands even when more are queued,
    // and goes to the sync thread while the writer runs the next. With 256,
    // a burst from 64 callers rode in one group on SQLite whose first
    // command waited for the other 63; 32 gave 4-6% more sends per second
    // in the send benchmark (BENCHMARKS.md, "A send by thread"). The gateway
    // sets 64 on PostgreSQL, whose COMMIT waits on this thread (gateway.cc).
    int max_group_size = 32;
    // Called on the writer thread when a group could not begin or commit
    // because the store is UNAVAILABLE (e.g. the database connection is
    // lost), so that health can turn NOT_SERVING before the next probe.
    // Must not block. Optional.
    std::function<void()> on_store_unavailable = nullptr;
  };

  // Reads the chain head and the tree's right edge from `store` (building the
  // tree from the events first if the store holds fewer leaves than events,
  // as after an upgrade) and starts the writer thread. `store`, `clock` and
  // `signer` must outlive the Ledger. INVALID_ARGUMENT when the origin is
  // not a valid note key name.
  static absl::StatusOr<std::unique_ptr<Ledger>> Create(
      Store* store, const Clock* clock, const Ed25519Signer* signer,
      Options options);
  ~Ledger();  // Shutdown()s if still running.

  // Queues a command. After Shutdown() or a failed sync, `done` runs at once
  // (on the calling thread) with UNAVAILABLE.
  void Submit(LedgerCommand command, LedgerDone done);

  // Stops accepting commands, runs those already queued, writes a final
  // checkpoint, makes it all durable, runs every completion and joins both
  // threads. Idempotent.
  void Shutdown();

  // The last committed audit head.
  ChainHead committed_head() const;
  // The last checkpoint written by this process, if any.
  std::optional<Checkpoint> latest_checkpoint() const;
  // The last checkpoint known durable (synced), if any: the one to show
  // witnesses, who must never cosign a head a crash could still take back.
  std::optional<Checkpoint> durable_checkpoint() const;
  // The verifier key of the checkpoint notes' signatures
  // ("<origin>+<key id>+<base64 key>", cosignature/v1).
  const std::string& note_verifier_key() const {
    return note_signer_->verifier_key();
  }

 private:
  struct Pending {
    LedgerCommand command;
    LedgerDone done;
  };
  struct Outcome {
    LedgerDone done;
    absl::Status status;
  };
  // A committed group on its way to durability.
  struct Group {
    std::vector<Outcome> outcomes;
    std::vector<std::function<void()>> on_durable;
  };

  Ledger(Store* store, const Clock* clock, const Ed25519Signer* signer,
         std::unique_ptr<tlog::NoteSigner> note_signer, Options options,
         AuditChain chain, tlog::CompactRange tree);
  void WriterLoop();
  // Runs one group of queued commands in one transaction.
  void RunGroup();
  // Begins the group's transaction and seeds chain_ from the log head it
  // locks, so the group continues whatever any writer committed last.
  absl::StatusOr<std::unique_ptr<WriteTransaction>> BeginGroup();
  // Runs one command under a savepoint; appends its outcome to `group`.
  void RunCommand(WriteTransaction& txn, Pending pending, Group& group,
                  std::vector<std::function<void()>>& on_commit,
                  bool& end_group);
  // Signs and stores a checkpoint of the committed head when one is due.
  void MaybeCheckpoint(bool force);
  // Hands a committed (or failed) group to the sync thread.
  void HandOff(Group group);
  // The sync thread: Store::Sync(), then OnDurable functions and completions.
  void SyncLoop();
  void FinishGroups(std::deque<Group>& groups, const absl::Status& synced);

  Store* const store_;
  const Clock* const clock_;
  const Ed25519Signer* const signer_;
  const std::unique_ptr<tlog::NoteSigner> note_signer_;
  const Options options_;

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Set when a sync failed. The kernel may have dropped the pages it could
  // not write, so no later sync could vouch for them: every further command
  // is refused until the gateway restarts (and SQLite recovers the WAL).
  bool sync_failed_ ABSL_GUARDED_BY(mu_) = false;
  ChainHead committed_ ABSL_GUARDED_BY(mu_);
  std::optional<Checkpoint> checkpoint_ ABSL_GUARDED_BY(mu_);
  std::optional<Checkpoint> durable_checkpoint_ ABSL_GUARDED_BY(mu_);

  // Writer-thread state. chain_ is reseeded from the store at the start of
  // every group (BeginGroup), and tree_ restored when the head moved.
  AuditChain chain_;
  tlog::CompactRange tree_;
  absl::Time last_checkpoint_time_ = absl::InfinitePast();
  int64_t last_checkpoint_seq_ = 0;

  std::thread writer_;

  // Groups committed and not yet durable, in commit order.
  absl::Mutex sync_mu_;
  std::deque<Group> unsynced_ ABSL_GUARDED_BY(sync_mu_);
  bool sync_stopping_ ABSL_GUARDED_BY(sync_mu_) = false;
  std::thread syncer_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_LEDGER_LEDGER_H_
