#include "services/ledger/ledger.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_chain.h"
#include "services/audit/audit_tree.h"
#include "services/audit/checkpoint.h"
#include "services/store/sqlite_store.h"
#include "services/store/store_node_source.h"
#include "services/transparency/checkpoint.h"
#include "services/transparency/node_source.h"
#include "services/transparency/proof_builder.h"
#include "services/transparency/proof_verifier.h"
#include "services/transparency/signed_note.h"
#include "sqlite3.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"

namespace caregate {
namespace {

using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

// The Merkle root of `events` computed in memory.
Hash256 ReferenceRoot(const std::vector<AuditEvent>& events) {
  tlog::MemoryNodeSource tree;
  for (const AuditEvent& e : events) tree.AppendLeaf(AuditLeafHash(e.hash));
  return tree.Root();
}

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("ledger_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    const auto keys = testing::NewEd25519KeyPair();
    signer_ = std::move(Ed25519Signer::FromPem(keys.private_pem)).value();
    verifier_ = std::move(Ed25519Verifier::FromPem(keys.public_pem)).value();
    Open();
  }
  void TearDown() override {
    ledger_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    store_ = std::move(OpenSqliteStore((dir_ / "db.sqlite").string())).value();
    ledger_ = std::move(Ledger::Create(store_.get(), &clock_, signer_.get(),
                                       {"test.local/audit", absl::Seconds(1)}))
                  .value();
  }
  void Reopen() {
    ledger_.reset();
    store_.reset();
    Open();
  }

  // Submits `command` and waits for its completion status.
  absl::Status Run(LedgerCommand command) {
    absl::Notification done;
    absl::Status result;
    ledger_->Submit(std::move(command), [&](absl::Status s) {
      result = s;
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }

  // Queues a command that keeps the writer busy until `release` is
  // notified: what is submitted meanwhile queues behind it.
  void HoldWriter(absl::Notification& release) {
    ledger_->Submit(
        [&release](LedgerTxn&) {
          release.WaitForNotification();
          return absl::OkStatus();
        },
        [](absl::Status) {});
  }

  static AuditEvent Event(std::string subject) {
    AuditEvent e;
    e.actor_principal_id = "dr-rivera";
    e.actor_role = v1::ROLE_THERAPIST;
    e.action = v1::AUDIT_ACTION_ACCESS_DENIED;
    e.subject_id = std::move(subject);
    return e;
  }

  // Runs `sql` on the database file, as someone with the data directory can.
  void RawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "db.sqlite").c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error),
              SQLITE_OK)
        << (error != nullptr ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  std::vector<AuditEvent> AllEvents() {
    std::vector<AuditEvent> events;
    EXPECT_THAT(store_->ScanAuditEvents(1, INT64_MAX,
                                        [&](const AuditEvent& e) {
                                          events.push_back(e);
                                          return true;
                                        }),
                IsOk());
    return events;
  }

  std::filesystem::path dir_;
  FakeClock clock_{absl::FromUnixSeconds(1800000000)};
  std::unique_ptr<Ed25519Signer> signer_;
  std::unique_ptr<Ed25519Verifier> verifier_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(LedgerTest, CommandsCommitWithChainedAuditEvents) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(Run([i](LedgerTxn& txn) {
                  return txn.Audit(Event("s" + std::to_string(i))).status();
                }),
                IsOk());
  }
  const std::vector<AuditEvent> events = AllEvents();
  ASSERT_EQ(events.size(), 3u);
  ChainVerifier verifier;
  for (const AuditEvent& e : events) EXPECT_TRUE(verifier.Add(e));
  EXPECT_EQ(events[2].seq, 3);
  EXPECT_EQ(events[0].time, clock_.Now());
  EXPECT_EQ(ledger_->committed_head().seq, 3);
  EXPECT_EQ(ledger_->committed_head().hash, events[2].hash);
}

