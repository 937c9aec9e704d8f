// Conformance suite, part 1: every record round-trips, and transactions,
// savepoints and uniqueness behave as store.h says. Instantiated per backend
// (see store_conformance_test.h).
#include "services/store/store_conformance_test.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "services/transparency/merkle.h"
#include "tests/testing/status_matchers.h"

namespace caregate::store_testing {
namespace {

using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST_P(StoreConformanceTest, ConsentRoundTripsEveryField) {
  ConsentRecord plain = SampleConsent("c-1", "req-1");
  ConsentRecord revoked = SampleConsent("c-2", "");
  revoked.valid_from = absl::InfinitePast();
  revoked.expires_at = absl::InfiniteFuture();
  revoked.revocation =
      Revocation{T0() + absl::Minutes(5), "principal-2", "patient asked"};
  revoked.sealed.revocation_reason = "sealed-reason";
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.InsertConsent(plain));
    CG_ASSERT_OK(txn.InsertConsent(revoked));
  });

  std::vector<ConsentRecord> all = AllConsents();
  ASSERT_EQ(all.size(), 2u);
  ExpectSameConsent(all[0], plain);
  ExpectSameConsent(all[1], revoked);
}

TEST_P(StoreConformanceTest, ForEachConsentFollowsRecordingOrder) {
  for (const char* id : {"c-9", "c-1", "c-5"}) {
    Write([&](WriteTransaction& txn) {
      CG_ASSERT_OK(txn.InsertConsent(SampleConsent(id, id)));
    });
  }
  std::vector<std::string> ids;
  for (const ConsentRecord& c : AllConsents()) ids.push_back(c.consent_id);
  EXPECT_THAT(ids, ElementsAre("c-9", "c-1", "c-5"));
}

TEST_P(StoreConformanceTest, GetConsentAndGetPatientConsentsReadCommitted) {
  ConsentRecord other = SampleConsent("c-other", "r-other");
  other.patient_id = "pat-2";
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.InsertConsent(SampleConsent("c-7", "r-7")));
    CG_ASSERT_OK(txn.InsertConsent(other));
    CG_ASSERT_OK(txn.InsertConsent(SampleConsent("c-3", "r-3")));
  });
  absl::StatusOr<std::optional<ConsentRecord>> got = store_->GetConsent("c-7");
  ASSERT_THAT(got.status(), IsOk());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->patient_id, "pat-1");
  EXPECT_EQ((*got)->evidence.signed_at,
            SampleConsent("c-7", "r-7").evidence.signed_at);
  EXPECT_THAT(store_->GetConsent("c-none"), IsOkAndNullopt());

  absl::StatusOr<std::vector<ConsentRecord>> listed =
      store_->GetPatientConsents({"org-practice", "pat-1"});
  ASSERT_THAT(listed.status(), IsOk());
  std::vector<std::string> ids;
  for (const ConsentRecord& c : *listed) ids.push_back(c.consent_id);
  EXPECT_THAT(ids, ElementsAre("c-7", "c-3"));
  listed = store_->GetPatientConsents({"org-other", "pat-1"});
  ASSERT_THAT(listed.status(), IsOk());
  EXPECT_THAT(*listed, IsEmpty());
}

TEST_P(StoreConformanceTest, ConsentRevisionsAreListedInRevisionOrder) {
  const PatientRef a{"practice-1", "p-a"};
  const PatientRef b{"practice-1", "p-b"};
  const PatientRef c{"practice-2", "p-a"};
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.WriteConsentRevision(a, 5));
    CG_ASSERT_OK(txn.WriteConsentRevision(b, 9));
    CG_ASSERT_OK(txn.WriteConsentRevision(c, 7));
  });
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.WriteConsentRevision(a, 12));
    CG_ASSERT_OK(txn.WriteConsentRevision(b, 3));  // never lowers it
  });
  absl::StatusOr<std::vector<PatientRevision>> all =
      store_->ListConsentRevisionsAfter(0, 10);
  ASSERT_THAT(all.status(), IsOk());
  absl::StatusOr<std::vector<PatientRevision>> after_seven =
      store_->ListConsentRevisionsAfter(7, 1);
  ASSERT_THAT(after_seven.status(), IsOk());
  if (!GetParam().shared) {
    // One process sees every change: no revisions kept, nothing to follow.
    EXPECT_THAT(*all, IsEmpty());
    EXPECT_THAT(*after_seven, IsEmpty());
    return;
  }
  std::vector<std::string> order;
  for (const PatientRevision& r : *all) {
    order.push_back(absl::StrCat(r.patient.practice_org_id, "/",
                                 r.patient.patient_id, "@", r.revision));
  }
  EXPECT_THAT(order, ElementsAre("practice-2/p-a@7", "practice-1/p-b@9",
                                 "practice-1/p-a@12"));
  ASSERT_EQ(after_seven->size(), 1u);  // the limit
  EXPECT_EQ((*after_seven)[0].patient, b);
  EXPECT_EQ((*after_seven)[0].revision, 9);
}

