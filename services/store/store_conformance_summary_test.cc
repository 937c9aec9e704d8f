// Conformance suite, part 3: SummarizeAuditEvents, the counts behind the
// compliance console's overview. Instantiated per backend (see
// store_conformance_test.h).
#include "gmock/gmock.h"
#include "services/store/store_conformance_test.h"
#include "tests/testing/status_matchers.h"

namespace caregate::store_testing {
namespace {

using ::caregate::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

absl::Time Utc(int year, int month, int day, int hour = 12) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, 0, 0),
                         absl::UTCTimeZone());
}

AuditEvent Event(int64_t seq, absl::Time time, v1::AuditAction action) {
  AuditEvent e = SampleAuditEvent(seq);
  e.time = time;
  e.action = action;
  e.reasons = {};
  return e;
}

DisclosureRow Disclosure(const std::string& id, absl::Time created_at,
                         const std::string& org, const std::string& provider,
                         v1::DecisionOutcome outcome) {
  DisclosureRow d = SampleDisclosure(id, "req-" + id);
  d.created_at = created_at;
  d.recipient_org_id = org;
  d.recipient_provider_id = provider;
  d.outcome = outcome;
  return d;
}

// Events 1..8 from November 2023 to January 2024, and disclosures over the
// same months.
void AppendSummaryLog(WriteTransaction& txn) {
  AuditEvent denied_twice =
      Event(1, Utc(2023, 11, 3), v1::AUDIT_ACTION_DISCLOSURE_DENIED);
  denied_twice.reasons = {v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT,
                          v1::DENIAL_REASON_CATEGORY_WITHHELD};
  AuditEvent denied_once =
      Event(2, Utc(2023, 11, 4), v1::AUDIT_ACTION_DISCLOSURE_DENIED);
  denied_once.reasons = {v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT};
  AuditEvent redacted =
      Event(6, Utc(2023, 12, 2), v1::AUDIT_ACTION_DISCLOSURE_REDACTED);
  redacted.reasons = {v1::DENIAL_REASON_CONSENT_REVOKED};  // not a denial
  auto access_denied = [](int64_t seq, absl::Time t, const char* actor) {
    AuditEvent e = Event(seq, t, v1::AUDIT_ACTION_ACCESS_DENIED);
    e.actor_principal_id = actor;
    return e;
  };
  for (const AuditEvent& e :
       {denied_twice, denied_once, access_denied(3, Utc(2023, 11, 5), "ther-2"),
        access_denied(4, Utc(2023, 11, 6), "clinic-1"),
        access_denied(5, Utc(2023, 12, 1), "ther-2"), redacted,
        Event(7, Utc(2023, 12, 31, 23), v1::AUDIT_ACTION_AUDIT_ACCESSED),
        Event(8, Utc(2024, 1, 2), v1::AUDIT_ACTION_AUDIT_ACCESSED)}) {
    CG_ASSERT_OK(txn.AppendAuditEvent(e));
  }
  for (const DisclosureRow& d :
       {Disclosure("d-1", Utc(2023, 11, 1, 0), "org-a", "prov-a",
                   v1::DECISION_OUTCOME_PERMITTED),
        Disclosure("d-2", Utc(2023, 11, 30, 23), "org-a", "prov-a",
                   v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS),
        Disclosure("d-3", Utc(2023, 11, 20), "org-b", "prov-b",
                   v1::DECISION_OUTCOME_PERMITTED),
        Disclosure("d-4", Utc(2023, 12, 2), "org-a", "prov-a",
                   v1::DECISION_OUTCOME_PERMITTED),
        Disclosure("d-5", Utc(2023, 12, 3), "org-a", "prov-a",
                   v1::DECISION_OUTCOME_DENIED),
        Disclosure("d-6", Utc(2024, 1, 2), "org-b", "prov-b",
                   v1::DECISION_OUTCOME_PERMITTED)}) {
    CG_ASSERT_OK(txn.InsertDisclosure(d));
  }
}