TEST_F(LedgerTest, FailedCommandLeavesNothingAndNeighboursCommit) {
  // Hold the writer busy so the three commands form one group.
  absl::Notification release;
  HoldWriter(release);
  std::atomic<int> finished = 0;
  absl::Status first, second, third;
  absl::Notification all_done;
  auto done = [&](absl::Status* out) {
    return [&, out](absl::Status s) {
      *out = s;
      if (++finished == 3) all_done.Notify();
    };
  };
  bool second_on_commit_ran = false;
  ledger_->Submit([](LedgerTxn& txn) { return txn.Audit(Event("a")).status(); },
                  done(&first));
  ledger_->Submit(
      [&](LedgerTxn& txn) {
        if (!txn.Audit(Event("b")).ok()) return absl::InternalError("audit");
        txn.OnCommit([&] { second_on_commit_ran = true; });
        return absl::InvalidArgumentError("request_id: refused");
      },
      done(&second));
  ledger_->Submit([](LedgerTxn& txn) { return txn.Audit(Event("c")).status(); },
                  done(&third));
  release.Notify();
  all_done.WaitForNotification();
  EXPECT_THAT(first, IsOk());
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("request_id")));
  EXPECT_THAT(third, IsOk());
  EXPECT_FALSE(second_on_commit_ran);
  const std::vector<AuditEvent> events = AllEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].subject_id, "a");
  EXPECT_EQ(events[1].subject_id, "c");
  EXPECT_EQ(events[1].seq, 2);  // no gap where "b" was rolled back
  ChainVerifier verifier;
  for (const AuditEvent& e : events) EXPECT_TRUE(verifier.Add(e));
}

TEST_F(LedgerTest, AGroupCommitsAfterMaxGroupSizeCommands) {
  // Hold the writer busy while 100 commands queue behind it.
  absl::Notification release;
  HoldWriter(release);
  constexpr int kCommands = 100;
  // Each command sees the head committed before its group.
  std::vector<int64_t> head_seen(kCommands, -1);
  std::atomic<int> finished = 0;
  absl::Notification all_done;
  for (int i = 0; i < kCommands; ++i) {
    ledger_->Submit(
        [&, i](LedgerTxn& txn) {
          head_seen[i] = ledger_->committed_head().seq;
          return txn.Audit(Event("s" + std::to_string(i))).status();
        },
        [&](absl::Status s) {
          EXPECT_THAT(s, IsOk());
          if (++finished == kCommands) all_done.Notify();
        });
  }
  release.Notify();
  all_done.WaitForNotification();
  std::map<int64_t, int> group_sizes;
  for (int64_t head : head_seen) ++group_sizes[head];
  const int max_group_size = Ledger::Options().max_group_size;
  ASSERT_EQ(max_group_size, 32);
  int largest = 0;
  for (const auto& [head, size] : group_sizes) {
    largest = std::max(largest, size);
  }
  // The first group also held the blocking command.
  EXPECT_EQ(group_sizes.begin()->second, max_group_size - 1);
  EXPECT_EQ(largest, max_group_size);
  EXPECT_EQ(group_sizes.size(), 4u);  // 31 + 32 + 32 + 5
  EXPECT_EQ(AllEvents().size(), static_cast<size_t>(kCommands));
}

TEST_F(LedgerTest, OnCommitRunsBeforeCompletion) {
  bool committed = false;
  bool seen_in_done = false;
  absl::Notification done;
  ledger_->Submit(
      [&](LedgerTxn& txn) {
        txn.OnCommit([&] { committed = true; });
        return txn.Audit(Event("x")).status();
      },
      [&](absl::Status s) {
        seen_in_done = committed && s.ok();
        done.Notify();
      });
  done.WaitForNotification();
  EXPECT_TRUE(seen_in_done);
}

// Forwards to a real store, counts Sync() calls and can make them fail.
class SyncObservingStore final : public Store {
 public:
  explicit SyncObservingStore(Store* inner) : inner_(inner) {}

  std::atomic<int> syncs{0};
  std::atomic<bool> fail_sync{false};
  std::atomic<bool> fail_begin{false};