TEST_P(StoreConformanceTest, UpdateConsentRevocationWritesRevocationOnly) {
  ConsentRecord consent = SampleConsent("c-1", "req-1");
  Write(
      [&](WriteTransaction& txn) { CG_ASSERT_OK(txn.InsertConsent(consent)); });
  ConsentRecord changed = consent;
  changed.revision = 4;
  changed.revocation = Revocation{T0() + absl::Hours(3), "principal-2", "x"};
  changed.sealed.revocation_reason = "sealed-x";
  changed.patient_id = "pat-other";   // immutable: not written
  changed.sealed.evidence = "other";  // immutable: not written
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.UpdateConsentRevocation(changed));
  });

  ConsentRecord want = consent;
  want.revision = 4;
  want.revocation = changed.revocation;
  want.sealed.revocation_reason = "sealed-x";
  std::vector<ConsentRecord> all = AllConsents();
  ASSERT_EQ(all.size(), 1u);
  ExpectSameConsent(all[0], want);
}

TEST_P(StoreConformanceTest, ReplaceConsentTextKeepsEverythingElse) {
  ConsentRecord consent = SampleConsent("c-1", "req-1");
  Write(
      [&](WriteTransaction& txn) { CG_ASSERT_OK(txn.InsertConsent(consent)); });
  ConsentRecord resealed = consent;
  resealed.sealed = {"key-2", "resealed-evidence", "resealed-reason"};
  resealed.revision = 9;  // not written by ReplaceConsentText
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.ReplaceConsentText(resealed));
  });
  ConsentRecord want = consent;
  want.sealed = resealed.sealed;
  std::vector<ConsentRecord> all = AllConsents();
  ASSERT_EQ(all.size(), 1u);
  ExpectSameConsent(all[0], want);
  absl::StatusOr<std::unique_ptr<WriteTransaction>> txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  EXPECT_THAT((*txn)->ReplaceConsentText(SampleConsent("c-x", "")),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST_P(StoreConformanceTest, UpdateRevocationOfUnknownConsentIsNotFound) {
  auto txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  EXPECT_THAT((*txn)->UpdateConsentRevocation(SampleConsent("c-x", "")),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("update consent revocation")));
}

TEST_P(StoreConformanceTest, FindConsentByRequestMatchesPrincipalAndRequest) {
  ConsentRecord consent = SampleConsent("c-1", "req-1");
  ConsentRecord no_request = SampleConsent("c-2", "");
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.InsertConsent(consent));
    CG_ASSERT_OK(txn.InsertConsent(no_request));
  });
  auto txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  auto found = (*txn)->FindConsentByRequest("principal-therapist", "req-1");
  CG_ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  ExpectSameConsent(**found, consent);
  EXPECT_THAT((*txn)->FindConsentByRequest("principal-other", "req-1"),
              IsOkAndNullopt());
  EXPECT_THAT((*txn)->FindConsentByRequest("principal-therapist", ""),
              IsOkAndNullopt());
}

TEST_P(StoreConformanceTest, DuplicateConsentRequestIsAlreadyExists) {
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.InsertConsent(SampleConsent("c-1", "req-1")));
    // Empty request ids never conflict.
    CG_ASSERT_OK(txn.InsertConsent(SampleConsent("c-2", "")));
    CG_ASSERT_OK(txn.InsertConsent(SampleConsent("c-3", "")));
  });
  auto txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  EXPECT_THAT(
      (*txn)->InsertConsent(SampleConsent("c-4", "req-1")),
      StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("insert consent")));
  ConsentRecord other_principal = SampleConsent("c-5", "req-1");
  other_principal.recorded_by = "principal-2";
  CG_EXPECT_OK((*txn)->InsertConsent(other_principal));
  EXPECT_THAT((*txn)->InsertConsent(SampleConsent("c-1", "req-9")),
              StatusIs(absl::StatusCode::kAlreadyExists, _));
}

TEST_P(StoreConformanceTest, DisclosureRoundTripsEveryField) {
  DisclosureRow disclosure = SampleDisclosure("d-1", "req-1");
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.InsertDisclosure(disclosure));
  });

  auto got = store_->GetDisclosure("d-1");
  CG_ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  ExpectSameDisclosure(**got, disclosure);
  EXPECT_THAT(store_->GetDisclosure("d-2"), IsOkAndNullopt());

  auto txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  auto found = (*txn)->FindDisclosureByRequest("principal-therapist", "req-1");
  CG_ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  ExpectSameDisclosure(**found, disclosure);
  EXPECT_THAT((*txn)->FindDisclosureByRequest("principal-other", "req-1"),
              IsOkAndNullopt());
}

