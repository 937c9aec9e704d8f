#include "services/policy/decision_engine.h"

#include <functional>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/policy/enum_names.h"
#include "services/policy/id_table.h"
#include "services/policy/test_consents.h"

namespace caregate {
namespace {

using ::caregate::testing::ConsentBuilder;
using ::caregate::testing::DefaultRequest;
using ::caregate::testing::kClinic;
using ::caregate::testing::kPatient;
using ::caregate::testing::kPractice;
using ::caregate::testing::kProvider;
using ::caregate::testing::TestNow;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr Category kSummary = v1::CATEGORY_TREATMENT_SUMMARY;
constexpr Category kSexual = v1::CATEGORY_SEXUAL_HISTORY;
constexpr Category kTrauma = v1::CATEGORY_TRAUMA_HISTORY;
constexpr Category kHomework = v1::CATEGORY_HOMEWORK_PLAN;
constexpr Purpose kCoordination = v1::PURPOSE_TREATMENT_COORDINATION;
constexpr Purpose kReferral = v1::PURPOSE_REFERRAL;
constexpr Purpose kCarePlanning = v1::PURPOSE_CARE_PLANNING;

const absl::Time kNow = TestNow();
const absl::Duration kDay = absl::Hours(24);

// The expected verdict of one section: covered by `consent_id`, or not
// covered for `reason`.
struct Want {
  std::string consent_id;
  std::optional<DenialReason> reason;
};
Want Covered(std::string consent_id) { return {std::move(consent_id), {}}; }
Want Denied(DenialReason reason) { return {"", reason}; }

struct Case {
  std::string name;
  std::vector<ConsentRecord> consents = {};
  std::vector<Category> sections = {};
  DecisionOutcome outcome = v1::DECISION_OUTCOME_UNSPECIFIED;
  std::vector<Want> want = {};
  std::vector<std::string> consent_ids = {};
  bool redact = false;
  std::function<void(DecisionRequest&)> adjust = nullptr;
  std::string explanation = {};  // checked when not empty
};

// Names the case in failure messages instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

void ToPrimaryCare(DecisionRequest& r) {
  r.recipient.provider_id = "prov-pcp-1";
  r.recipient.provider_specialty = v1::SPECIALTY_PRIMARY_CARE;
}

std::vector<Case> GranteeCases() {
  return {
      {.name = "OrgOnlyGranteeCoversAnyProvider",
       .consents = {ConsentBuilder("c1").Categories({kSummary})},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_PERMITTED,
       .want = {Covered("c1")},
       .consent_ids = {"c1"},
       .adjust = ToPrimaryCare,
       .explanation = "PERMITTED: 1 of 1 sections covered"},
      {.name = "NoConsentsAtAll",
       .consents = {},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT)},
       .explanation = "DENIED: 0 of 1 sections covered; TREATMENT_SUMMARY: "
                      "NO_CONSENT_FOR_RECIPIENT"},
      {.name = "ConsentForAnotherOrg",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary})
                        .GranteeOrg("org-other")},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT)}},
      {.name = "GranteeProviderMatches",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary})
                        .GranteeProvider(kProvider)},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_PERMITTED,
       .want = {Covered("c1")},
       .consent_ids = {"c1"}},
      {.name = "GranteeProviderMismatch",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary})
                        .GranteeProvider("prov-other")},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT)}},
      {.name = "GranteeSpecialtyMatches",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary})
                        .GranteeSpecialty(
                            v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY)},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_PERMITTED,
       .want = {Covered("c1")},
       .consent_ids = {"c1"}},
      {.name = "GranteeSpecialtyMismatchPrimaryCareRecipient",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary})
                        .GranteeSpecialty(
                            v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY)},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT)},
       .adjust = ToPrimaryCare},
      {.name = "GranteeProviderAndSpecialtyBothMatch",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary})
                        .GranteeProvider(kProvider)
                        .GranteeSpecialty(
                            v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY)},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_PERMITTED,
       .want = {Covered("c1")},
       .consent_ids = {"c1"}},
      {.name = "AnotherPatientsConsentIsIgnored",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary})
                        .Patient(kPractice, "p-2002")},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT)}},
      {.name = "AnotherPracticesConsentIsIgnored",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary})
                        .Patient("org-other-practice", kPatient)},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT)}},
  };
}