  absl::Status Sync() override {
    ++syncs;
    if (fail_sync) return absl::UnavailableError("sync write-ahead log: EIO");
    return inner_->Sync();
  }
  absl::StatusOr<std::unique_ptr<WriteTransaction>> BeginWrite() override {
    if (fail_begin) return absl::UnavailableError("connection refused");
    return inner_->BeginWrite();
  }
  absl::Status ForEachConsent(
      const std::function<void(ConsentRecord)>& fn) override {
    return inner_->ForEachConsent(fn);
  }
  absl::StatusOr<std::optional<ConsentRecord>> GetConsent(
      std::string_view id) override {
    return inner_->GetConsent(id);
  }
  absl::StatusOr<std::vector<ConsentRecord>> GetPatientConsents(
      const PatientRef& patient) override {
    return inner_->GetPatientConsents(patient);
  }
  absl::StatusOr<std::vector<PatientRevision>> ListConsentRevisionsAfter(
      int64_t after, int limit) override {
    return inner_->ListConsentRevisionsAfter(after, limit);
  }
  absl::StatusOr<std::optional<ChainHead>> GetChainHead() override {
    return inner_->GetChainHead();
  }
  absl::StatusOr<std::optional<DisclosureRow>> GetDisclosure(
      std::string_view id) override {
    return inner_->GetDisclosure(id);
  }
  absl::StatusOr<std::optional<MessageRow>> GetMessage(
      std::string_view id) override {
    return inner_->GetMessage(id);
  }
  absl::StatusOr<std::vector<MessageRow>> ListMessages(
      std::string_view org, bool include_acknowledged, int64_t after_seq,
      int limit) override {
    return inner_->ListMessages(org, include_acknowledged, after_seq, limit);
  }
  absl::StatusOr<std::vector<MessageRow>> ListDueMessages(std::string_view org,
                                                          absl::Time now,
                                                          int limit) override {
    return inner_->ListDueMessages(org, now, limit);
  }
  absl::StatusOr<std::vector<MessageRow>> ClaimDueMessages(
      const PushClaim& claim) override {
    return inner_->ClaimDueMessages(claim);
  }
  absl::StatusOr<std::vector<MessageRow>> ListDeliveries(
      const DeliveryQuery& query) override {
    return inner_->ListDeliveries(query);
  }

  absl::StatusOr<std::vector<DisclosureRow>> ListDisclosuresForPatient(
      const PatientRef& patient, absl::Time since, absl::Time until) override {
    return inner_->ListDisclosuresForPatient(patient, since, until);
  }
  absl::StatusOr<std::vector<AuditEvent>> QueryAuditEvents(
      const AuditQuery& query) override {
    return inner_->QueryAuditEvents(query);
  }
  absl::StatusOr<AuditSummary> SummarizeAuditEvents(absl::Time since,
                                                    absl::Time until) override {
    return inner_->SummarizeAuditEvents(since, until);
  }
  absl::Status ScanAuditEvents(
      int64_t from, int64_t to,
      const std::function<bool(const AuditEvent&)>& fn) override {
    return inner_->ScanAuditEvents(from, to, fn);
  }
  absl::StatusOr<std::vector<Hash256>> ReadTreeNodes(
      absl::Span<const tlog::NodeId> ids) override {
    return inner_->ReadTreeNodes(ids);
  }
  absl::StatusOr<int64_t> GetTreeSize() override {
    return inner_->GetTreeSize();
  }
  absl::StatusOr<std::optional<Checkpoint>> GetLatestCheckpoint() override {
    return inner_->GetLatestCheckpoint();
  }
  absl::Status ScanCheckpoints(
      const std::function<bool(const Checkpoint&)>& fn) override {
    return inner_->ScanCheckpoints(fn);
  }

 private:
  Store* const inner_;
};

class LedgerSyncTest : public LedgerTest {
 protected:
  void SetUp() override {
    LedgerTest::SetUp();
    ledger_.reset();
    observed_ = std::make_unique<SyncObservingStore>(store_.get());
    ledger_ = std::move(Ledger::Create(observed_.get(), &clock_, signer_.get(),
                                       {"test.local/audit", absl::Seconds(1)}))
                  .value();
  }
  void TearDown() override {
    ledger_.reset();
    observed_.reset();
    LedgerTest::TearDown();
  }