TEST_P(StoreConformanceTest, DuplicateDisclosureRequestIsAlreadyExists) {
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.InsertDisclosure(SampleDisclosure("d-1", "req-1")));
  });
  auto txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  EXPECT_THAT((*txn)->InsertDisclosure(SampleDisclosure("d-2", "req-1")),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("insert disclosure")));
  DisclosureRow other_sender = SampleDisclosure("d-3", "req-1");
  other_sender.sender_principal_id = "principal-2";
  CG_EXPECT_OK((*txn)->InsertDisclosure(other_sender));
}

TEST_P(StoreConformanceTest, MessageRoundTripsEveryField) {
  MessageRow queued = SampleMessage("m-1", "org-clinic", 7, {"c-1", "c-2"});
  MessageRow acked = SampleMessage("m-2", "org-clinic", 8, {});
  acked.state = v1::DELIVERY_STATE_ACKNOWLEDGED;
  acked.acknowledged_at = T0() + absl::Minutes(9);
  acked.sealed_envelope.clear();
  acked.delivery_attempts = 3;
  acked.next_attempt_at = T0() + absl::Minutes(7);
  acked.last_delivery_error = "HTTP 503";
  acked.delivered_at = T0() + absl::Minutes(8);
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.InsertMessage(queued));
    CG_ASSERT_OK(txn.InsertMessage(acked));
  });

  for (const MessageRow& want : {queued, acked}) {
    auto got = store_->GetMessage(want.message_id);
    CG_ASSERT_OK(got);
    ASSERT_TRUE(got->has_value());
    ExpectSameMessage(**got, want);
  }
  EXPECT_THAT(store_->GetMessage("m-3"), IsOkAndNullopt());

  auto txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  auto found = (*txn)->FindMessage("m-1");
  CG_ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  ExpectSameMessage(**found, queued);
  EXPECT_THAT((*txn)->FindMessage("m-3"), IsOkAndNullopt());
  EXPECT_THAT(
      (*txn)->InsertMessage(queued),
      StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("insert message")));
}

TEST_P(StoreConformanceTest, MarkMessageAcknowledgedSetsStateAndTime) {
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.InsertMessage(SampleMessage("m-1", "org-clinic", 1, {})));
  });
  const absl::Time at = T0() + absl::Hours(1);
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.MarkMessageAcknowledged("m-1", at));
    EXPECT_THAT(txn.MarkMessageAcknowledged("m-9", at),
                StatusIs(absl::StatusCode::kNotFound,
                         HasSubstr("acknowledge message")));
  });
  auto got = store_->GetMessage("m-1");
  CG_ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->state, v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_EQ((*got)->acknowledged_at, at);
}

TEST_P(StoreConformanceTest, UpdateMessageDeliveryWritesDeliveryFields) {
  const MessageRow original = SampleMessage("m-1", "org-clinic", 1, {"c-1"});
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.InsertMessage(original));
  });
  MessageRow retrying = original;
  retrying.delivery_attempts = 2;
  retrying.next_attempt_at = T0() + absl::Seconds(30);
  retrying.last_delivery_error = "UNAVAILABLE: connection refused";
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.UpdateMessageDelivery(retrying));
    MessageRow unknown = retrying;
    unknown.message_id = "m-9";
    EXPECT_THAT(txn.UpdateMessageDelivery(unknown),
                StatusIs(absl::StatusCode::kNotFound,
                         HasSubstr("update message delivery")));
  });
  auto got = store_->GetMessage("m-1");
  CG_ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  ExpectSameMessage(**got, retrying);

  MessageRow delivered = retrying;
  delivered.state = v1::DELIVERY_STATE_ACKNOWLEDGED;
  delivered.delivery_attempts = 3;
  delivered.next_attempt_at.reset();
  delivered.delivered_at = T0() + absl::Seconds(40);
  delivered.acknowledged_at = T0() + absl::Seconds(40);
  delivered.retried_at = T0() + absl::Seconds(35);
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.UpdateMessageDelivery(delivered));
  });
  got = store_->GetMessage("m-1");
  CG_ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  ExpectSameMessage(**got, delivered);
}

TEST_P(StoreConformanceTest, ListDueMessagesFindsQueuedMessagesDueByNow) {
  const absl::Time now = T0() + absl::Hours(1);
  MessageRow fresh = SampleMessage("m-1", "org-a", 1, {});
  MessageRow due = SampleMessage("m-2", "org-a", 2, {});
  due.delivery_attempts = 1;
  due.next_attempt_at = now;
  MessageRow later = SampleMessage("m-3", "org-a", 3, {});
  later.delivery_attempts = 1;
  later.next_attempt_at = now + absl::Microseconds(1);
  MessageRow delivered = SampleMessage("m-4", "org-a", 4, {});
  delivered.state = v1::DELIVERY_STATE_DELIVERED;
  MessageRow withheld = SampleMessage("m-5", "org-a", 5, {});
  withheld.state = v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION;
  MessageRow other_org = SampleMessage("m-6", "org-b", 6, {});
  MessageRow last = SampleMessage("m-7", "org-a", 7, {});
  Write([&](WriteTransaction& txn) {
    for (const MessageRow& m :
         {last, fresh, due, later, delivered, withheld, other_org}) {
      CG_ASSERT_OK(txn.InsertMessage(m));
    }
  });

  auto listed = store_->ListDueMessages("org-a", now, 10);
  CG_ASSERT_OK(listed);
  EXPECT_THAT(MessageIds(*listed), ElementsAre("m-1", "m-2", "m-7"));
  ExpectSameMessage((*listed)[1], due);
  listed = store_->ListDueMessages("org-a", now, 2);
  CG_ASSERT_OK(listed);
  EXPECT_THAT(MessageIds(*listed), ElementsAre("m-1", "m-2"));
  EXPECT_THAT(store_->ListDueMessages("org-a", now, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("limit must be >= 1")));
}

