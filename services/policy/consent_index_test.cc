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

std::vector<std::string> IdsOf(const std::vector<ConsentRecord>& consents) {
  std::vector<std::string> ids;
  for (const ConsentRecord& c : consents) ids.push_back(c.consent_id);
  return ids;
}

DecisionRequest SummaryRequest() {
  DecisionRequest request = DefaultRequest();
  request.section_categories = {kSummary};
  return request;
}

TEST(ConsentIndexTest, EmptyIndex) {
  ConsentIndex index;
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.Find("c1"), std::nullopt);
  EXPECT_THAT(index.ListForPatient(kPractice, kPatient), IsEmpty());
  const DecisionResult result = index.Decide(SummaryRequest());
  EXPECT_EQ(result.outcome, v1::DECISION_OUTCOME_DENIED);
  ASSERT_EQ(result.sections.size(), 1u);
  EXPECT_EQ(result.sections[0].reason,
            v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT);
}

TEST(ConsentIndexTest, FindReturnsACopyOfTheRecord) {
  ConsentIndex index;
  index.Upsert(ConsentBuilder("c1").Categories({kSummary}));

  const std::optional<ConsentRecord> found = index.Find("c1");

  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->consent_id, "c1");
  EXPECT_EQ(found->patient_id, kPatient);
  EXPECT_TRUE(found->categories.Contains(kSummary));
  EXPECT_EQ(index.Find("c2"), std::nullopt);
  EXPECT_EQ(index.size(), 1u);
}

TEST(ConsentIndexTest, ListForPatientKeepsRecordingOrder) {
  ConsentIndex index;
  index.Upsert(ConsentBuilder("c3").Categories({kSummary}));
  index.Upsert(ConsentBuilder("x1").Patient(kPractice, "p-other"));
  index.Upsert(ConsentBuilder("c1").Categories({kSummary}));
  index.Upsert(ConsentBuilder("c2").Categories({kSummary}));

  EXPECT_THAT(IdsOf(index.ListForPatient(kPractice, kPatient)),
              ElementsAre("c3", "c1", "c2"));
  EXPECT_THAT(IdsOf(index.ListForPatient(kPractice, "p-other")),
              ElementsAre("x1"));
  EXPECT_EQ(index.size(), 4u);
}

TEST(ConsentIndexTest, PagesCopyOnlyThePageAndSkipInactiveOnRequest) {
  ConsentIndex index;
  const absl::Time now = testing::TestNow();
  index.Upsert(ConsentBuilder("c1").Categories({kSummary}));
  index.Upsert(ConsentBuilder("c2").Categories({kSummary}).Revoked());
  index.Upsert(ConsentBuilder("c3").Categories({kSummary}));
  index.Upsert(ConsentBuilder("c4")
                   .Categories({kSummary})
                   .ExpiresAt(now - absl::Hours(1)));
  index.Upsert(ConsentBuilder("c5").Categories({kSummary}));
  index.Upsert(ConsentBuilder("x1").Patient(kPractice, "p-other"));
  EXPECT_EQ(index.CountForPatient(kPractice, kPatient), 5u);
  EXPECT_EQ(index.CountForPatient(kPractice, "p-nobody"), 0u);

  ConsentIndex::Page page =
      index.ListPageForPatient(kPractice, kPatient, false, now, 0, 2);
  EXPECT_THAT(IdsOf(page.consents), ElementsAre("c1", "c3"));
  EXPECT_EQ(page.next_offset, 2);
  page = index.ListPageForPatient(kPractice, kPatient, false, now, 2, 2);
  EXPECT_THAT(IdsOf(page.consents), ElementsAre("c5"));
  EXPECT_EQ(page.next_offset, -1);

  page = index.ListPageForPatient(kPractice, kPatient, true, now, 1, 3);
  EXPECT_THAT(IdsOf(page.consents), ElementsAre("c2", "c3", "c4"));
  EXPECT_EQ(page.next_offset, 4);
  page = index.ListPageForPatient(kPractice, "p-nobody", true, now, 0, 3);
  EXPECT_THAT(page.consents, IsEmpty());
  EXPECT_EQ(page.next_offset, -1);
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
  EXPECT_THAT(IdsOf(index.ListForPatient(kPractice, kPatient)),
              ElementsAre("c1", "c2", "c3"));
  const std::optional<ConsentRecord> found = index.Find("c2");
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->revoked());
  EXPECT_EQ(found->revision, 2);
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
  EXPECT_THAT(IdsOf(index.ListForPatient(kPractice, kPatient)),
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
  const std::optional<ConsentRecord> found = index.Find("c1");
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->revoked());
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

  EXPECT_THAT(IdsOf(index.ListForPatient(kPractice, kPatient)),
              ElementsAre("a1"));
  EXPECT_THAT(IdsOf(index.ListForPatient("org-practice-b", kPatient)),
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

  EXPECT_THAT(IdsOf(index.ListForPatient("org-a", "b-p")), ElementsAre("c1"));
  EXPECT_THAT(IdsOf(index.ListForPatient("org-ab", "-p")), ElementsAre("c2"));
}

TEST(ConsentIndexTest, ReplacementWithAnotherPatientMovesTheConsent) {
  ConsentIndex index;
  index.Upsert(ConsentBuilder("c1").Categories({kSummary}));
  index.Upsert(ConsentBuilder("c1").Patient(kPractice, "p-2"));

  EXPECT_THAT(index.ListForPatient(kPractice, kPatient), IsEmpty());
  EXPECT_THAT(IdsOf(index.ListForPatient(kPractice, "p-2")), ElementsAre("c1"));
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
        const std::vector<ConsentRecord> all =
            index.ListForPatient(kPractice, kPatient);
        if (all.empty() || all.front().consent_id != "c0") bad.fetch_add(1);
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
  EXPECT_EQ(index.ListForPatient(kPractice, kPatient).size(),
            static_cast<size_t>(kRounds + 1));
  EXPECT_EQ(index.Decide(SummaryRequest()).outcome,
            v1::DECISION_OUTCOME_DENIED);
}

}  // namespace
}  // namespace caregate