  std::unique_ptr<SyncObservingStore> observed_;
};

TEST_F(LedgerSyncTest, CompletionFollowsASyncThatStartedAfterTheCommand) {
  int syncs_while_running = -1;
  int syncs_at_durable = -1;
  int syncs_at_done = -1;
  const absl::Status s = Run([&](LedgerTxn& txn) {
    syncs_while_running = observed_->syncs;
    txn.OnDurable([&] { syncs_at_durable = observed_->syncs; });
    return txn.Audit(Event("x")).status();
  });
  syncs_at_done = observed_->syncs;
  EXPECT_THAT(s, IsOk());
  EXPECT_GT(syncs_at_durable, syncs_while_running);
  EXPECT_GE(syncs_at_done, syncs_at_durable);
}

TEST_F(LedgerSyncTest, FailedSyncIsUnavailableAndNothingIsDelivered) {
  observed_->fail_sync = true;
  bool delivered = false;
  const absl::Status s = Run([&](LedgerTxn& txn) {
    txn.OnDurable([&] { delivered = true; });
    return txn.Audit(Event("x")).status();
  });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable,
                          HasSubstr("could not be synced")));
  EXPECT_FALSE(delivered);
}

// After a failed fsync the kernel may have dropped pages; a later sync that
// succeeds proves nothing about them, so the ledger stops taking changes.
TEST_F(LedgerSyncTest, AfterAFailedSyncEveryChangeIsRefused) {
  observed_->fail_sync = true;
  ASSERT_THAT(
      Run([&](LedgerTxn& txn) { return txn.Audit(Event("x")).status(); }),
      StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  observed_->fail_sync = false;
  bool ran = false;
  EXPECT_THAT(Run([&](LedgerTxn& txn) {
                ran = true;
                return txn.Audit(Event("y")).status();
              }),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("until it is restarted")));
  EXPECT_FALSE(ran);
}

// Health (StoreHealth) hears of an unavailable store from the first write
// that meets it, not only from its next probe.
TEST_F(LedgerSyncTest, AGroupThatCannotBeginReportsTheStoreUnavailable) {
  ledger_.reset();
  std::atomic<int> reported{0};
  ledger_ =
      std::move(Ledger::Create(observed_.get(), &clock_, signer_.get(),
                               {.checkpoint_origin = "test.local/audit",
                                .checkpoint_interval = absl::Seconds(1),
                                .on_store_unavailable = [&] { ++reported; }}))
          .value();
  observed_->fail_begin = true;
  EXPECT_THAT(
      Run([&](LedgerTxn& txn) { return txn.Audit(Event("x")).status(); }),
      StatusIs(absl::StatusCode::kUnavailable,
               HasSubstr("connection refused")));
  EXPECT_EQ(reported.load(), 1);

  observed_->fail_begin = false;
  EXPECT_THAT(
      Run([&](LedgerTxn& txn) { return txn.Audit(Event("y")).status(); }),
      IsOk());
  EXPECT_EQ(reported.load(), 1);
}

TEST_F(LedgerSyncTest, ShutdownSyncsTheFinalCheckpoint) {
  ASSERT_THAT(
      Run([&](LedgerTxn& txn) { return txn.Audit(Event("x")).status(); }),
      IsOk());
  const int before = observed_->syncs;
  ledger_->Shutdown();
  EXPECT_GT(observed_->syncs, before);
  EXPECT_THAT(store_->GetLatestCheckpoint(), IsOk());
  EXPECT_EQ((*store_->GetLatestCheckpoint())->seq, 1);
}

