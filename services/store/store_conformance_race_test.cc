// Conformance suite, part 3: two stores on one state, each used as by its
// own process (gateway replicas on one database), racing. Runs for backends
// that set StoreBackend::shared; the others skip it (an embedded store has
// one process per file). See store_conformance_test.h.
#include <algorithm>
#include <array>
#include <functional>
#include <latch>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "services/store/store_conformance_test.h"
#include "tests/testing/status_matchers.h"

namespace caregate::store_testing {
namespace {

using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
using ::testing::_;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr int kRounds = 20;

#define CG_SKIP_UNLESS_SHARED()                                      \
  if (!GetParam().shared) {                                          \
    GTEST_SKIP() << GetParam().name << ": one store per state only"; \
  }

// Runs `body(store, i)` for i = 0, 1 on two threads, with the two stores,
// and returns their results. Both threads have begun their transaction
// before either goes on (`body` calls `ready` once it has).
std::array<absl::Status, 2> Race(
    std::array<Store*, 2> stores,
    const std::function<absl::Status(Store&, int,
                                     const std::function<void()>&)>& body) {
  std::latch begun(2);
  std::array<absl::Status, 2> results;
  std::array<std::thread, 2> threads;
  for (int i = 0; i < 2; ++i) {
    threads[i] = std::thread([&, i] {
      results[i] = body(*stores[i], i, [&] { begun.arrive_and_wait(); });
    });
  }
  for (std::thread& t : threads) t.join();
  return results;
}

// Begins a transaction, waits for the other thread's, runs `fn` and commits;
// the status of `fn`, or of the first step that failed.
absl::Status InRacingTransaction(
    Store& store, const std::function<void()>& ready,
    const std::function<absl::Status(WriteTransaction&)>& fn) {
  absl::StatusOr<std::unique_ptr<WriteTransaction>> txn = store.BeginWrite();
  ready();
  if (!txn.ok()) return txn.status();
  const absl::Status status = fn(**txn);
  const absl::Status committed = (*txn)->Commit();
  return status.ok() ? committed : status;
}

// Both stores run `step(txn, i)` in transactions that race (see Race).
std::array<absl::Status, 2> RaceTransactions(
    std::array<Store*, 2> stores,
    const std::function<absl::Status(WriteTransaction&, int)>& step) {
  return Race(
      stores, [&](Store& store, int i, const std::function<void()>& ready) {
        return InRacingTransaction(
            store, ready, [&](WriteTransaction& txn) { return step(txn, i); });
      });
}

auto OneOkOneAlreadyExists() {
  return UnorderedElementsAre(IsOk(),
                              StatusIs(absl::StatusCode::kAlreadyExists, _));
}

TEST_P(StoreConformanceTest, TwoStoresInsertingOneDisclosureRequestOneWins) {
  CG_SKIP_UNLESS_SHARED();
  std::unique_ptr<Store> other = OpenAnother();
  ASSERT_NE(other, nullptr);
  for (int round = 0; round < kRounds; ++round) {
    const std::string request = absl::StrCat("req-", round);
    auto id = [&](int i) { return absl::StrCat("d-", round, "-", i); };
    // What the loser finds by the request id, in the same transaction (the
    // original receipt of an idempotent retry).
    std::string found_by_loser;
    std::array<absl::Status, 2> results = RaceTransactions(
        {store_.get(), other.get()}, [&](WriteTransaction& txn, int i) {
          absl::Status s =
              txn.InsertDisclosure(SampleDisclosure(id(i), request));
          if (!absl::IsAlreadyExists(s)) return s;
          auto found =
              txn.FindDisclosureByRequest("principal-therapist", request);
          if (found.ok() && found->has_value()) {
            found_by_loser = (*found)->disclosure_id;
          }
          return s;
        });
    ASSERT_THAT(results, OneOkOneAlreadyExists()) << "round " << round;
    const int winner = results[0].ok() ? 0 : 1;
    EXPECT_EQ(found_by_loser, id(winner));
    // Either store finds the winner's row by its request id later too.
    for (Store* store : {store_.get(), other.get()}) {
      auto txn = store->BeginWrite();
      CG_ASSERT_OK(txn);
      auto found =
          (*txn)->FindDisclosureByRequest("principal-therapist", request);
      CG_ASSERT_OK(found);
      ASSERT_TRUE(found->has_value());
      EXPECT_EQ((*found)->disclosure_id, id(winner));
    }
    EXPECT_THAT(store_->GetDisclosure(id(1 - winner)), IsOkAndNullopt());
  }
}

TEST_P(StoreConformanceTest, TwoStoresRecordingOneConsentRequestOneWins) {
  CG_SKIP_UNLESS_SHARED();
  std::unique_ptr<Store> other = OpenAnother();
  ASSERT_NE(other, nullptr);
  for (int round = 0; round < kRounds; ++round) {
    const std::string request = absl::StrCat("req-", round);
    auto id = [&](int i) { return absl::StrCat("c-", round, "-", i); };
    std::array<absl::Status, 2> results = RaceTransactions(
        {store_.get(), other.get()}, [&](WriteTransaction& txn, int i) {
          return txn.InsertConsent(SampleConsent(id(i), request));
        });
    ASSERT_THAT(results, OneOkOneAlreadyExists()) << "round " << round;
  }
  EXPECT_EQ(AllConsents().size(), static_cast<size_t>(kRounds));
}

// Each store checks that the message is still QUEUED before acknowledging
// it, as the ledger does: exactly one of them may see it QUEUED.
TEST_P(StoreConformanceTest, TwoStoresAcknowledgingOneMessageOneSeesItQueued) {
  CG_SKIP_UNLESS_SHARED();
  std::unique_ptr<Store> other = OpenAnother();
  ASSERT_NE(other, nullptr);
  Write([&](WriteTransaction& txn) {
    for (int round = 0; round < kRounds; ++round) {
      CG_ASSERT_OK(txn.InsertMessage(SampleMessage(
          absl::StrCat("m-", round), "org-a", round + 1, {"c-1"})));
    }
  });
  for (int round = 0; round < kRounds; ++round) {
    const std::string message_id = absl::StrCat("m-", round);
    auto ack_time = [](int i) { return T0() + absl::Minutes(i + 1); };
    std::array<bool, 2> acknowledged{false, false};
    std::array<absl::Status, 2> results = RaceTransactions(
        {store_.get(), other.get()},
        [&](WriteTransaction& txn, int i) -> absl::Status {
          auto message = txn.FindMessage(message_id);
          if (!message.ok()) return message.status();
          if (!message->has_value() ||
              (*message)->state != v1::DELIVERY_STATE_QUEUED) {
            return absl::OkStatus();
          }
          acknowledged[i] = true;
          return txn.MarkMessageAcknowledged(message_id, ack_time(i));
        });
    CG_ASSERT_OK(results[0]);
    CG_ASSERT_OK(results[1]);
    ASSERT_NE(acknowledged[0], acknowledged[1]) << "round " << round;
    auto stored = other->GetMessage(message_id);
    CG_ASSERT_OK(stored);
    ASSERT_TRUE(stored->has_value());
    EXPECT_EQ((*stored)->state, v1::DELIVERY_STATE_ACKNOWLEDGED);
    EXPECT_EQ((*stored)->acknowledged_at, ack_time(acknowledged[0] ? 0 : 1));
  }
}

// Two gateways claiming the same outbox at once never get the same message;
// a lease held by one keeps the other off until it ends or the holder
// records an outcome (UpdateMessageDelivery), whichever is first.
TEST_P(StoreConformanceTest, TwoStoresClaimingDueMessagesNeverShareOne) {
  CG_SKIP_UNLESS_SHARED();
  constexpr int kMessages = 40;
  std::unique_ptr<Store> other = OpenAnother();
  ASSERT_NE(other, nullptr);
  Write([&](WriteTransaction& txn) {
    for (int i = 0; i < kMessages; ++i) {
      CG_ASSERT_OK(txn.InsertMessage(
          SampleMessage(absl::StrCat("m-", i), "org-a", i + 1, {})));
    }
  });
  const absl::Time now = T0() + absl::Hours(1);
  const absl::Time lease_end = now + absl::Minutes(1);
  // Each claims three at a time and records their delivery, as the push
  // dispatcher does, until nothing is due; every message then was claimed
  // by exactly one of them.
  std::array<std::vector<std::string>, 2> claimed;
  std::array<absl::Status, 2> results = Race(
      {store_.get(), other.get()},
      [&](Store& store, int i, const std::function<void()>& ready) {
        ready();
        const std::string owner = absl::StrCat("gw-", i);
        for (int round = 0; round <= kMessages; ++round) {
          auto rows = store.ClaimDueMessages(
              ClaimOf("org-a", now, owner, lease_end, 3));
          if (!rows.ok()) return rows.status();
          if (rows->empty()) return absl::OkStatus();
          auto txn = store.BeginWrite();
          if (!txn.ok()) return txn.status();
          for (MessageRow m : *rows) {
            claimed[i].push_back(m.message_id);
            m.state = v1::DELIVERY_STATE_DELIVERED;
            m.delivered_at = now;
            if (absl::Status s = (*txn)->UpdateMessageDelivery(m); !s.ok()) {
              return s;
            }
          }
          if (absl::Status s = (*txn)->Commit(); !s.ok()) return s;
        }
        return absl::InternalError("claims never ran out");
      });
  CG_ASSERT_OK(results[0]);
  CG_ASSERT_OK(results[1]);
  std::vector<std::string> all = claimed[0];
  all.insert(all.end(), claimed[1].begin(), claimed[1].end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end())
      << "a message claimed twice";
  EXPECT_EQ(all.size(), static_cast<size_t>(kMessages));

  // Leases: fresh messages, held by one gateway.
  Write([&](WriteTransaction& txn) {
    for (int i = 0; i < kMessages; ++i) {
      CG_ASSERT_OK(txn.InsertMessage(SampleMessage(
          absl::StrCat("n-", i), "org-a", kMessages + i + 1, {})));
    }
  });
  auto first =
      store_->ClaimDueMessages(ClaimOf("org-a", now, "gw-0", lease_end, 1));
  CG_ASSERT_OK(first);
  ASSERT_EQ(first->size(), 1u);
  const std::string held = (*first)[0].message_id;
  const std::string holder = "gw-0";
  const std::string stranger = "gw-1";

  // gw-0's lease keeps gw-1 off until it ends...
  auto ids = [](const absl::StatusOr<std::vector<MessageRow>>& rows) {
    return rows.ok() ? MessageIds(*rows) : std::vector<std::string>{};
  };
  auto taken = other->ClaimDueMessages(
      ClaimOf("org-a", now, stranger, lease_end, kMessages));
  CG_ASSERT_OK(taken);
  EXPECT_THAT(ids(taken), ::testing::Not(::testing::Contains(held)));
  // ... and is free once it has ended (the holder died mid-push).
  taken = other->ClaimDueMessages(ClaimOf(
      "org-a", lease_end, stranger, lease_end + absl::Minutes(1), kMessages));
  CG_ASSERT_OK(taken);
  EXPECT_THAT(ids(taken), ::testing::Contains(held));
  EXPECT_EQ(ids(taken).size(), static_cast<size_t>(kMessages));

  // An outcome ends the lease at once: a retry due now is anyone's.
  auto message = store_->GetMessage(held);
  CG_ASSERT_OK(message);
  ASSERT_TRUE(message->has_value());
  MessageRow retry = **message;
  retry.delivery_attempts = 1;
  retry.next_attempt_at = lease_end;
  retry.last_delivery_error = "UNAVAILABLE";
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.UpdateMessageDelivery(retry));
  });
  taken = store_->ClaimDueMessages(ClaimOf(
      "org-a", lease_end, holder, lease_end + absl::Minutes(1), kMessages));
  CG_ASSERT_OK(taken);
  EXPECT_THAT(ids(taken), ElementsAre(held));
}

