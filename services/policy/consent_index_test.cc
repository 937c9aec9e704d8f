#include "services/policy/consent_index.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/policy/test_consents.h"

namespace caregate {
namespace {

using ::caregate::testing::ConsentBuilder;
using ::caregate::testing::DefaultRequest;
using ::caregate::testing::kPatient;
using ::caregate::testing::kPractice;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr Category kSummary = v1::CATEGORY_TREATMENT_SUMMARY;
constexpr Category kHomework = v1::CATEGORY_HOMEWORK_PLAN;

DecisionRequest SummaryRequest() {
  DecisionRequest request = DefaultRequest();
  request.section_categories = {kSummary};
  return request;
}

TEST(ConsentIndexTest, EmptyIndex) {
  ConsentIndex index;
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.Find("c1"), std::nullopt);
  EXPECT_THAT(index.IdsForPatient(kPractice, kPatient), IsEmpty());
  const DecisionResult result = index.Decide(SummaryRequest());
  EXPECT_EQ(result.outcome, v1::DECISION_OUTCOME_DENIED);
  ASSERT_EQ(result.sections.size(), 1u);
  EXPECT_EQ(result.sections[0].reason,
            v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT);
}

TEST(ConsentIndexTest, FindReturnsACopyOfTheRecord) {
  ConsentIndex index;
  index.Upsert(ConsentBuilder("c1").Categories({kSummary}));

  const std::optional<IndexedConsent> found = index.Find("c1");

  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->consent_id, "c1");
  EXPECT_EQ(found->patient_id, kPatient);
  EXPECT_TRUE(found->categories.Contains(kSummary));
  EXPECT_EQ(index.Find("c2"), std::nullopt);
  EXPECT_EQ(index.size(), 1u);
}

TEST(ConsentIndexTest, IdsForPatientKeepRecordingOrder) {
  ConsentIndex index;
  index.Upsert(ConsentBuilder("c3").Categories({kSummary}));
  index.Upsert(ConsentBuilder("x1").Patient(kPractice, "p-other"));
  index.Upsert(ConsentBuilder("c1").Categories({kSummary}));
  index.Upsert(ConsentBuilder("c2").Categories({kSummary}));

  EXPECT_THAT(index.IdsForPatient(kPractice, kPatient),
              ElementsAre("c3", "c1", "c2"));
  EXPECT_THAT(index.IdsForPatient(kPractice, "p-other"), ElementsAre("x1"));
  EXPECT_EQ(index.size(), 4u);
}

TEST(ConsentIndexTest, CountsThePatientsConsentsInAnyState) {
  ConsentIndex index;
  const absl::Time now = testing::TestNow();
  index.Upsert(ConsentBuilder("c1").Categories({kSummary}));
  index.Upsert(ConsentBuilder("c2").Categories({kSummary}).Revoked());
  index.Upsert(ConsentBuilder("c3")
                   .Categories({kSummary})
                   .ExpiresAt(now - absl::Hours(1)));
  index.Upsert(ConsentBuilder("x1").Patient(kPractice, "p-other"));

  EXPECT_EQ(index.CountForPatient(kPractice, kPatient), 3u);
  EXPECT_EQ(index.CountForPatient(kPractice, "p-other"), 1u);
  EXPECT_EQ(index.CountForPatient(kPractice, "p-nobody"), 0u);
  EXPECT_EQ(index.CountForPatient("org-nobody", kPatient), 0u);
}

// The index keeps the terms a decision and a consent summary read, exactly;
// not the evidence of the signed form.
TEST(ConsentIndexTest, FindReturnsTheTermsAsRecorded) {
  ConsentIndex index;
  ConsentRecord record = ConsentBuilder("c1")
                             .Categories({kSummary, kHomework})
                             .Withheld({v1::CATEGORY_TRAUMA_HISTORY});
  record.grantee.provider_id = "prov-7";
  record.grantee.specialty = v1::SPECIALTY_UROLOGY;
  record.valid_from = absl::FromUnixNanos(1'700'000'000'123'456'789);
  record.expires_at = absl::InfiniteFuture();
  record.evidence.signed_at = absl::FromUnixNanos(1'699'999'999'000'000'001);
  record.evidence.signer_name = "kept in the store only";
  index.Upsert(record);

  const std::optional<IndexedConsent> found = index.Find("c1");

  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->practice_org_id, record.practice_org_id);
  EXPECT_EQ(found->patient_id, record.patient_id);
  EXPECT_EQ(found->grantee.org_id, record.grantee.org_id);
  EXPECT_EQ(found->grantee.provider_id, "prov-7");
  EXPECT_EQ(found->grantee.specialty, v1::SPECIALTY_UROLOGY);
  EXPECT_EQ(found->purposes, record.purposes);
  EXPECT_EQ(found->categories, record.categories);
  EXPECT_EQ(found->withheld_categories, record.withheld_categories);
  EXPECT_EQ(found->valid_from, record.valid_from);
  EXPECT_EQ(found->expires_at, absl::InfiniteFuture());
  EXPECT_EQ(found->signed_at, record.evidence.signed_at);
  EXPECT_FALSE(found->revoked);
}