TEST_F(LedgerTest, ChainContinuesAcrossRestartAndShutdownCheckpoints) {
  ASSERT_THAT(
      Run([](LedgerTxn& txn) { return txn.Audit(Event("1")).status(); }),
      IsOk());
  ledger_->Shutdown();
  auto checkpoint = store_->GetLatestCheckpoint();
  ASSERT_THAT(checkpoint, IsOk());
  ASSERT_TRUE(checkpoint->has_value());
  EXPECT_EQ((*checkpoint)->seq, 1);
  EXPECT_THAT(VerifyCheckpoint(**checkpoint, *verifier_), IsOk());

  Reopen();
  ASSERT_THAT(
      Run([](LedgerTxn& txn) { return txn.Audit(Event("2")).status(); }),
      IsOk());
  const std::vector<AuditEvent> events = AllEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].seq, 2);
  EXPECT_EQ(events[1].prev_hash, events[0].hash);
}

TEST_F(LedgerTest, StoreFaultsReachTheCallerWithoutTheStoresWords) {
  EXPECT_THAT(
      Run([](LedgerTxn&) {
        return absl::DataLossError("read consent: bad column purposes");
      }),
      StatusIs(absl::StatusCode::kInternal,
               ::testing::AllOf(HasSubstr("nothing was written"),
                                ::testing::Not(HasSubstr("purposes")))));
  // A key another writer committed first: retry, same request id.
  EXPECT_THAT(
      Run([](LedgerTxn&) {
        return absl::AlreadyExistsError(
            "insert disclosure: duplicate key (sender_principal_id, "
            "request_id)");
      }),
      StatusIs(absl::StatusCode::kAborted,
               ::testing::AllOf(HasSubstr("retry with the same request_id"),
                                ::testing::Not(HasSubstr("duplicate")))));
  EXPECT_THAT(Run([](LedgerTxn&) {
                return absl::NotFoundError("consent_id: no consent cns-1");
              }),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("cns-1")));
}

TEST_F(LedgerTest, EachGroupContinuesFromTheHeadInTheStore) {
  ASSERT_THAT(
      Run([](LedgerTxn& txn) { return txn.Audit(Event("1")).status(); }),
      IsOk());
  // The ledger's thread writes the checkpoint of event 1 in a transaction
  // of its own after the group: let it, so the other writer below does not
  // find a transaction open (the store has one writer at a time).
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  for (;;) {
    auto checkpoint = store_->GetLatestCheckpoint();
    ASSERT_THAT(checkpoint, IsOk());
    if (checkpoint->has_value() && (*checkpoint)->seq == 1) break;
    ASSERT_LT(absl::Now(), deadline) << "no checkpoint of event 1";
    absl::SleepFor(absl::Milliseconds(1));
  }
  // Another writer appends behind the ledger's back, as a replica on the
  // same database would.
  {
    std::unique_ptr<WriteTransaction> txn = store_->BeginWrite().value();
    absl::StatusOr<std::optional<ChainHead>> head = txn->LockLogHead();
    ASSERT_TRUE(head.ok() && head->has_value());
    EXPECT_EQ((*head)->seq, 1);
    AuditChain chain((*head)->seq, (*head)->hash);
    AuditEvent other = Event("2");
    other.time = clock_.Now();
    chain.Append(&other);
    ASSERT_THAT(txn->AppendAuditEvent(other), IsOk());
    // ... and the tree nodes it completes, as a replica's ledger does.
    auto edge = txn->ReadTreeNodes(tlog::CompactRange::RightEdgeNodes(1));
    ASSERT_THAT(edge, IsOk());
    auto tree = tlog::CompactRange::Restore(1, *edge);
    ASSERT_THAT(tree, IsOk());
    std::vector<tlog::NodeHash> completed;
    tree->Append(AuditLeafHash(other.hash), &completed);
    ASSERT_THAT(txn->PutTreeNodes(completed), IsOk());
    ASSERT_THAT(txn->Commit(), IsOk());
  }
  ASSERT_THAT(
      Run([](LedgerTxn& txn) { return txn.Audit(Event("3")).status(); }),
      IsOk());
  const std::vector<AuditEvent> events = AllEvents();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].seq, 3);
  EXPECT_EQ(events[2].prev_hash, events[1].hash);
  EXPECT_EQ(ledger_->committed_head().seq, 3);
  ledger_->Shutdown();
  // The ledger continued the tree from the other writer's nodes.
  EXPECT_EQ(*(*store_->GetLatestCheckpoint())->tree_root,
            ReferenceRoot(events));
}