std::vector<Case> LadderCases() {
  return {
      {.name = "CategoryNotConsented",
       .consents = {ConsentBuilder("c1").Categories({kSummary})},
       .sections = {kSexual},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CATEGORY_NOT_CONSENTED)},
       .explanation = "DENIED: 0 of 1 sections covered; SEXUAL_HISTORY: "
                      "CATEGORY_NOT_CONSENTED"},
      {.name = "ExpiredConsentStillCountsAsForRecipient",
       .consents =
           {ConsentBuilder("c1").Categories({kSummary}).ExpiresAt(kNow - kDay)},
       .sections = {kSexual},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CATEGORY_NOT_CONSENTED)}},
      {.name = "PurposeNotConsented",
       .consents =
           {ConsentBuilder("c1").Categories({kSummary}).Purposes({kReferral})},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_PURPOSE_NOT_CONSENTED)}},
      {.name = "PurposeNotConsentedBeatsRevoked",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary})
                        .Purposes({kReferral})
                        .Revoked()},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_PURPOSE_NOT_CONSENTED)}},
      {.name = "PurposeMustBeOnTheConsentListingTheCategory",
       .consents =
           {ConsentBuilder("c1").Categories({kSummary}).Purposes({kReferral}),
            ConsentBuilder("c2").Categories({kTrauma})},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_PURPOSE_NOT_CONSENTED)}},
      {.name = "Revoked",
       .consents = {ConsentBuilder("c1").Categories({kSummary}).Revoked()},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CONSENT_REVOKED)},
       .explanation = "DENIED: 0 of 1 sections covered; TREATMENT_SUMMARY: "
                      "CONSENT_REVOKED"},
      {.name = "Expired",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary})
                        .ExpiresAt(kNow - absl::Seconds(1))},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CONSENT_EXPIRED)}},
      {.name = "ExpiresExactlyNowIsExpired",
       .consents =
           {ConsentBuilder("c1").Categories({kSummary}).ExpiresAt(kNow)},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CONSENT_EXPIRED)}},
      {.name = "ExpiresJustAfterNowIsInEffect",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary})
                        .ExpiresAt(kNow + absl::Nanoseconds(1))},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_PERMITTED,
       .want = {Covered("c1")},
       .consent_ids = {"c1"}},
      {.name = "NotYetValid",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary})
                        .ValidFrom(kNow + absl::Seconds(1))},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CONSENT_NOT_YET_VALID)}},
      {.name = "ValidFromExactlyNowIsInEffect",
       .consents =
           {ConsentBuilder("c1").Categories({kSummary}).ValidFrom(kNow)},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_PERMITTED,
       .want = {Covered("c1")},
       .consent_ids = {"c1"}},
      {.name = "RevokedBeatsExpiredOnOneConsent",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary})
                        .ExpiresAt(kNow - kDay)
                        .Revoked(kNow - 2 * kDay)},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CONSENT_REVOKED)}},
      {.name = "RevokedBeatsExpiredAcrossConsents",
       .consents =
           {ConsentBuilder("c1").Categories({kSummary}).ExpiresAt(kNow - kDay),
            ConsentBuilder("c2").Categories({kSummary}).Revoked()},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CONSENT_REVOKED)}},
      {.name = "ExpiredBeatsNotYetValid",
       .consents =
           {ConsentBuilder("c1").Categories({kSummary}).ValidFrom(kNow + kDay),
            ConsentBuilder("c2").Categories({kSummary}).ExpiresAt(kNow - kDay)},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CONSENT_EXPIRED)}},
      {.name = "RevokedForOtherPurposeDoesNotCount",
       .consents =
           {ConsentBuilder("c1")
                .Categories({kSummary})
                .Purposes({kReferral})
                .Revoked(),
            ConsentBuilder("c2").Categories({kSummary}).ValidFrom(kNow + kDay)},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CONSENT_NOT_YET_VALID)}},
  };
}