// A claim takes what is due, as ListDueMessages lists it; claiming again
// as the same owner takes the same messages (its lease is renewed).
TEST_P(StoreConformanceTest, ClaimDueMessagesTakesWhatIsDue) {
  const absl::Time now = T0() + absl::Hours(1);
  MessageRow later = SampleMessage("m-3", "org-a", 3, {});
  later.delivery_attempts = 1;
  later.next_attempt_at = now + absl::Minutes(1);
  MessageRow delivered = SampleMessage("m-4", "org-a", 4, {});
  delivered.state = v1::DELIVERY_STATE_DELIVERED;
  Write([&](WriteTransaction& txn) {
    for (const MessageRow& m :
         {SampleMessage("m-1", "org-a", 1, {}),
          SampleMessage("m-2", "org-a", 2, {}), later, delivered,
          SampleMessage("m-5", "org-b", 5, {})}) {
      CG_ASSERT_OK(txn.InsertMessage(m));
    }
  });
  const absl::Time lease_end = now + absl::Minutes(1);
  auto claimed =
      store_->ClaimDueMessages(ClaimOf("org-a", now, "gw-1", lease_end, 10));
  CG_ASSERT_OK(claimed);
  EXPECT_THAT(MessageIds(*claimed), ElementsAre("m-1", "m-2"));
  claimed =
      store_->ClaimDueMessages(ClaimOf("org-a", now, "gw-1", lease_end, 1));
  CG_ASSERT_OK(claimed);
  EXPECT_THAT(MessageIds(*claimed), ElementsAre("m-1"));
  // Only up to the caller's durable head.
  claimed = store_->ClaimDueMessages(
      ClaimOf("org-a", now, "gw-1", lease_end, 10, /*max_seq=*/1));
  CG_ASSERT_OK(claimed);
  EXPECT_THAT(MessageIds(*claimed), ElementsAre("m-1"));
  EXPECT_THAT(
      store_->ClaimDueMessages(ClaimOf("org-a", now, "gw-1", lease_end, 0)),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("limit must be >= 1")));
}

TEST_P(StoreConformanceTest, ListDeliveriesFiltersByStateAndRecipient) {
  MessageRow queued_a = SampleMessage("m-1", "org-a", 1, {});
  MessageRow failed_a = SampleMessage("m-2", "org-a", 2, {});
  failed_a.state = v1::DELIVERY_STATE_FAILED;
  failed_a.delivery_attempts = 5;
  failed_a.last_delivery_error = "max_attempts reached";
  MessageRow failed_b = SampleMessage("m-3", "org-b", 3, {});
  failed_b.state = v1::DELIVERY_STATE_FAILED;
  MessageRow acked_a = SampleMessage("m-4", "org-a", 4, {});
  acked_a.state = v1::DELIVERY_STATE_ACKNOWLEDGED;
  MessageRow failed_a2 = SampleMessage("m-5", "org-a", 5, {});
  failed_a2.state = v1::DELIVERY_STATE_FAILED;
  failed_a2.retried_at = T0() + absl::Minutes(3);
  Write([&](WriteTransaction& txn) {
    for (const MessageRow& m :
         {failed_a2, acked_a, failed_b, failed_a, queued_a}) {
      CG_ASSERT_OK(txn.InsertMessage(m));
    }
  });
  auto list = [&](v1::DeliveryState state, std::string recipient,
                  int64_t after_seq, int limit) {
    DeliveryQuery q;
    q.state = state;
    q.recipient_org_id = std::move(recipient);
    q.after_seq = after_seq;
    q.limit = limit;
    auto listed = store_->ListDeliveries(q);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? *listed : std::vector<MessageRow>{};
  };

  std::vector<MessageRow> failed = list(v1::DELIVERY_STATE_FAILED, "", 0, 10);
  EXPECT_THAT(MessageIds(failed), ElementsAre("m-2", "m-3", "m-5"));
  ASSERT_EQ(failed.size(), 3u);
  ExpectSameMessage(failed[0], failed_a);
  ExpectSameMessage(failed[2], failed_a2);
  EXPECT_THAT(MessageIds(list(v1::DELIVERY_STATE_FAILED, "org-a", 0, 10)),
              ElementsAre("m-2", "m-5"));
  EXPECT_THAT(MessageIds(list(v1::DELIVERY_STATE_FAILED, "org-a", 2, 10)),
              ElementsAre("m-5"));
  EXPECT_THAT(MessageIds(list(v1::DELIVERY_STATE_FAILED, "", 0, 1)),
              ElementsAre("m-2"));
  EXPECT_THAT(MessageIds(list(v1::DELIVERY_STATE_QUEUED, "", 0, 10)),
              ElementsAre("m-1"));
  EXPECT_THAT(MessageIds(list(v1::DELIVERY_STATE_UNSPECIFIED, "org-a", 0, 10)),
              ElementsAre("m-1", "m-2", "m-4", "m-5"));
  EXPECT_THAT(MessageIds(list(v1::DELIVERY_STATE_UNSPECIFIED, "", 3, 10)),
              ElementsAre("m-4", "m-5"));
  EXPECT_THAT(list(v1::DELIVERY_STATE_DELIVERED, "", 0, 10), IsEmpty());
  DeliveryQuery none;
  none.limit = 0;
  EXPECT_THAT(store_->ListDeliveries(none),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("limit must be >= 1")));
}