// Times keep their order against `now` at the edges of the int64
// nanosecond range the index stores them in.
TEST(ConsentIndexTest, TimesBeyondTheNanosecondRangeKeepTheirOrder) {
  ConsentIndex index;
  ConsentRecord record = ConsentBuilder("c1").Categories({kSummary});
  record.valid_from = absl::FromCivil(absl::CivilSecond(1500, 1, 1, 0, 0, 0),
                                      absl::UTCTimeZone());
  record.expires_at = absl::FromCivil(absl::CivilSecond(2500, 1, 1, 0, 0, 0),
                                      absl::UTCTimeZone());
  index.Upsert(record);
  EXPECT_EQ(index.Decide(SummaryRequest()).outcome,
            v1::DECISION_OUTCOME_PERMITTED);

  // Valid from exactly `now`: in effect; expiring exactly at `now`: not.
  const absl::Time now = SummaryRequest().now;
  index.Upsert(ConsentBuilder("c1").Categories({kSummary}).ValidFrom(now));
  EXPECT_EQ(index.Decide(SummaryRequest()).outcome,
            v1::DECISION_OUTCOME_PERMITTED);
  index.Upsert(ConsentBuilder("c1").Categories({kSummary}).ExpiresAt(now));
  const DecisionResult expired = index.Decide(SummaryRequest());
  ASSERT_EQ(expired.sections.size(), 1u);
  EXPECT_EQ(expired.sections[0].reason, v1::DENIAL_REASON_CONSENT_EXPIRED);
}

TEST(ConsentIndexTest, RevocationReplacesInPlaceAndIsSeenByDecide) {
  ConsentIndex index;
  index.Upsert(ConsentBuilder("c1").Categories({kHomework}));
  index.Upsert(ConsentBuilder("c2").Categories({kSummary}));
  index.Upsert(ConsentBuilder("c3").Categories({kHomework}));
  ASSERT_EQ(index.Decide(SummaryRequest()).outcome,
            v1::DECISION_OUTCOME_PERMITTED);

  index.Upsert(ConsentBuilder("c2").Categories({kSummary}).Revoked());

  EXPECT_EQ(index.size(), 3u);
  EXPECT_THAT(index.IdsForPatient(kPractice, kPatient),
              ElementsAre("c1", "c2", "c3"));
  const std::optional<IndexedConsent> found = index.Find("c2");
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->revoked);
  const DecisionResult result = index.Decide(SummaryRequest());
  EXPECT_EQ(result.outcome, v1::DECISION_OUTCOME_DENIED);
  ASSERT_EQ(result.sections.size(), 1u);
  EXPECT_EQ(result.sections[0].reason, v1::DENIAL_REASON_CONSENT_REVOKED);
}

TEST(ConsentIndexTest, RefreshUpsertsThePatientAndRaisesItsRevision) {
  ConsentIndex index;
  EXPECT_EQ(index.Revision(kPractice, kPatient), 0);
  index.Upsert(ConsentBuilder("c1").Categories({kSummary}));
  ASSERT_EQ(index.Decide(SummaryRequest()).outcome,
            v1::DECISION_OUTCOME_PERMITTED);

  // Read again from the store: c1 revoked elsewhere, c2 recorded elsewhere.
  std::vector<ConsentRecord> stored = {
      ConsentBuilder("c1").Categories({kSummary}).Revoked(),
      ConsentBuilder("c2").Categories({kHomework})};
  index.Refresh(kPractice, kPatient, stored, 17);

  EXPECT_EQ(index.Revision(kPractice, kPatient), 17);
  EXPECT_EQ(index.Revision(kPractice, "p-other"), 0);
  EXPECT_THAT(index.IdsForPatient(kPractice, kPatient),
              ElementsAre("c1", "c2"));
  EXPECT_EQ(index.Decide(SummaryRequest()).outcome,
            v1::DECISION_OUTCOME_DENIED);
  // A revision never goes back.
  index.SetRevision(kPractice, kPatient, 9);
  EXPECT_EQ(index.Revision(kPractice, kPatient), 17);
  index.SetRevision(kPractice, kPatient, 21);
  EXPECT_EQ(index.Revision(kPractice, kPatient), 21);
}

TEST(ConsentIndexTest, RefreshIgnoresAReadOlderThanTheRevisionHeld) {
  ConsentIndex index;
  // Revoked at revision 30 (applied first)...
  index.Refresh(kPractice, kPatient,
                {ConsentBuilder("c1").Categories({kSummary}).Revoked()}, 30);
  // ...then a read made at revision 12, when c1 was still active, arrives.
  index.Refresh(kPractice, kPatient,
                {ConsentBuilder("c1").Categories({kSummary})}, 12);

  EXPECT_EQ(index.Revision(kPractice, kPatient), 30);
  const std::optional<IndexedConsent> found = index.Find("c1");
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->revoked);
  EXPECT_EQ(index.Decide(SummaryRequest()).outcome,
            v1::DECISION_OUTCOME_DENIED);
}

