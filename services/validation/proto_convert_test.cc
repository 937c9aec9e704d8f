#include "services/validation/proto_convert.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/validation/consent_validation.h"
#include "services/validation/validation_test_support.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::validation_testing::TestDirectory;
using ::caregate::validation_testing::TestNow;
using ::caregate::validation_testing::ValidConsent;
using ::testing::ElementsAre;

// The consent of ValidConsent() as the consent service would record it.
ConsentRecord RecordedConsent() {
  auto r = ValidateConsentForRecording(ValidConsent(), TestDirectory(),
                                       InputLimits{}, TestNow());
  EXPECT_TRUE(r.ok()) << r.status();
  ConsentRecord record = r.ok() ? *r : ConsentRecord{};
  record.consent_id = "c-7";
  record.practice_org_id = "sunrise-therapy";
  record.recorded_by = "dr-rivera";
  record.recorded_at = TestNow();
  record.request_id = "req-1";
  return record;
}

absl::Time AsTime(const google::protobuf::Timestamp& ts) {
  return *FromProtoTime(ts, "ts");
}

TEST(ConsentToProtoTest, SetsEveryField) {
  const ConsentRecord r = RecordedConsent();
  const v1::Consent p = ConsentToProto(r, TestNow());
  EXPECT_EQ(p.consent_id(), "c-7");
  EXPECT_EQ(p.patient_id(), "p-1001");
  EXPECT_EQ(p.practice_org_id(), "sunrise-therapy");
  EXPECT_EQ(p.grantee().org_id(), "lakeside-obgyn");
  EXPECT_EQ(p.grantee().provider_id(), "dr-okafor");
  EXPECT_EQ(p.grantee().specialty(), v1::SPECIALTY_UNSPECIFIED);
  EXPECT_THAT(p.purposes(), ElementsAre(v1::PURPOSE_TREATMENT_COORDINATION,
                                        v1::PURPOSE_REFERRAL));
  EXPECT_THAT(p.categories(), ElementsAre(v1::CATEGORY_TREATMENT_SUMMARY,
                                          v1::CATEGORY_HOMEWORK_PLAN));
  EXPECT_THAT(p.withheld_categories(),
              ElementsAre(v1::CATEGORY_TRAUMA_HISTORY));
  EXPECT_EQ(AsTime(p.valid_from()), r.valid_from);
  EXPECT_EQ(AsTime(p.expires_at()), r.expires_at);
  EXPECT_EQ(p.status(), v1::CONSENT_STATUS_ACTIVE);
  EXPECT_EQ(p.revision(), 1);
  EXPECT_EQ(p.recorded_by(), "dr-rivera");
  EXPECT_EQ(AsTime(p.recorded_at()), TestNow());
  EXPECT_FALSE(p.has_revoked_at());
  EXPECT_EQ(p.revoked_by(), "");
  EXPECT_EQ(p.revocation_reason(), "");
  const v1::ConsentEvidence& e = p.evidence();
  EXPECT_EQ(e.information_description(), r.evidence.information_description);
  EXPECT_EQ(e.document_sha256(), r.evidence.document_sha256);
  EXPECT_EQ(AsTime(e.signed_at()), r.evidence.signed_at);
  EXPECT_EQ(e.signer_name(), "Jordan Example");
  EXPECT_EQ(e.signer_relationship(), v1::SIGNER_RELATIONSHIP_SELF);
  EXPECT_EQ(e.witness(), "Front desk");
  EXPECT_TRUE(e.states_right_to_revoke());
  EXPECT_TRUE(e.states_treatment_not_conditioned());
  EXPECT_TRUE(e.states_redisclosure_risk());
  EXPECT_EQ(e.capture_method(), v1::CAPTURE_METHOD_PAPER_SCANNED);
}

TEST(ConsentToProtoTest, RoundTripsThroughValidation) {
  const ConsentRecord r = RecordedConsent();
  auto again = ValidateConsentForRecording(
      ConsentToProto(r, TestNow()), TestDirectory(), InputLimits{}, TestNow());
  CG_ASSERT_OK(again);
  EXPECT_EQ(again->patient_id, r.patient_id);
  EXPECT_EQ(again->grantee.org_id, r.grantee.org_id);
  EXPECT_EQ(again->grantee.provider_id, r.grantee.provider_id);
  EXPECT_EQ(again->grantee.specialty, r.grantee.specialty);
  EXPECT_EQ(again->purposes, r.purposes);
  EXPECT_EQ(again->categories, r.categories);
  EXPECT_EQ(again->withheld_categories, r.withheld_categories);
  EXPECT_EQ(again->valid_from, r.valid_from);
  EXPECT_EQ(again->expires_at, r.expires_at);
  const ConsentEvidence& a = again->evidence;
  const ConsentEvidence& b = r.evidence;
  EXPECT_EQ(a.information_description, b.information_description);
  EXPECT_EQ(a.document_sha256, b.document_sha256);
  EXPECT_EQ(a.signed_at, b.signed_at);
  EXPECT_EQ(a.signer_name, b.signer_name);
  EXPECT_EQ(a.signer_relationship, b.signer_relationship);
  EXPECT_EQ(a.representative_authority, b.representative_authority);
  EXPECT_EQ(a.witness, b.witness);
  EXPECT_EQ(a.capture_method, b.capture_method);
}