TEST_P(StoreConformanceTest, WithholdTouchesOnlyPendingMessagesOfTheConsent) {
  MessageRow both = SampleMessage("m-1", "org-a", 1, {"c-2", "c-1"});
  MessageRow other = SampleMessage("m-2", "org-a", 2, {"c-2"});
  MessageRow acked = SampleMessage("m-3", "org-a", 3, {"c-1"});
  acked.state = v1::DELIVERY_STATE_ACKNOWLEDGED;
  acked.acknowledged_at = T0();
  MessageRow prefix = SampleMessage("m-4", "org-a", 4, {"c-10", ":c-1"});
  MessageRow second = SampleMessage("m-5", "org-b", 0, {"c-1"});
  // A failed push disclosed nothing and could be retried: withheld too.
  MessageRow failed = SampleMessage("m-6", "org-a", 6, {"c-1"});
  failed.state = v1::DELIVERY_STATE_FAILED;
  MessageRow delivered = SampleMessage("m-7", "org-a", 7, {"c-1"});
  delivered.state = v1::DELIVERY_STATE_DELIVERED;
  Write([&](WriteTransaction& txn) {
    for (const MessageRow& m :
         {both, other, acked, prefix, second, failed, delivered}) {
      CG_ASSERT_OK(txn.InsertMessage(m));
    }
  });

  std::vector<MessageRow> withheld;
  Write([&](WriteTransaction& txn) {
    auto result = txn.WithholdPendingMessages("c-1");
    CG_ASSERT_OK(result);
    withheld = *result;
  });

  ASSERT_THAT(MessageIds(withheld), ElementsAre("m-5", "m-1", "m-6"));
  MessageRow want = both;
  want.state = v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION;
  ExpectSameMessage(withheld[1], want);
  auto state_of = [&](const char* id) {
    auto m = store_->GetMessage(id);
    return m.ok() && m->has_value() ? (*m)->state
                                    : v1::DELIVERY_STATE_UNSPECIFIED;
  };
  EXPECT_EQ(state_of("m-1"), v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION);
  EXPECT_EQ(state_of("m-2"), v1::DELIVERY_STATE_QUEUED);
  EXPECT_EQ(state_of("m-3"), v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_EQ(state_of("m-4"), v1::DELIVERY_STATE_QUEUED);
  EXPECT_EQ(state_of("m-5"), v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION);
  EXPECT_EQ(state_of("m-6"), v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION);
  EXPECT_EQ(state_of("m-7"), v1::DELIVERY_STATE_DELIVERED);

  Write([&](WriteTransaction& txn) {
    EXPECT_THAT(txn.WithholdPendingMessages("c-1"), IsOkAndHolds(IsEmpty()));
  });
}

TEST_P(StoreConformanceTest, AuditEventRoundTripsEveryField) {
  AuditEvent full = SampleAuditEvent(1);
  AuditEvent sparse;
  sparse.seq = 2;
  sparse.time = absl::InfiniteFuture();
  sparse.action = v1::AUDIT_ACTION_AUDIT_ACCESSED;
  sparse.hash[31] = 1;
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.AppendAuditEvent(full));
    CG_ASSERT_OK(txn.AppendAuditEvent(sparse));
  });

  std::vector<AuditEvent> all = ScanAll();
  ASSERT_EQ(all.size(), 2u);
  ExpectSameAuditEvent(all[0], full);
  ExpectSameAuditEvent(all[1], sparse);
  auto queried = store_->QueryAuditEvents(AuditQuery{});
  CG_ASSERT_OK(queried);
  ASSERT_EQ(queried->size(), 2u);
  ExpectSameAuditEvent((*queried)[0], full);
}

