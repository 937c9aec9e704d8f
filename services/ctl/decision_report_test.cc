#include "services/ctl/decision_report.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::Disclosure ToUrology() {
  v1::Disclosure d;
  d.set_patient_id("p-1001");
  d.set_recipient_org_id("riverside-urology");
  d.set_recipient_provider_id("dr-haddad");
  d.set_purpose(v1::PURPOSE_REFERRAL);
  return d;
}

v1::SectionDecision* AddSection(v1::Decision& d, v1::Category category,
                                bool covered) {
  v1::SectionDecision* s = d.add_sections();
  s->set_index(d.sections_size() - 1);
  s->set_category(category);
  s->set_covered(covered);
  return s;
}

std::string Report(const v1::Decision& d, bool dry_run) {
  std::ostringstream os;
  PrintDecisionReport(d, ToUrology(), dry_run, os);
  return os.str();
}

TEST(DecisionReportTest, PermittedNamesTheConsents) {
  v1::Decision d;
  d.set_outcome(v1::DECISION_OUTCOME_PERMITTED);
  AddSection(d, v1::CATEGORY_REFERRAL_REASON, true)->set_consent_id("cns-1");
  EXPECT_EQ(Report(d, false),
            "PERMITTED: 1 of 1 sections covered; sent\n"
            "SECTION  CATEGORY         DECISION  CONSENT / REASON\n"
            "1        REFERRAL_REASON  covered   consent cns-1\n");
}

TEST(DecisionReportTest, DeniedSaysWhyAndWhichConsentToAskFor) {
  v1::Decision d;
  d.set_outcome(v1::DECISION_OUTCOME_DENIED);
  AddSection(d, v1::CATEGORY_SEXUAL_HISTORY, false)
      ->add_reasons(v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT);
  AddSection(d, v1::CATEGORY_DIAGNOSIS, false)
      ->add_reasons(v1::DENIAL_REASON_CONSENT_EXPIRED);
  std::string report = Report(d, true);
  EXPECT_THAT(report, HasSubstr("DENIED: 0 of 2 sections covered; nothing "
                                "would be sent\n"));
  EXPECT_THAT(report, HasSubstr("NO_CONSENT_FOR_RECIPIENT: no consent of this "
                                "patient names riverside-urology (provider "
                                "dr-haddad)"));
  EXPECT_THAT(report, HasSubstr("CONSENT_EXPIRED: the consent that would "
                                "cover it has expired"));
  EXPECT_THAT(report, HasSubstr("To send them, ask the patient for a consent "
                                "to riverside-urology (provider dr-haddad) "
                                "for SEXUAL_HISTORY, DIAGNOSIS (purpose "
                                "REFERRAL).\n"));
}

TEST(DecisionReportTest, WithheldIsNotSomethingToAskFor) {
  v1::Decision d;
  d.set_outcome(v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS);
  AddSection(d, v1::CATEGORY_REFERRAL_REASON, true)->set_consent_id("cns-1");
  AddSection(d, v1::CATEGORY_TRAUMA_HISTORY, false)
      ->add_reasons(v1::DENIAL_REASON_CATEGORY_WITHHELD);
  std::string report = Report(d, false);
  EXPECT_THAT(report, HasSubstr("PERMITTED_WITH_REDACTIONS: 1 of 2 sections "
                                "covered; only those were sent"));
  EXPECT_THAT(report, HasSubstr("The patient withheld TRAUMA_HISTORY from "
                                "riverside-urology"));
  EXPECT_THAT(report, Not(HasSubstr("ask the patient")));
}

TEST(DecisionReportTest, EveryReasonHasADescription) {
  for (int r = 1; r <= v1::DenialReason_MAX; ++r) {
    EXPECT_NE(DescribeReason(static_cast<v1::DenialReason>(r), ToUrology()),
              "not covered")
        << r;
  }
  EXPECT_EQ(
      DescribeReason(v1::DENIAL_REASON_PURPOSE_NOT_CONSENTED, ToUrology()),
      "the consents for riverside-urology list it, but not for REFERRAL");
}

}  // namespace
}  // namespace caregate::ctl