TEST(ConsentToProtoTest, StatusAtNow) {
  ConsentRecord r = RecordedConsent();
  EXPECT_EQ(ConsentToProto(r, TestNow()).status(), v1::CONSENT_STATUS_ACTIVE);
  // Not valid yet is still ACTIVE.
  EXPECT_EQ(ConsentToProto(r, r.valid_from - absl::Hours(1)).status(),
            v1::CONSENT_STATUS_ACTIVE);
  EXPECT_EQ(ConsentToProto(r, r.expires_at).status(),
            v1::CONSENT_STATUS_EXPIRED);
  r.revision = 2;
  r.revocation = Revocation{TestNow() + absl::Hours(2), "dr-rivera",
                            "patient revoked in writing"};
  const v1::Consent p = ConsentToProto(r, TestNow() + absl::Hours(3));
  EXPECT_EQ(p.status(), v1::CONSENT_STATUS_REVOKED);
  EXPECT_EQ(p.revision(), 2);
  EXPECT_EQ(AsTime(p.revoked_at()), TestNow() + absl::Hours(2));
  EXPECT_EQ(p.revoked_by(), "dr-rivera");
  EXPECT_EQ(p.revocation_reason(), "patient revoked in writing");
  // Revoked wins over expired.
  EXPECT_EQ(ConsentStatusAt(r, r.expires_at + absl::Hours(1)),
            v1::CONSENT_STATUS_REVOKED);
}

TEST(ConsentSummaryOfTest, HasScopeDatesAndGrantee) {
  ConsentRecord r = RecordedConsent();
  r.grantee.specialty = v1::SPECIALTY_OBGYN;
  IndexedConsent indexed;
  indexed.consent_id = r.consent_id;
  indexed.grantee = r.grantee;
  indexed.purposes = r.purposes;
  indexed.categories = r.categories;
  indexed.expires_at = r.expires_at;
  indexed.signed_at = r.evidence.signed_at;
  const v1::ConsentSummary s = ConsentSummaryOf(indexed);
  EXPECT_EQ(s.consent_id(), "c-7");
  EXPECT_EQ(AsTime(s.signed_at()), r.evidence.signed_at);
  EXPECT_EQ(AsTime(s.expires_at()), r.expires_at);
  EXPECT_THAT(s.purposes(), ElementsAre(v1::PURPOSE_TREATMENT_COORDINATION,
                                        v1::PURPOSE_REFERRAL));
  EXPECT_THAT(s.categories(), ElementsAre(v1::CATEGORY_TREATMENT_SUMMARY,
                                          v1::CATEGORY_HOMEWORK_PLAN));
  EXPECT_EQ(s.grantee().org_id(), "lakeside-obgyn");
  EXPECT_EQ(s.grantee().provider_id(), "dr-okafor");
  EXPECT_EQ(s.grantee().specialty(), v1::SPECIALTY_OBGYN);
}

DecisionResult PartlyDenied() {
  DecisionResult d;
  d.outcome = v1::DECISION_OUTCOME_DENIED;
  d.sections = {
      {0, v1::CATEGORY_TREATMENT_SUMMARY, true, "c-7", std::nullopt},
      {1, v1::CATEGORY_SEXUAL_HISTORY, false, "",
       v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT},
      {2, v1::CATEGORY_TRAUMA_HISTORY, false, "",
       v1::DENIAL_REASON_CATEGORY_WITHHELD},
  };
  d.consent_ids = {"c-7"};
  d.explanation = "1 of 3 sections covered";
  return d;
}

TEST(DecisionToProtoTest, ConvertsEverySection) {
  const v1::Decision p = DecisionToProto(PartlyDenied());
  EXPECT_EQ(p.outcome(), v1::DECISION_OUTCOME_DENIED);
  ASSERT_EQ(p.sections_size(), 3);
  EXPECT_EQ(p.sections(0).index(), 0);
  EXPECT_EQ(p.sections(0).category(), v1::CATEGORY_TREATMENT_SUMMARY);
  EXPECT_TRUE(p.sections(0).covered());
  EXPECT_EQ(p.sections(0).consent_id(), "c-7");
  EXPECT_TRUE(p.sections(0).reasons().empty());
  EXPECT_EQ(p.sections(1).index(), 1);
  EXPECT_FALSE(p.sections(1).covered());
  EXPECT_EQ(p.sections(1).consent_id(), "");
  EXPECT_THAT(p.sections(1).reasons(),
              ElementsAre(v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT));
  EXPECT_THAT(p.sections(2).reasons(),
              ElementsAre(v1::DENIAL_REASON_CATEGORY_WITHHELD));
  EXPECT_THAT(p.consent_ids(), ElementsAre("c-7"));
  EXPECT_EQ(p.explanation(), "1 of 3 sections covered");
}

TEST(DenialMessageTest, NamesEachUncoveredSection) {
  EXPECT_EQ(DenialMessage(PartlyDenied()),
            "disclosure denied: section 1 SEXUAL_HISTORY: "
            "NO_CONSENT_FOR_RECIPIENT; section 2 TRAUMA_HISTORY: "
            "CATEGORY_WITHHELD");
}

TEST(DenialMessageTest, WithoutUncoveredSections) {
  DecisionResult d;
  d.sections = {{0, v1::CATEGORY_DIAGNOSIS, true, "c-1", std::nullopt}};
  EXPECT_EQ(DenialMessage(d), "disclosure denied");
}

}  // namespace
}  // namespace caregate