TEST(ConsentIndexTest, DecideNamesTheCoveringConsents) {
  ConsentIndex index;
  index.Upsert(ConsentBuilder("c1").Categories({kHomework}));
  index.Upsert(ConsentBuilder("c2").Categories({kSummary}));
  DecisionRequest request = DefaultRequest();
  request.section_categories = {kSummary, kHomework};

  const DecisionResult result = index.Decide(request);

  EXPECT_EQ(result.outcome, v1::DECISION_OUTCOME_PERMITTED);
  EXPECT_THAT(result.consent_ids, ElementsAre("c2", "c1"));
}

TEST(ConsentIndexTest, SamePatientIdInTwoPracticesStaysSeparate) {
  ConsentIndex index;
  index.Upsert(ConsentBuilder("a1").Categories({kSummary}));
  index.Upsert(ConsentBuilder("b1")
                   .Categories({kHomework})
                   .Patient("org-practice-b", kPatient));

  EXPECT_THAT(index.IdsForPatient(kPractice, kPatient), ElementsAre("a1"));
  EXPECT_THAT(index.IdsForPatient("org-practice-b", kPatient),
              ElementsAre("b1"));

  DecisionRequest request = DefaultRequest();
  request.practice_org_id = "org-practice-b";
  request.section_categories = {kSummary};
  const DecisionResult result = index.Decide(request);
  EXPECT_EQ(result.outcome, v1::DECISION_OUTCOME_DENIED);
  ASSERT_EQ(result.sections.size(), 1u);
  EXPECT_EQ(result.sections[0].reason,
            v1::DENIAL_REASON_CATEGORY_NOT_CONSENTED);
}

TEST(ConsentIndexTest, KeysDoNotCollideOnConcatenation) {
  ConsentIndex index;
  index.Upsert(ConsentBuilder("c1").Patient("org-a", "b-p"));
  index.Upsert(ConsentBuilder("c2").Patient("org-ab", "-p"));

  EXPECT_THAT(index.IdsForPatient("org-a", "b-p"), ElementsAre("c1"));
  EXPECT_THAT(index.IdsForPatient("org-ab", "-p"), ElementsAre("c2"));
}

TEST(ConsentIndexTest, ReplacementWithAnotherPatientMovesTheConsent) {
  ConsentIndex index;
  index.Upsert(ConsentBuilder("c1").Categories({kSummary}));
  index.Upsert(ConsentBuilder("c1").Patient(kPractice, "p-2"));

  EXPECT_THAT(index.IdsForPatient(kPractice, kPatient), IsEmpty());
  EXPECT_THAT(index.IdsForPatient(kPractice, "p-2"), ElementsAre("c1"));
  EXPECT_EQ(index.size(), 1u);
}

// Readers decide while a writer records and revokes consents: every decision
// sees either a whole consent in effect or a whole revocation.
TEST(ConsentIndexTest, ConcurrentReadersAndWriter) {
  ConsentIndex index;
  index.Upsert(ConsentBuilder("c0").Categories({kSummary}));
  constexpr int kRounds = 300;
  std::atomic<bool> done{false};

  std::vector<std::thread> readers;
  std::atomic<int> permitted{0};
  std::atomic<int> bad{0};
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 5 * kRounds && !done.load(); ++i) {
        const DecisionResult r = index.Decide(SummaryRequest());
        if (r.outcome == v1::DECISION_OUTCOME_PERMITTED) {
          if (r.consent_ids.size() != 1) bad.fetch_add(1);
          permitted.fetch_add(1);
        } else if (r.sections.size() != 1 ||
                   r.sections[0].reason != v1::DENIAL_REASON_CONSENT_REVOKED) {
          bad.fetch_add(1);
        }
        const std::vector<std::string> all =
            index.IdsForPatient(kPractice, kPatient);
        if (all.empty() || all.front() != "c0") bad.fetch_add(1);
        if (!index.Find("c0").has_value()) bad.fetch_add(1);
      }
    });
  }
  for (int i = 1; i <= kRounds; ++i) {
    const std::string id = absl::StrCat("c", i);
    index.Upsert(ConsentBuilder(id).Categories({kSummary}));
    index.Upsert(ConsentBuilder(id).Categories({kSummary}).Revoked());
    if (i == 1)
      index.Upsert(ConsentBuilder("c0").Categories({kSummary}).Revoked());
  }
  done.store(true);
  for (std::thread& reader : readers) reader.join();

  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(index.size(), static_cast<size_t>(kRounds + 1));
  EXPECT_EQ(index.IdsForPatient(kPractice, kPatient).size(),
            static_cast<size_t>(kRounds + 1));
  EXPECT_EQ(index.Decide(SummaryRequest()).outcome,
            v1::DECISION_OUTCOME_DENIED);
}

}  // namespace
}  // namespace caregate