TEST_P(StoreConformanceTest, DuplicateAuditSeqIsAlreadyExists) {
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.AppendAuditEvent(SampleAuditEvent(1)));
  });
  auto txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  EXPECT_THAT((*txn)->AppendAuditEvent(SampleAuditEvent(1)),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("append audit event")));
}

TEST_P(StoreConformanceTest, ChainHeadIsEmptyThenTheHighestSeq) {
  EXPECT_THAT(store_->GetChainHead(), IsOkAndNullopt());
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.AppendAuditEvent(SampleAuditEvent(2)));
    CG_ASSERT_OK(txn.AppendAuditEvent(SampleAuditEvent(5)));
    CG_ASSERT_OK(txn.AppendAuditEvent(SampleAuditEvent(3)));
  });
  auto head = store_->GetChainHead();
  CG_ASSERT_OK(head);
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->seq, 5);
  EXPECT_EQ((*head)->hash, SampleAuditEvent(5).hash);
}

TEST_P(StoreConformanceTest, LatestCheckpointHasHighestSeqThenLatestTime) {
  EXPECT_THAT(store_->GetLatestCheckpoint(), IsOkAndNullopt());
  const Checkpoint latest = SampleCheckpoint(9, T0() + absl::Seconds(2));
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(
        txn.InsertCheckpoint(SampleCheckpoint(4, T0() + absl::Hours(1))));
    CG_ASSERT_OK(txn.InsertCheckpoint(latest));
    CG_ASSERT_OK(txn.InsertCheckpoint(SampleCheckpoint(9, T0())));
  });
  auto got = store_->GetLatestCheckpoint();
  CG_ASSERT_OK(got);
  ASSERT_TRUE(got->has_value());
  ExpectSameCheckpoint(**got, latest);
}

TEST_P(StoreConformanceTest, DestroyingWithoutCommitKeepsNothing) {
  {
    auto txn = store_->BeginWrite();
    CG_ASSERT_OK(txn);
    CG_ASSERT_OK((*txn)->InsertConsent(SampleConsent("c-1", "req-1")));
    CG_ASSERT_OK((*txn)->InsertDisclosure(SampleDisclosure("d-1", "req-1")));
    CG_ASSERT_OK((*txn)->InsertMessage(SampleMessage("m-1", "org-a", 1, {})));
    CG_ASSERT_OK((*txn)->AppendAuditEvent(SampleAuditEvent(1)));
    CG_ASSERT_OK((*txn)->InsertCheckpoint(SampleCheckpoint(1, T0())));
  }
  EXPECT_THAT(AllConsents(), IsEmpty());
  EXPECT_THAT(store_->GetDisclosure("d-1"), IsOkAndNullopt());
  EXPECT_THAT(store_->GetMessage("m-1"), IsOkAndNullopt());
  EXPECT_THAT(store_->GetChainHead(), IsOkAndNullopt());
  EXPECT_THAT(store_->GetLatestCheckpoint(), IsOkAndNullopt());
  // The write side is free again.
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.InsertConsent(SampleConsent("c-1", "req-1")));
  });
  EXPECT_EQ(AllConsents().size(), 1u);
}

TEST_P(StoreConformanceTest, SavepointRollbackDropsOnlyThatCommand) {
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.Savepoint());
    CG_ASSERT_OK(txn.AppendAuditEvent(SampleAuditEvent(1)));
    CG_ASSERT_OK(txn.ReleaseSavepoint());

    CG_ASSERT_OK(txn.Savepoint());
    CG_ASSERT_OK(txn.AppendAuditEvent(SampleAuditEvent(2)));
    CG_ASSERT_OK(txn.InsertMessage(SampleMessage("m-2", "org-a", 2, {"c-1"})));
    CG_ASSERT_OK(txn.RollbackToSavepoint());

    CG_ASSERT_OK(txn.Savepoint());
    CG_ASSERT_OK(txn.AppendAuditEvent(SampleAuditEvent(3)));
    CG_ASSERT_OK(txn.ReleaseSavepoint());
  });
  EXPECT_THAT(Seqs(ScanAll()), ElementsAre(1, 3));
  EXPECT_THAT(store_->GetMessage("m-2"), IsOkAndNullopt());
  // The rolled-back message left no trace for a later revocation either.
  Write([&](WriteTransaction& txn) {
    EXPECT_THAT(txn.WithholdPendingMessages("c-1"), IsOkAndHolds(IsEmpty()));
  });
}