TEST_F(LedgerTest, CheckpointNotesCommitToTheTreeOfTheEvents) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(Run([i](LedgerTxn& txn) {
                  return txn.Audit(Event(std::to_string(i))).status();
                }),
                IsOk());
  }
  ledger_->Shutdown();
  const std::vector<AuditEvent> events = AllEvents();
  const std::optional<Checkpoint> cp = *store_->GetLatestCheckpoint();
  ASSERT_TRUE(cp.has_value());
  ASSERT_EQ(cp->seq, 5);
  ASSERT_TRUE(cp->tree_root.has_value());
  EXPECT_EQ(*cp->tree_root, ReferenceRoot(events));
  // The note: a C2SP checkpoint of that root, signed with a timestamp by
  // the origin's key.
  auto note = tlog::ParseSignedNote(cp->note);
  ASSERT_THAT(note, IsOk());
  auto parsed = tlog::ParseCheckpoint(note->text);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->origin, "test.local/audit");
  EXPECT_EQ(parsed->size, 5);
  EXPECT_EQ(parsed->root, *cp->tree_root);
  auto key = tlog::NoteVerifier::FromVerifierKey(ledger_->note_verifier_key());
  ASSERT_THAT(key, IsOk());
  const tlog::NoteVerifier* trusted[] = {key->get()};
  auto verified = tlog::VerifyNote(*note, trusted);
  ASSERT_THAT(verified, IsOk());
  ASSERT_EQ(verified->size(), 1u);
  EXPECT_EQ((*verified)[0].timestamp, absl::ToUnixSeconds(cp->time));
}

TEST_F(LedgerTest, TreeContinuesAcrossRestartAndProofsReadTheStoredNodes) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(Run([i](LedgerTxn& txn) {
                  return txn.Audit(Event(std::to_string(i))).status();
                }),
                IsOk());
  }
  Reopen();
  for (int i = 3; i < 11; ++i) {
    ASSERT_THAT(Run([i](LedgerTxn& txn) {
                  return txn.Audit(Event(std::to_string(i))).status();
                }),
                IsOk());
  }
  ledger_->Shutdown();
  const std::vector<AuditEvent> events = AllEvents();
  ASSERT_EQ(events.size(), 11u);
  EXPECT_EQ(*store_->GetTreeSize(), 11);
  const Hash256 root = ReferenceRoot(events);
  EXPECT_EQ(*(*store_->GetLatestCheckpoint())->tree_root, root);
  StoreNodeSource nodes(store_.get());
  for (int64_t leaf = 0; leaf < 11; ++leaf) {
    auto proof = tlog::InclusionProof(nodes, leaf, 11);
    ASSERT_THAT(proof, IsOk());
    EXPECT_THAT(tlog::VerifyInclusion(AuditLeafHash(events[leaf].hash), leaf,
                                      11, *proof, root),
                IsOk())
        << leaf;
  }
}

TEST_F(LedgerTest, ALogWrittenBeforeTheTreeGetsItsTreeAtStart) {
  for (int i = 0; i < 6; ++i) {
    ASSERT_THAT(Run([i](LedgerTxn& txn) {
                  return txn.Audit(Event(std::to_string(i))).status();
                }),
                IsOk());
  }
  ledger_.reset();
  store_.reset();
  RawExec("DELETE FROM tree_nodes");  // as a log of schema v4 has none
  Open();
  ledger_->Shutdown();
  const std::vector<AuditEvent> events = AllEvents();
  EXPECT_EQ(*store_->GetTreeSize(), 6);
  EXPECT_EQ(*(*store_->GetLatestCheckpoint())->tree_root,
            ReferenceRoot(events));
}

TEST_F(LedgerTest, SubmitAfterShutdownIsUnavailable) {
  ledger_->Shutdown();
  EXPECT_THAT(
      Run([](LedgerTxn&) { return absl::OkStatus(); }),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("shutting down")));
}

}  // namespace
}  // namespace caregate