AuditSummary Summarize(Store& store, absl::Time since, absl::Time until) {
  absl::StatusOr<AuditSummary> summary =
      store.SummarizeAuditEvents(since, until);
  EXPECT_THAT(summary, IsOk());
  return summary.ok() ? *summary : AuditSummary{};
}

MATCHER_P2(ActionIs, action, count, "") {
  return arg.action == action && arg.count == count;
}
MATCHER_P4(MonthIs, month_start, org, provider, count, "") {
  return arg.month_start == month_start && arg.recipient_org_id == org &&
         arg.recipient_provider_id == provider && arg.count == count;
}
MATCHER_P2(ReasonIs, reason, count, "") {
  return arg.reason == reason && arg.count == count;
}
MATCHER_P2(PrincipalIs, principal, count, "") {
  return arg.principal_id == principal && arg.count == count;
}

TEST_P(StoreConformanceTest, SummarizeAuditEventsCountsThePeriod) {
  Write(AppendSummaryLog);
  const AuditSummary s =
      Summarize(*store_, Utc(2023, 11, 1, 0), Utc(2024, 1, 1, 0));
  EXPECT_THAT(s.actions,
              ElementsAre(ActionIs(v1::AUDIT_ACTION_DISCLOSURE_REDACTED, 1),
                          ActionIs(v1::AUDIT_ACTION_DISCLOSURE_DENIED, 2),
                          ActionIs(v1::AUDIT_ACTION_AUDIT_ACCESSED, 1),
                          ActionIs(v1::AUDIT_ACTION_ACCESS_DENIED, 3)));
  EXPECT_THAT(s.disclosures_by_month,
              ElementsAre(MonthIs(Utc(2023, 11, 1, 0), "org-a", "prov-a", 2),
                          MonthIs(Utc(2023, 11, 1, 0), "org-b", "prov-b", 1),
                          MonthIs(Utc(2023, 12, 1, 0), "org-a", "prov-a", 1)));
  EXPECT_THAT(
      s.denials_by_reason,
      ElementsAre(ReasonIs(v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT, 2),
                  ReasonIs(v1::DENIAL_REASON_CATEGORY_WITHHELD, 1)));
  EXPECT_THAT(
      s.access_denied_by_principal,
      ElementsAre(PrincipalIs("clinic-1", 1), PrincipalIs("ther-2", 2)));
}

TEST_P(StoreConformanceTest, SummarizeAuditEventsPeriodExcludesUntil) {
  Write(AppendSummaryLog);
  // From event 3's instant up to (not including) event 6's.
  const AuditSummary s = Summarize(*store_, Utc(2023, 11, 5), Utc(2023, 12, 2));
  EXPECT_THAT(s.actions,
              ElementsAre(ActionIs(v1::AUDIT_ACTION_ACCESS_DENIED, 3)));
  EXPECT_THAT(s.denials_by_reason, IsEmpty());
  EXPECT_THAT(s.disclosures_by_month,
              ElementsAre(MonthIs(Utc(2023, 11, 1, 0), "org-a", "prov-a", 1),
                          MonthIs(Utc(2023, 11, 1, 0), "org-b", "prov-b", 1)));
}

TEST_P(StoreConformanceTest, SummarizeAuditEventsUnboundedAndEmpty) {
  const AuditSummary empty =
      Summarize(*store_, absl::InfinitePast(), absl::InfiniteFuture());
  EXPECT_THAT(empty.actions, IsEmpty());
  EXPECT_THAT(empty.disclosures_by_month, IsEmpty());
  EXPECT_THAT(empty.denials_by_reason, IsEmpty());
  EXPECT_THAT(empty.access_denied_by_principal, IsEmpty());
  Write(AppendSummaryLog);
  const AuditSummary all =
      Summarize(*store_, absl::InfinitePast(), absl::InfiniteFuture());
  EXPECT_THAT(all.actions,
              ElementsAre(ActionIs(v1::AUDIT_ACTION_DISCLOSURE_REDACTED, 1),
                          ActionIs(v1::AUDIT_ACTION_DISCLOSURE_DENIED, 2),
                          ActionIs(v1::AUDIT_ACTION_AUDIT_ACCESSED, 2),
                          ActionIs(v1::AUDIT_ACTION_ACCESS_DENIED, 3)));
  EXPECT_EQ(all.disclosures_by_month.size(), 4u);
}

