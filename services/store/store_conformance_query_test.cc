// Conformance suite, part 2: lists, queries and scans, reopening, and reads
// concurrent with the writer. Instantiated per backend (see
// store_conformance_test.h).
#include <atomic>
#include <thread>

#include "gmock/gmock.h"
#include "services/store/store_conformance_test.h"
#include "tests/testing/status_matchers.h"

namespace caregate::store_testing {
namespace {

using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST_P(StoreConformanceTest, ListMessagesFiltersOrdersAndPages) {
  auto message = [](const char* id, const char* org, int64_t seq,
                    v1::DeliveryState state) {
    MessageRow m = SampleMessage(id, org, seq, {"c-1"});
    m.state = state;
    return m;
  };
  Write([&](WriteTransaction& txn) {
    for (const MessageRow& m :
         {message("m-8", "org-a", 8, v1::DELIVERY_STATE_QUEUED),
          message("m-1", "org-a", 1, v1::DELIVERY_STATE_QUEUED),
          message("m-3", "org-a", 3, v1::DELIVERY_STATE_ACKNOWLEDGED),
          message("m-4", "org-a", 4, v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION),
          message("m-6", "org-a", 6, v1::DELIVERY_STATE_QUEUED),
          message("m-2", "org-b", 2, v1::DELIVERY_STATE_QUEUED)}) {
      CG_ASSERT_OK(txn.InsertMessage(m));
    }
  });
  auto list = [&](const char* org, bool acked, int64_t after, int limit) {
    auto rows = store_->ListMessages(org, acked, after, limit);
    EXPECT_THAT(rows, IsOk());
    return rows.ok() ? MessageIds(*rows) : std::vector<std::string>{"error"};
  };

  EXPECT_THAT(list("org-a", false, 0, 100), ElementsAre("m-1", "m-6", "m-8"));
  EXPECT_THAT(list("org-a", true, 0, 100),
              ElementsAre("m-1", "m-3", "m-6", "m-8"));
  EXPECT_THAT(list("org-a", false, 0, 2), ElementsAre("m-1", "m-6"));
  EXPECT_THAT(list("org-a", false, 6, 2), ElementsAre("m-8"));
  EXPECT_THAT(list("org-a", false, 8, 2), IsEmpty());
  EXPECT_THAT(list("org-a", true, 1, 2), ElementsAre("m-3", "m-6"));
  EXPECT_THAT(list("org-b", true, 0, 100), ElementsAre("m-2"));
  EXPECT_THAT(list("org-c", true, 0, 100), IsEmpty());
  EXPECT_THAT(store_->ListMessages("org-a", false, 0, 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
}

TEST_P(StoreConformanceTest, ListDisclosuresForPatientFiltersAndOrders) {
  auto disclosure = [](const char* id, const char* patient,
                       const char* practice, absl::Duration after_t0) {
    DisclosureRow d = SampleDisclosure(id, std::string("req-") + id);
    d.patient_id = patient;
    d.practice_org_id = practice;
    d.created_at = T0() + after_t0;
    return d;
  };
  DisclosureRow permitted =
      disclosure("d-2", "pat-1", "org-p2", absl::Hours(1));
  permitted.outcome = v1::DECISION_OUTCOME_PERMITTED;
  DisclosureRow denied =
      disclosure("d-5", "pat-1", "org-p1", absl::Minutes(30));
  denied.outcome = v1::DECISION_OUTCOME_DENIED;
  Write([&](WriteTransaction& txn) {
    for (const DisclosureRow& d :
         {disclosure("d-3", "pat-1", "org-p1", absl::Hours(2)),
          disclosure("d-1", "pat-1", "org-p1", absl::ZeroDuration()), permitted,
          denied, disclosure("d-4", "pat-2", "org-p1", absl::Hours(1))}) {
      CG_ASSERT_OK(txn.InsertDisclosure(d));
    }
  });
  auto list = [&](const char* practice, const char* patient, absl::Time since,
                  absl::Time until) {
    auto rows =
        store_->ListDisclosuresForPatient({practice, patient}, since, until);
    EXPECT_THAT(rows, IsOk());
    return rows.ok() ? DisclosureIds(*rows) : std::vector<std::string>{"error"};
  };
  const absl::Time past = absl::InfinitePast();
  const absl::Time future = absl::InfiniteFuture();

  // pat-1 of org-p1 and pat-1 of org-p2 are two different people.
  EXPECT_THAT(list("org-p1", "pat-1", past, future), ElementsAre("d-1", "d-3"));
  EXPECT_THAT(list("org-p2", "pat-1", past, future), ElementsAre("d-2"));
  EXPECT_THAT(list("org-p1", "pat-1", T0(), T0() + absl::Hours(2)),
              ElementsAre("d-1"));
  EXPECT_THAT(list("org-p1", "pat-1", T0() + absl::Hours(1), future),
              ElementsAre("d-3"));
  EXPECT_THAT(list("org-p2", "pat-1", past, T0() + absl::Hours(1)), IsEmpty());
  EXPECT_THAT(list("org-p1", "pat-2", past, future), ElementsAre("d-4"));
  EXPECT_THAT(list("org-p1", "pat-3", past, future), IsEmpty());
  EXPECT_THAT(store_->ListDisclosuresForPatient({"", "pat-1"}, past, future),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("practice_org_id")));
}

void AppendQueryEvent(WriteTransaction& txn, int64_t seq, const char* patient,
                      const char* actor, const char* recipient,
                      v1::AuditAction action, v1::DecisionOutcome outcome) {
  AuditEvent e = SampleAuditEvent(seq);
  e.patient_id = patient;
  e.actor_principal_id = actor;
  e.recipient_org_id = recipient;
  e.action = action;
  e.outcome = outcome;
  CG_ASSERT_OK(txn.AppendAuditEvent(e));
}

// Events 1-5 and 7, at T0() + seq seconds.
void AppendQueryEvents(WriteTransaction& txn) {
  AppendQueryEvent(txn, 1, "pat-1", "ther-1", "org-a",
                   v1::AUDIT_ACTION_DISCLOSURE_PERMITTED,
                   v1::DECISION_OUTCOME_PERMITTED);
  AppendQueryEvent(txn, 2, "pat-2", "ther-1", "org-b",
                   v1::AUDIT_ACTION_DISCLOSURE_DENIED,
                   v1::DECISION_OUTCOME_DENIED);
  AppendQueryEvent(txn, 3, "pat-1", "ther-2", "org-b",
                   v1::AUDIT_ACTION_DISCLOSURE_REDACTED,
                   v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS);
  AppendQueryEvent(txn, 4, "pat-1", "clinic-a", "org-a",
                   v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED,
                   v1::DECISION_OUTCOME_UNSPECIFIED);
  AppendQueryEvent(txn, 5, "pat-2", "ther-2", "org-a",
                   v1::AUDIT_ACTION_DISCLOSURE_PERMITTED,
                   v1::DECISION_OUTCOME_PERMITTED);
  AppendQueryEvent(txn, 7, "pat-1", "ther-1", "",
                   v1::AUDIT_ACTION_CONSENT_RECORDED,
                   v1::DECISION_OUTCOME_UNSPECIFIED);
}

// AuditQuery with chained setters: Where().Patient("pat-1").Limit(2).
class Where {
 public:
  // A patient of SampleAuditEvent's practice.
  Where& Patient(std::string id) {
    q_.patient = {SampleAuditEvent(1).practice_org_id, std::move(id)};
    return *this;
  }
  Where& Actor(std::string id) {
    q_.actor_principal_id = std::move(id);
    return *this;
  }
  Where& Recipient(std::string id) {
    q_.recipient_org_id = std::move(id);
    return *this;
  }
  Where& Actions(std::vector<v1::AuditAction> actions) {
    q_.actions = std::move(actions);
    return *this;
  }
  Where& Outcome(v1::DecisionOutcome outcome) {
    q_.outcome = outcome;
    return *this;
  }
  Where& Since(absl::Time t) {
    q_.since = t;
    return *this;
  }
  Where& Until(absl::Time t) {
    q_.until = t;
    return *this;
  }
  Where& AfterSeq(int64_t seq) {
    q_.after_seq = seq;
    return *this;
  }
  Where& Limit(int limit) {
    q_.limit = limit;
    return *this;
  }
  operator AuditQuery() const { return q_; }  // NOLINT: implicit by design

 private:
  AuditQuery q_;
};

std::vector<int64_t> Query(Store& store, const AuditQuery& query) {
  auto events = store.QueryAuditEvents(query);
  EXPECT_THAT(events, IsOk());
  return events.ok() ? Seqs(*events) : std::vector<int64_t>{-1};
}

absl::Time At(int seconds) { return T0() + absl::Seconds(seconds); }

TEST_P(StoreConformanceTest, QueryAuditEventsHonoursEachFilter) {
  Write(AppendQueryEvents);
  EXPECT_THAT(Query(*store_, Where().Patient("pat-1")),
              ElementsAre(1, 3, 4, 7));
  EXPECT_THAT(Query(*store_, Where().Actor("ther-1")), ElementsAre(1, 2, 7));
  EXPECT_THAT(Query(*store_, Where().Recipient("org-b")), ElementsAre(2, 3));
  EXPECT_THAT(
      Query(*store_, Where().Actions({v1::AUDIT_ACTION_DISCLOSURE_PERMITTED,
                                      v1::AUDIT_ACTION_DISCLOSURE_DENIED})),
      ElementsAre(1, 2, 5));
  EXPECT_THAT(Query(*store_, Where().Actions({v1::AUDIT_ACTION_ACCESS_DENIED})),
              IsEmpty());
  EXPECT_THAT(Query(*store_, Where().Outcome(v1::DECISION_OUTCOME_PERMITTED)),
              ElementsAre(1, 5));
  EXPECT_THAT(Query(*store_, Where().Since(At(3))), ElementsAre(3, 4, 5, 7));
  EXPECT_THAT(Query(*store_, Where().Until(At(3))), ElementsAre(1, 2));
  EXPECT_THAT(Query(*store_, Where().Since(At(2)).Until(At(5))),
              ElementsAre(2, 3, 4));
  EXPECT_THAT(Query(*store_, Where().Since(At(3)).AfterSeq(4)),
              ElementsAre(5, 7));
  EXPECT_THAT(Query(*store_, Where().Since(At(3)).Until(At(5)).AfterSeq(1)),
              ElementsAre(3, 4));
  EXPECT_THAT(Query(*store_, Where().Since(At(100))), IsEmpty());
  EXPECT_THAT(Query(*store_, Where().Since(At(5)).Until(At(5))), IsEmpty());
  EXPECT_THAT(Query(*store_, Where().Patient("pat-9")), IsEmpty());
  EXPECT_THAT(Query(*store_, Where()), ElementsAre(1, 2, 3, 4, 5, 7));
}

TEST_P(StoreConformanceTest, QueryAuditEventsPagesWithAfterSeqAndLimit) {
  Write(AppendQueryEvents);
  EXPECT_THAT(Query(*store_, Where().AfterSeq(3)), ElementsAre(4, 5, 7));
  EXPECT_THAT(Query(*store_, Where().Limit(2)), ElementsAre(1, 2));
  EXPECT_THAT(Query(*store_, Where().AfterSeq(2).Limit(2)), ElementsAre(3, 4));
  EXPECT_THAT(Query(*store_, Where().Patient("pat-1").AfterSeq(3).Limit(1)),
              ElementsAre(4));
  EXPECT_THAT(store_->QueryAuditEvents(Where().Limit(0)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
}

TEST_P(StoreConformanceTest, QueryAuditEventsCombinesFilters) {
  Write(AppendQueryEvents);
  EXPECT_THAT(
      Query(*store_, Where()
                         .Patient("pat-1")
                         .Actions({v1::AUDIT_ACTION_DISCLOSURE_PERMITTED,
                                   v1::AUDIT_ACTION_DISCLOSURE_REDACTED})
                         .AfterSeq(1)),
      ElementsAre(3));
  EXPECT_THAT(Query(*store_, Where()
                                 .Actor("ther-2")
                                 .Recipient("org-a")
                                 .Outcome(v1::DECISION_OUTCOME_PERMITTED)
                                 .Since(At(5))
                                 .Until(At(6))),
              ElementsAre(5));
}

TEST_P(StoreConformanceTest, ScanAuditEventsCoversRangeAndStopsEarly) {
  Write([&](WriteTransaction& txn) {
    for (int64_t seq : {1, 2, 3, 5, 8}) {
      CG_ASSERT_OK(txn.AppendAuditEvent(SampleAuditEvent(seq)));
    }
  });
  auto scan = [&](int64_t from, int64_t to, size_t stop_after) {
    std::vector<int64_t> seqs;
    CG_EXPECT_OK(store_->ScanAuditEvents(from, to, [&](const AuditEvent& e) {
      seqs.push_back(e.seq);
      return seqs.size() < stop_after;
    }));
    return seqs;
  };
  EXPECT_THAT(scan(2, 5, 100), ElementsAre(2, 3, 5));
  EXPECT_THAT(scan(6, 7, 100), IsEmpty());
  EXPECT_THAT(scan(5, 2, 100), IsEmpty());
  EXPECT_THAT(scan(1, 100, 2), ElementsAre(1, 2));
  EXPECT_THAT(scan(8, 8, 100), ElementsAre(8));
}

TEST_P(StoreConformanceTest, ReopenKeepsEverything) {
  const ConsentRecord consent = SampleConsent("c-1", "req-1");
  const DisclosureRow disclosure = SampleDisclosure("d-1", "req-1");
  const MessageRow message = SampleMessage("m-1", "org-a", 1, {"c-1"});
  const AuditEvent event = SampleAuditEvent(1);
  const Checkpoint checkpoint = SampleCheckpoint(1, T0());
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.InsertConsent(consent));
    CG_ASSERT_OK(txn.InsertDisclosure(disclosure));
    CG_ASSERT_OK(txn.InsertMessage(message));
    CG_ASSERT_OK(txn.AppendAuditEvent(event));
    CG_ASSERT_OK(txn.InsertCheckpoint(checkpoint));
  });
  Reopen();

  std::vector<ConsentRecord> consents = AllConsents();
  ASSERT_EQ(consents.size(), 1u);
  ExpectSameConsent(consents[0], consent);
  auto got_disclosure = store_->GetDisclosure("d-1");
  CG_ASSERT_OK(got_disclosure);
  ASSERT_TRUE(got_disclosure->has_value());
  ExpectSameDisclosure(**got_disclosure, disclosure);
  auto got_message = store_->GetMessage("m-1");
  CG_ASSERT_OK(got_message);
  ASSERT_TRUE(got_message->has_value());
  ExpectSameMessage(**got_message, message);
  std::vector<AuditEvent> events = ScanAll();
  ASSERT_EQ(events.size(), 1u);
  ExpectSameAuditEvent(events[0], event);
  auto got_checkpoint = store_->GetLatestCheckpoint();
  CG_ASSERT_OK(got_checkpoint);
  ASSERT_TRUE(got_checkpoint->has_value());
  ExpectSameCheckpoint(**got_checkpoint, checkpoint);
  // Uniqueness and revocation lookups survive too.
  Write([&](WriteTransaction& txn) {
    EXPECT_THAT(txn.InsertDisclosure(SampleDisclosure("d-2", "req-1")),
                StatusIs(absl::StatusCode::kAlreadyExists, _));
    auto withheld = txn.WithholdPendingMessages("c-1");
    CG_ASSERT_OK(withheld);
    EXPECT_THAT(MessageIds(*withheld), ElementsAre("m-1"));
  });
}

// Each transaction appends two events (2k-1, 2k) and one message (seq 2k):
// a reader never sees half of one, and never sees the log shrink.
TEST_P(StoreConformanceTest, ConcurrentReadsSeeWholeTransactions) {
  constexpr int kTransactions = 40;
  constexpr int kReaders = 4;
  std::atomic<bool> writer_done{false};
  std::vector<std::thread> readers;
  std::atomic<int> reads{0};
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      int64_t last_seq = 0;
      bool done = false;
      do {
        done = writer_done.load();  // one more full pass after the writer ends
        auto head = store_->GetChainHead();
        ASSERT_THAT(head, IsOk());
        const int64_t seq = head->has_value() ? (*head)->seq : 0;
        EXPECT_EQ(seq % 2, 0);
        EXPECT_GE(seq, last_seq);
        last_seq = seq;
        auto events = store_->QueryAuditEvents(Where().Limit(10000));
        ASSERT_THAT(events, IsOk());
        EXPECT_EQ(events->size() % 2, 0u);
        EXPECT_GE(static_cast<int64_t>(events->size()), seq);
        auto messages = store_->ListMessages("org-a", false, 0, 10000);
        ASSERT_THAT(messages, IsOk());
        EXPECT_GE(static_cast<int64_t>(messages->size()), seq / 2);
        ++reads;
      } while (!done);
      EXPECT_EQ(last_seq, 2 * kTransactions);
    });
  }
  for (int k = 1; k <= kTransactions; ++k) {
    Write([&](WriteTransaction& txn) {
      CG_ASSERT_OK(txn.AppendAuditEvent(SampleAuditEvent(2 * k - 1)));
      CG_ASSERT_OK(txn.InsertMessage(
          SampleMessage("m-" + std::to_string(k), "org-a", 2 * k, {})));
      CG_ASSERT_OK(txn.AppendAuditEvent(SampleAuditEvent(2 * k)));
    });
  }
  writer_done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_GE(reads.load(), kReaders);
  EXPECT_EQ(ScanAll().size(), 2u * kTransactions);
}

}  // namespace
}  // namespace caregate::store_testing