TEST_P(StoreConformanceTest, FailedCommandInSavepointLeavesNeighbours) {
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.InsertDisclosure(SampleDisclosure("d-1", "req-1")));
  });
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.Savepoint());
    CG_ASSERT_OK(txn.AppendAuditEvent(SampleAuditEvent(1)));
    // A store that defers writes in a savepoint reports it on release.
    absl::Status inserted =
        txn.InsertDisclosure(SampleDisclosure("d-2", "req-1"));
    EXPECT_THAT(inserted.ok() ? txn.ReleaseSavepoint() : inserted,
                StatusIs(absl::StatusCode::kAlreadyExists, _));
    CG_ASSERT_OK(txn.RollbackToSavepoint());
    CG_ASSERT_OK(txn.Savepoint());
    CG_ASSERT_OK(txn.InsertDisclosure(SampleDisclosure("d-3", "req-3")));
    CG_ASSERT_OK(txn.AppendAuditEvent(SampleAuditEvent(2)));
    CG_ASSERT_OK(txn.ReleaseSavepoint());
  });
  EXPECT_THAT(Seqs(ScanAll()), ElementsAre(2));
  EXPECT_THAT(store_->GetDisclosure("d-2"), IsOkAndNullopt());
  auto d3 = store_->GetDisclosure("d-3");
  CG_ASSERT_OK(d3);
  EXPECT_TRUE(d3->has_value());
}

TEST_P(StoreConformanceTest, SavepointCallsWithoutSavepointFail) {
  auto txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  EXPECT_THAT((*txn)->ReleaseSavepoint(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("no savepoint")));
  EXPECT_THAT((*txn)->RollbackToSavepoint(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("no savepoint")));
}

TEST_P(StoreConformanceTest, OnlyOneWriteTransactionAtATime) {
  auto first = store_->BeginWrite();
  CG_ASSERT_OK(first);
  EXPECT_THAT(store_->BeginWrite(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("another transaction is open")));
  CG_ASSERT_OK((*first)->Commit());
  // Committed but not yet destroyed: still the open one.
  EXPECT_THAT(store_->BeginWrite(),
              StatusIs(absl::StatusCode::kFailedPrecondition, _));
  first->reset();
  CG_EXPECT_OK(store_->BeginWrite());
}

TEST_P(StoreConformanceTest, CallsAfterCommitAreFailedPrecondition) {
  auto txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  CG_ASSERT_OK((*txn)->Commit());
  EXPECT_THAT((*txn)->AppendAuditEvent(SampleAuditEvent(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("append audit event")));
  EXPECT_THAT((*txn)->Commit(),
              StatusIs(absl::StatusCode::kFailedPrecondition, _));
}

TEST_P(StoreConformanceTest, ReadsSeeOnlyCommittedState) {
  auto txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  CG_ASSERT_OK((*txn)->InsertMessage(SampleMessage("m-1", "org-a", 1, {})));
  EXPECT_THAT(store_->GetMessage("m-1"), IsOkAndNullopt());
  auto own = (*txn)->FindMessage("m-1");
  CG_ASSERT_OK(own);
  EXPECT_TRUE(own->has_value());
  CG_ASSERT_OK((*txn)->Commit());
  auto committed = store_->GetMessage("m-1");
  CG_ASSERT_OK(committed);
  EXPECT_TRUE(committed->has_value());
}

TEST_P(StoreConformanceTest, SyncMakesCommitsDurableWhileTheWriterGoesOn) {
  CG_EXPECT_OK(store_->Sync());  // nothing committed yet: still fine
  {
    auto txn = store_->BeginWrite();
    CG_ASSERT_OK(txn);
    CG_ASSERT_OK((*txn)->InsertMessage(SampleMessage("m-1", "org-a", 1, {})));
    CG_ASSERT_OK((*txn)->Commit());
  }
  // The next transaction is open while the previous one is synced.
  auto next = store_->BeginWrite();
  CG_ASSERT_OK(next);
  CG_ASSERT_OK((*next)->InsertMessage(SampleMessage("m-2", "org-a", 2, {})));
  CG_EXPECT_OK(store_->Sync());
  CG_ASSERT_OK((*next)->Commit());
  next->reset();
  CG_EXPECT_OK(store_->Sync());
  Reopen();
  for (const char* id : {"m-1", "m-2"}) {
    auto message = store_->GetMessage(id);
    CG_ASSERT_OK(message);
    EXPECT_TRUE(message->has_value()) << id;
  }
}

Hash256 TestHash(int seed) {
  Hash256 h{};
  for (size_t i = 0; i < h.size(); ++i) h[i] = static_cast<uint8_t>(seed + i);
  return h;
}

TEST_P(StoreConformanceTest, TreeNodesRoundTripInsideAndAfterTheTransaction) {
  EXPECT_EQ(store_->GetTreeSize().value_or(-1), 0);
  const std::vector<tlog::NodeHash> nodes = {{{0, 0}, TestHash(1)},
                                             {{0, 1}, TestHash(2)},
                                             {{1, 0}, TestHash(3)},
                                             {{0, 2}, TestHash(4)}};
  const std::vector<tlog::NodeId> ids = {{1, 0}, {0, 2}, {0, 0}};
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.PutTreeNodes(nodes));
    CG_ASSERT_OK(txn.PutTreeNodes({}));
    auto inside = txn.ReadTreeNodes(ids);
    CG_ASSERT_OK(inside);
    EXPECT_EQ(*inside,
              (std::vector<Hash256>{TestHash(3), TestHash(4), TestHash(1)}));
  });
  auto after = store_->ReadTreeNodes(ids);
  CG_ASSERT_OK(after);
  EXPECT_EQ(*after,
            (std::vector<Hash256>{TestHash(3), TestHash(4), TestHash(1)}));
  EXPECT_EQ(store_->GetTreeSize().value_or(-1), 3);
  EXPECT_THAT(store_->ReadTreeNodes(std::vector<tlog::NodeId>{{0, 1}, {2, 0}}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("(2, 0)")));
  Reopen();
  EXPECT_EQ(store_->GetTreeSize().value_or(-1), 3);
}