std::vector<Case> WithheldCases() {
  return {
      {.name = "WithheldBeatsPermitFromAnotherConsent",
       .consents =
           {ConsentBuilder("c1").Categories({kSummary, kTrauma}),
            ConsentBuilder("c2").Categories({kSummary}).Withheld({kTrauma})},
       .sections = {kSummary, kTrauma},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Covered("c1"), Denied(v1::DENIAL_REASON_CATEGORY_WITHHELD)},
       .explanation = "DENIED: 1 of 2 sections covered; TRAUMA_HISTORY: "
                      "CATEGORY_WITHHELD"},
      {.name = "WithheldWithoutAnyPermit",
       .consents =
           {ConsentBuilder("c1").Categories({kSummary}).Withheld({kTrauma})},
       .sections = {kTrauma},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CATEGORY_WITHHELD)}},
      {.name = "WithheldAppliesForEveryPurpose",
       .consents = {ConsentBuilder("c1").Categories({kTrauma}).Purposes(
                        {kCoordination}),
                    ConsentBuilder("c2")
                        .Categories({kSummary})
                        .Purposes({kReferral})
                        .Withheld({kTrauma})},
       .sections = {kTrauma},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CATEGORY_WITHHELD)}},
      {.name = "WithheldInExpiredConsentDoesNotWithhold",
       .consents = {ConsentBuilder("c1").Categories({kTrauma}),
                    ConsentBuilder("c2")
                        .Categories({kSummary})
                        .Withheld({kTrauma})
                        .ExpiresAt(kNow - kDay)},
       .sections = {kTrauma},
       .outcome = v1::DECISION_OUTCOME_PERMITTED,
       .want = {Covered("c1")},
       .consent_ids = {"c1"}},
      {.name = "WithheldInRevokedConsentDoesNotWithhold",
       .consents = {ConsentBuilder("c1").Categories({kTrauma}),
                    ConsentBuilder("c2")
                        .Categories({kSummary})
                        .Withheld({kTrauma})
                        .Revoked()},
       .sections = {kTrauma},
       .outcome = v1::DECISION_OUTCOME_PERMITTED,
       .want = {Covered("c1")},
       .consent_ids = {"c1"}},
      {.name = "WithheldForAnotherRecipientDoesNotWithhold",
       .consents = {ConsentBuilder("c1").Categories({kTrauma}),
                    ConsentBuilder("c2")
                        .Categories({kSummary})
                        .Withheld({kTrauma})
                        .GranteeProvider("prov-other")},
       .sections = {kTrauma},
       .outcome = v1::DECISION_OUTCOME_PERMITTED,
       .want = {Covered("c1")},
       .consent_ids = {"c1"}},
      {.name = "WithheldSectionIsRedacted",
       .consents = {ConsentBuilder("c1")
                        .Categories({kSummary, kTrauma})
                        .Withheld({kSexual})},
       .sections = {kSexual, kSummary},
       .outcome = v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS,
       .want = {Denied(v1::DENIAL_REASON_CATEGORY_WITHHELD), Covered("c1")},
       .consent_ids = {"c1"},
       .redact = true},
  };
}