// An event that continues `head`, written by writer `writer`.
AuditEvent NextEvent(const std::optional<ChainHead>& head, int writer) {
  const int64_t seq = head.has_value() ? head->seq + 1 : 1;
  AuditEvent e = SampleAuditEvent(seq);
  e.prev_hash = head.has_value() ? head->hash : Hash256{};
  e.hash = Hash256{};
  e.hash[0] = static_cast<uint8_t>(writer + 1);
  for (int i = 0; i < 8; ++i)
    e.hash[1 + i] = static_cast<uint8_t>(seq >> (8 * i));
  e.actor_principal_id = absl::StrCat("writer-", writer);
  return e;
}

TEST_P(StoreConformanceTest,
       TwoStoresAppendingThroughTheLockedHeadMakeOneChain) {
  CG_SKIP_UNLESS_SHARED();
  if (!GetParam().lock_log_head) GTEST_SKIP() << "no log head lock";
  constexpr int kAppendsPerWriter = 50;
  std::unique_ptr<Store> other = OpenAnother();
  ASSERT_NE(other, nullptr);
  std::array<absl::Status, 2> results = Race(
      {store_.get(), other.get()},
      [&](Store& store, int writer, const std::function<void()>& ready) {
        ready();  // start together; each append is its own transaction
        for (int n = 0; n < kAppendsPerWriter; ++n) {
          auto txn = store.BeginWrite();
          if (!txn.ok()) return txn.status();
          auto head = GetParam().lock_log_head(**txn);
          if (!head.ok()) return head.status();
          absl::Status s = (*txn)->AppendAuditEvent(NextEvent(*head, writer));
          if (s.ok()) s = (*txn)->Commit();
          if (!s.ok()) return s;
        }
        return absl::OkStatus();
      });
  CG_ASSERT_OK(results[0]);
  CG_ASSERT_OK(results[1]);

  std::vector<AuditEvent> events = ScanAll();
  ASSERT_EQ(events.size(), 2u * kAppendsPerWriter);
  std::array<int, 2> per_writer{0, 0};
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ(events[i].prev_hash, i == 0 ? Hash256{} : events[i - 1].hash)
        << "seq " << events[i].seq;
    ++per_writer[events[i].actor_principal_id == "writer-1"];
  }
  EXPECT_THAT(per_writer, ElementsAre(kAppendsPerWriter, kAppendsPerWriter));
  for (Store* store : {store_.get(), other.get()}) {
    auto head = store->GetChainHead();
    CG_ASSERT_OK(head);
    ASSERT_TRUE(head->has_value());
    EXPECT_EQ((*head)->seq, 2 * kAppendsPerWriter);
    EXPECT_EQ((*head)->hash, events.back().hash);
  }
}

}  // namespace
}  // namespace caregate::store_testing