// The ledger stores no leaves (DropLeaves): a leaf the store does not hold
// is the leaf hash of its event's hash, inside the transaction and after; a
// stored leaf (a log written before) still wins; the size counts level 1.
TEST_P(StoreConformanceTest, ALeafNotStoredIsTheLeafHashOfItsEvent) {
  const AuditEvent first = SampleAuditEvent(1);
  AuditEvent second = SampleAuditEvent(2);
  second.hash = TestHash(20);
  const auto leaf = [](const Hash256& event_hash) {
    return tlog::LeafHash(std::string_view(
        reinterpret_cast<const char*>(event_hash.data()), event_hash.size()));
  };
  const std::vector<tlog::NodeId> ids = {{0, 1}, {1, 0}, {0, 0}};
  const std::vector<Hash256> want = {leaf(second.hash), TestHash(5),
                                     leaf(first.hash)};
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.AppendAuditEvent(first));
    CG_ASSERT_OK(txn.AppendAuditEvent(second));
    CG_ASSERT_OK(txn.PutTreeNodes({{{1, 0}, TestHash(5)}}));
    EXPECT_THAT(txn.ReadTreeNodes(ids), IsOkAndHolds(want));
  });
  EXPECT_THAT(store_->ReadTreeNodes(ids), IsOkAndHolds(want));
  EXPECT_EQ(store_->GetTreeSize().value_or(-1), 2);
  EXPECT_THAT(store_->ReadTreeNodes(std::vector<tlog::NodeId>{{0, 2}}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("(0, 2)")));
  EXPECT_THAT(store_->ReadTreeNodes(std::vector<tlog::NodeId>{{1, 1}}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("(1, 1)")));
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.PutTreeNodes({{{0, 0}, TestHash(9)}}));
  });
  EXPECT_THAT(store_->ReadTreeNodes(std::vector<tlog::NodeId>{{0, 0}}),
              IsOkAndHolds(std::vector<Hash256>{TestHash(9)}));
}

TEST_P(StoreConformanceTest, ATreeNodeWrittenAgainIsReplaced) {
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.PutTreeNodes({{{0, 0}, TestHash(1)}}));
  });
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.PutTreeNodes({{{0, 0}, TestHash(9)}}));
  });
  auto hashes = store_->ReadTreeNodes(std::vector<tlog::NodeId>{{0, 0}});
  CG_ASSERT_OK(hashes);
  EXPECT_EQ(*hashes, std::vector<Hash256>{TestHash(9)});
}

TEST_P(StoreConformanceTest, CheckpointKeepsItsTreeRootAndNote) {
  Checkpoint old = SampleCheckpoint(1, T0());  // written before the tree
  Checkpoint cp = SampleCheckpoint(2, T0() + absl::Seconds(1));
  cp.tree_root = TestHash(7);
  cp.note = "caregate.example/audit\n2\nBwgJ\n\n\xE2\x80\x94 k AAAA\n";
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.InsertCheckpoint(old));
    CG_ASSERT_OK(txn.InsertCheckpoint(cp));
    CG_ASSERT_OK(txn.UpdateCheckpointNote(2, TestHash(8), "other root"));
  });
  auto latest = store_->GetLatestCheckpoint();
  CG_ASSERT_OK(latest);
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->tree_root, cp.tree_root);
  EXPECT_EQ((*latest)->note, cp.note);
  const std::string cosigned = cp.note + "\xE2\x80\x94 w BBBB\n";
  Write([&](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.UpdateCheckpointNote(2, TestHash(7), cosigned));
  });
  std::vector<Checkpoint> all;
  CG_ASSERT_OK(store_->ScanCheckpoints([&](const Checkpoint& c) {
    all.push_back(c);
    return true;
  }));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_FALSE(all[0].tree_root.has_value());
  EXPECT_EQ(all[0].note, "");
  EXPECT_EQ(all[1].note, cosigned);
}

}  // namespace
}  // namespace caregate::store_testing