std::vector<Case> OutcomeCases() {
  return {
      {.name = "TwoConsentsCoverDifferentSections",
       .consents = {ConsentBuilder("c1").Categories({kSummary}),
                    ConsentBuilder("c2").Categories({kHomework})},
       .sections = {kHomework, kSummary, kHomework},
       .outcome = v1::DECISION_OUTCOME_PERMITTED,
       .want = {Covered("c2"), Covered("c1"), Covered("c2")},
       .consent_ids = {"c2", "c1"},
       .explanation = "PERMITTED: 3 of 3 sections covered"},
      {.name = "FirstMatchingConsentInOrderIsNamed",
       .consents = {ConsentBuilder("c1").Categories({kSummary}).Revoked(),
                    ConsentBuilder("c2").Categories({kSummary}),
                    ConsentBuilder("c3").Categories({kSummary})},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_PERMITTED,
       .want = {Covered("c2")},
       .consent_ids = {"c2"}},
      {.name = "MatchingNeedsPurposeOnTheSameConsent",
       .consents =
           {ConsentBuilder("c1").Categories({kSummary}).Purposes({kReferral}),
            ConsentBuilder("c2")
                .Categories({kSummary})
                .Purposes({kCarePlanning, kCoordination})},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_PERMITTED,
       .want = {Covered("c2")},
       .consent_ids = {"c2"}},
      {.name = "PartialWithoutRedactionIsDenied",
       .consents = {ConsentBuilder("c1").Categories({kSummary})},
       .sections = {kSummary, kSexual},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Covered("c1"),
                Denied(v1::DENIAL_REASON_CATEGORY_NOT_CONSENTED)},
       .consent_ids = {}},
      {.name = "PartialWithRedactionIsPermittedWithRedactions",
       .consents = {ConsentBuilder("c1").Categories({kSummary}),
                    ConsentBuilder("c2")
                        .Categories({kHomework})
                        .GranteeOrg("org-other")},
       .sections = {kSummary, kHomework},
       .outcome = v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS,
       .want = {Covered("c1"),
                Denied(v1::DENIAL_REASON_CATEGORY_NOT_CONSENTED)},
       .consent_ids = {"c1"},
       .redact = true,
       .explanation = "PERMITTED_WITH_REDACTIONS: 1 of 2 sections covered; "
                      "HOMEWORK_PLAN: CATEGORY_NOT_CONSENTED"},
      {.name = "NothingCoveredWithRedactionIsDenied",
       .consents = {ConsentBuilder("c1").Categories({kSummary}).Revoked()},
       .sections = {kSummary, kSexual},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CONSENT_REVOKED),
                Denied(v1::DENIAL_REASON_CATEGORY_NOT_CONSENTED)},
       .redact = true},
      {.name = "ZeroSectionsIsDenied",
       .consents = {ConsentBuilder("c1").Categories({kSummary})},
       .sections = {},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {},
       .explanation = "DENIED: no sections"},
      {.name = "ZeroSectionsWithRedactionIsDenied",
       .consents = {ConsentBuilder("c1").Categories({kSummary})},
       .sections = {},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {},
       .redact = true},
      {.name = "UnspecifiedCategoryIsNeverCovered",
       .consents = {ConsentBuilder("c1").Categories({kSummary})},
       .sections = {v1::CATEGORY_UNSPECIFIED},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CATEGORY_NOT_CONSENTED)}},
      {.name = "UnspecifiedPurposeIsNeverConsented",
       .consents = {ConsentBuilder("c1").Categories({kSummary})},
       .sections = {kSummary},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_PURPOSE_NOT_CONSENTED)},
       .adjust =
           [](DecisionRequest& r) { r.purpose = v1::PURPOSE_UNSPECIFIED; }},
      {.name = "ExplanationListsEveryUncoveredSection",
       .consents = {ConsentBuilder("c1").Categories({kSummary})},
       .sections = {kSexual, kSummary, kTrauma},
       .outcome = v1::DECISION_OUTCOME_DENIED,
       .want = {Denied(v1::DENIAL_REASON_CATEGORY_NOT_CONSENTED), Covered("c1"),
                Denied(v1::DENIAL_REASON_CATEGORY_NOT_CONSENTED)},
       .explanation =
           "DENIED: 1 of 3 sections covered; SEXUAL_HISTORY: "
           "CATEGORY_NOT_CONSENTED; TRAUMA_HISTORY: CATEGORY_NOT_CONSENTED"},
  };
}

std::vector<Case> AllCases() {
  std::vector<Case> all;
  for (auto* group : {GranteeCases, LadderCases, WithheldCases, OutcomeCases}) {
    for (Case& c : group()) all.push_back(std::move(c));
  }
  return all;
}

DecisionResult RunCase(const Case& c) {
  DecisionRequest request = DefaultRequest();
  request.section_categories = c.sections;
  request.redact_uncovered = c.redact;
  if (c.adjust) c.adjust(request);
  std::vector<const ConsentRecord*> pointers;
  for (const ConsentRecord& consent : c.consents) pointers.push_back(&consent);
  return Decide(request, pointers);
}

class DecideTest : public ::testing::TestWithParam<Case> {};

TEST_P(DecideTest, MatchesExpectation) {
  const Case& c = GetParam();
  const DecisionResult result = RunCase(c);

  EXPECT_EQ(result.outcome, c.outcome)
      << ShortName(result.outcome) << " " << result.explanation;
  ASSERT_EQ(result.sections.size(), c.want.size());
  for (size_t i = 0; i < c.want.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "section " << i);
    const SectionVerdict& got = result.sections[i];
    EXPECT_EQ(got.index, static_cast<int>(i));
    EXPECT_EQ(got.category, c.sections[i]);
    EXPECT_EQ(got.covered, !c.want[i].reason.has_value());
    EXPECT_EQ(got.consent_id, c.want[i].consent_id);
    EXPECT_EQ(got.reason, c.want[i].reason)
        << (got.reason ? ShortName(*got.reason) : "none");
  }
  EXPECT_EQ(result.consent_ids, c.consent_ids);
  if (!c.explanation.empty()) {
    EXPECT_EQ(result.explanation, c.explanation);
  }
  EXPECT_THAT(result.explanation,
              ::testing::StartsWith(std::string(ShortName(c.outcome)) + ":"));
}