TEST_P(StoreConformanceTest, SummarizeAuditEventsWithinOneDayAndAfterWrites) {
  Write(AppendSummaryLog);
  // A few hours of one day: event 3 (ACCESS_DENIED at noon) only.
  AuditSummary s =
      Summarize(*store_, Utc(2023, 11, 5, 6), Utc(2023, 11, 5, 18));
  EXPECT_THAT(s.actions,
              ElementsAre(ActionIs(v1::AUDIT_ACTION_ACCESS_DENIED, 1)));
  EXPECT_THAT(s.access_denied_by_principal,
              ElementsAre(PrincipalIs("ther-2", 1)));
  EXPECT_THAT(s.disclosures_by_month, IsEmpty());

  // Later writes on days already counted add to those days.
  Write([](WriteTransaction& txn) {
    for (int64_t seq : {9, 10}) {
      AuditEvent e = Event(seq, Utc(2023, 11, 5, 12 + seq - 8),
                           v1::AUDIT_ACTION_ACCESS_DENIED);
      e.actor_principal_id = "ther-2";
      CG_ASSERT_OK(txn.AppendAuditEvent(e));
    }
    CG_ASSERT_OK(txn.InsertDisclosure(
        Disclosure("d-7", Utc(2023, 11, 20, 1), "org-b", "prov-b",
                   v1::DECISION_OUTCOME_PERMITTED)));
  });
  s = Summarize(*store_, Utc(2023, 11, 1, 0), Utc(2024, 1, 1, 0));
  EXPECT_THAT(
      s.access_denied_by_principal,
      ElementsAre(PrincipalIs("clinic-1", 1), PrincipalIs("ther-2", 4)));
  EXPECT_THAT(s.disclosures_by_month,
              ElementsAre(MonthIs(Utc(2023, 11, 1, 0), "org-a", "prov-a", 2),
                          MonthIs(Utc(2023, 11, 1, 0), "org-b", "prov-b", 2),
                          MonthIs(Utc(2023, 12, 1, 0), "org-a", "prov-a", 1)));
  // The same counts survive reopening.
  Reopen();
  EXPECT_THAT(
      Summarize(*store_, absl::InfinitePast(), absl::InfiniteFuture())
          .access_denied_by_principal,
      ElementsAre(PrincipalIs("clinic-1", 1), PrincipalIs("ther-2", 4)));
}

TEST_P(StoreConformanceTest, SummarizeAuditEventsLeavesOutRolledBackCommands) {
  Write([](WriteTransaction& txn) {
    CG_ASSERT_OK(txn.Savepoint());
    CG_ASSERT_OK(txn.AppendAuditEvent(
        Event(1, Utc(2023, 11, 3), v1::AUDIT_ACTION_ACCESS_DENIED)));
    CG_ASSERT_OK(txn.ReleaseSavepoint());
    CG_ASSERT_OK(txn.Savepoint());
    CG_ASSERT_OK(txn.AppendAuditEvent(
        Event(2, Utc(2023, 11, 3), v1::AUDIT_ACTION_ACCESS_DENIED)));
    CG_ASSERT_OK(txn.InsertDisclosure(
        Disclosure("d-1", Utc(2023, 11, 3), "org-a", "prov-a",
                   v1::DECISION_OUTCOME_PERMITTED)));
    CG_ASSERT_OK(txn.RollbackToSavepoint());
  });
  const AuditSummary s =
      Summarize(*store_, absl::InfinitePast(), absl::InfiniteFuture());
  EXPECT_THAT(s.actions,
              ElementsAre(ActionIs(v1::AUDIT_ACTION_ACCESS_DENIED, 1)));
  EXPECT_THAT(s.disclosures_by_month, IsEmpty());
}

}  // namespace
}  // namespace caregate::store_testing