INSTANTIATE_TEST_SUITE_P(DecisionRules, DecideTest,
                         ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

// The table exercises every denial reason the ladder can give.
TEST(DecideTableTest, CoversEveryDenialReason) {
  std::set<int> seen;
  for (const Case& c : AllCases()) {
    for (const SectionVerdict& s : RunCase(c).sections) {
      if (s.reason) seen.insert(*s.reason);
    }
  }
  std::set<int> all;
  for (int r = v1::DenialReason_MIN; r <= v1::DenialReason_MAX; ++r) {
    if (r != v1::DENIAL_REASON_UNSPECIFIED && v1::DenialReason_IsValid(r)) {
      all.insert(r);
    }
  }
  EXPECT_EQ(seen, all);
}

TEST(DecideEdgeTest, NullAndForeignConsentPointersAreIgnored) {
  const ConsentRecord other_patient =
      ConsentBuilder("c-x").Categories({kSummary}).Patient(kPractice, "p-9");
  const ConsentRecord mine = ConsentBuilder("c-1").Categories({kSummary});
  const ConsentRecord* consents[] = {nullptr, &other_patient, &mine};
  DecisionRequest request = DefaultRequest();
  request.section_categories = {kSummary};

  const DecisionResult result = Decide(request, consents);

  EXPECT_EQ(result.outcome, v1::DECISION_OUTCOME_PERMITTED);
  EXPECT_THAT(result.consent_ids, ElementsAre("c-1"));
}

TEST(DecideEdgeTest, EmptySpanDeniesEverySection) {
  DecisionRequest request = DefaultRequest();
  request.section_categories = {kSummary, kTrauma};
  request.redact_uncovered = true;

  const DecisionResult result = Decide(request, {});

  EXPECT_EQ(result.outcome, v1::DECISION_OUTCOME_DENIED);
  EXPECT_THAT(result.consent_ids, IsEmpty());
  EXPECT_EQ(result.explanation,
            "DENIED: 0 of 2 sections covered; TREATMENT_SUMMARY: "
            "NO_CONSENT_FOR_RECIPIENT; TRAUMA_HISTORY: "
            "NO_CONSENT_FOR_RECIPIENT");
}

// Grantee ids as the index interns them: a named provider must match, an
// unnamed one covers any; an unknown recipient id matches nothing.
TEST(GranteeCoversTest, RequiresSameOrgProviderAndSpecialty) {
  IdTable ids;
  const Recipient pt{kClinic, kProvider,
                     v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY};
  auto covers = [&](const Grantee& grantee, const Recipient& recipient) {
    ConsentRecord record = ConsentBuilder("c1");
    record.grantee = grantee;
    const ConsentTerms terms = TermsOf(record, 0, record.consent_id, ids);
    return GranteeCovers(terms, RecipientIdsOf(recipient, ids));
  };
  EXPECT_TRUE(covers({kClinic, "", v1::SPECIALTY_UNSPECIFIED}, pt));
  EXPECT_TRUE(covers({kClinic, kProvider, v1::SPECIALTY_UNSPECIFIED}, pt));
  EXPECT_TRUE(
      covers({kClinic, "", v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY}, pt));
  EXPECT_FALSE(covers({"org-other", "", v1::SPECIALTY_UNSPECIFIED}, pt));
  EXPECT_FALSE(covers({kClinic, "prov-2", v1::SPECIALTY_UNSPECIFIED}, pt));
  EXPECT_FALSE(covers({kClinic, "", v1::SPECIALTY_UROLOGY}, pt));
  EXPECT_FALSE(covers({kClinic, kProvider, v1::SPECIALTY_UROLOGY}, pt));
  // A recipient without a provider is not a named provider's.
  EXPECT_FALSE(covers({kClinic, kProvider, v1::SPECIALTY_UNSPECIFIED},
                      Recipient{kClinic, "", v1::SPECIALTY_UNSPECIFIED}));
  EXPECT_FALSE(covers(
      {kClinic, "", v1::SPECIALTY_UNSPECIFIED},
      Recipient{"org-never-interned", kProvider, v1::SPECIALTY_UNSPECIFIED}));
}

}  // namespace
}  // namespace caregate
