// The journeys of the product, end to end over mTLS against a real SQLite
// file: consent → decision → durable delivery → acknowledgement → audit.
#include <sqlite3.h>

#include <set>
#include <string>

#include "google/rpc/status.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/crypto/ed25519.h"
#include "services/delivery/message_signature.h"
#include "tests/integration/clinic_fixtures.h"

namespace caregate {
namespace {

using ::caregate::testing::Client;
using ::caregate::testing::ConsentFor;
using ::caregate::testing::Ctx;
using ::caregate::testing::GatewayHarness;
using ::caregate::testing::NoteTo;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPatient[] = "p-1001";

class JourneyTest : public ::testing::Test {
 protected:
  JourneyTest()
      : therapist_(gateway_, "dr-rivera"),
        pt_clinic_(gateway_, "core-pelvic-pt-inbox"),
        compliance_(gateway_, "compliance-officer") {}

  absl::Time Now() { return gateway_.clock().Now(); }

  // A consent for the pelvic floor PT clinic: homework adherence and trauma
  // history, for treatment coordination.
  v1::Consent RecordPtConsent() {
    v1::Consent c = ConsentFor(kPatient, "core-pelvic-pt",
                               {v1::CATEGORY_HOMEWORK_ADHERENCE,
                                v1::CATEGORY_TRAUMA_HISTORY},
                               Now());
    c.mutable_grantee()->set_specialty(
        v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY);
    v1::Consent recorded = therapist_.Record(c);
    EXPECT_TRUE(therapist_.last_status.ok())
        << therapist_.last_status.error_message();
    return recorded;
  }

  v1::Disclosure PtNote(std::vector<v1::Category> categories) {
    return NoteTo(kPatient, "core-pelvic-pt", "pt-lindqvist",
                  std::move(categories));
  }

  // The Decision attached to a denied send.
  v1::Decision DeniedDecision(const Client& client) {
    google::rpc::Status details;
    EXPECT_TRUE(details.ParseFromString(client.last_details));
    v1::Decision decision;
    EXPECT_EQ(details.details_size(), 1);
    if (details.details_size() == 1) {
      EXPECT_TRUE(details.details(0).UnpackTo(&decision));
    }
    return decision;
  }

  GatewayHarness gateway_;
  Client therapist_;
  Client pt_clinic_;
  Client compliance_;
};

TEST_F(JourneyTest, ConsentSendStreamVerifyAcknowledgeAudit) {
  const v1::Consent consent = RecordPtConsent();
  EXPECT_EQ(consent.status(), v1::CONSENT_STATUS_ACTIVE);
  EXPECT_EQ(consent.practice_org_id(), "sunrise-therapy");
  EXPECT_EQ(consent.recorded_by(), "dr-rivera");

  // The clinic is already listening when the note is sent.
  auto stream_ctx = Ctx(20);
  auto stream = pt_clinic_.inbox->StreamMessages(stream_ctx.get(),
                                                 v1::StreamMessagesRequest());

  const auto sent = therapist_.Send(PtNote({v1::CATEGORY_HOMEWORK_ADHERENCE}),
                                    "req-journey-1");
  ASSERT_TRUE(therapist_.last_status.ok())
      << therapist_.last_status.error_message();
  const v1::Receipt& receipt = sent.receipt();
  EXPECT_EQ(receipt.decision().outcome(), v1::DECISION_OUTCOME_PERMITTED);
  EXPECT_THAT(receipt.decision().consent_ids(),
              ElementsAre(consent.consent_id()));
  EXPECT_EQ(receipt.delivery_state(), v1::DELIVERY_STATE_QUEUED);
  EXPECT_GT(receipt.audit_seq(), 0);

  v1::Message message;
  ASSERT_TRUE(stream->Read(&message));
  stream_ctx->TryCancel();
  EXPECT_EQ(message.disclosure_id(), receipt.disclosure_id());
  EXPECT_EQ(message.patient_id(), kPatient);
  EXPECT_EQ(message.sender_principal_id(), "dr-rivera");
  ASSERT_EQ(message.sections_size(), 1);
  EXPECT_EQ(message.sections(0).body(),
            "Section text for CATEGORY_HOMEWORK_ADHERENCE");
  ASSERT_EQ(message.consent_summaries_size(), 1);
  EXPECT_EQ(message.consent_summaries(0).consent_id(), consent.consent_id());
  EXPECT_EQ(message.redisclosure_notice(),
            gateway_.config().redisclosure_notice());
  EXPECT_EQ(message.content_sha256(), receipt.content_sha256());

  // The clinic verifies the signature with the published key.
  auto verifier = Ed25519Verifier::FromPem(
      gateway_.ReadFile("keys/audit-signing.pub.pem"));
  ASSERT_TRUE(verifier.ok());
  EXPECT_TRUE(VerifyMessage(**verifier, message));

  ASSERT_TRUE(pt_clinic_.Acknowledge(message.message_id()).ok());
  const v1::DisclosureRecord record =
      therapist_.GetDisclosure(receipt.disclosure_id());
  ASSERT_TRUE(therapist_.last_status.ok());
  EXPECT_EQ(record.receipt().delivery_state(),
            v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_EQ(record.message_id(), message.message_id());

  // Compliance: the log verifies and the accounting lists the disclosure.
  const v1::VerifyAuditLogResponse verified = compliance_.Verify();
  ASSERT_TRUE(compliance_.last_status.ok());
  EXPECT_TRUE(verified.ok()) << verified.problem();
  EXPECT_GE(verified.verified_through_seq(), 3);

  v1::GetAccountingOfDisclosuresRequest accounting_request;
  accounting_request.set_practice_org_id("sunrise-therapy");
  accounting_request.set_patient_id(kPatient);
  v1::GetAccountingOfDisclosuresResponse accounting;
  ASSERT_TRUE(compliance_.audit
                  ->GetAccountingOfDisclosures(Ctx().get(), accounting_request,
                                               &accounting)
                  .ok());
  ASSERT_EQ(accounting.entries_size(), 1);
  const v1::AccountingEntry& entry = accounting.entries(0);
  EXPECT_EQ(entry.disclosure_id(), receipt.disclosure_id());
  EXPECT_EQ(entry.recipient_org_id(), "core-pelvic-pt");
  EXPECT_FALSE(entry.recipient_name().empty());
  EXPECT_FALSE(entry.recipient_address().empty());
  EXPECT_EQ(entry.purpose(), v1::PURPOSE_TREATMENT_COORDINATION);
  EXPECT_THAT(entry.categories(), ElementsAre(v1::CATEGORY_HOMEWORK_ADHERENCE));

  EXPECT_EQ(compliance_.Events(v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED).size(), 1u);
  EXPECT_FALSE(compliance_.Events(v1::AUDIT_ACTION_AUDIT_ACCESSED).empty());
}

TEST_F(JourneyTest, UncoveredCategoryIsDeniedWithReasonAndAudited) {
  RecordPtConsent();
  therapist_.Send(NoteTo(kPatient, "riverside-urology", "dr-haddad",
                         {v1::CATEGORY_SEXUAL_HISTORY}),
                  "req-urology-1");
  EXPECT_EQ(therapist_.last_status.error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(therapist_.last_status.error_message(),
              HasSubstr("SEXUAL_HISTORY"));
  EXPECT_THAT(therapist_.last_status.error_message(),
              HasSubstr("NO_CONSENT_FOR_RECIPIENT"));
  const v1::Decision decision = DeniedDecision(therapist_);
  EXPECT_EQ(decision.outcome(), v1::DECISION_OUTCOME_DENIED);
  ASSERT_EQ(decision.sections_size(), 1);
  EXPECT_THAT(decision.sections(0).reasons(),
              ElementsAre(v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT));

  const auto denied = compliance_.Events(v1::AUDIT_ACTION_DISCLOSURE_DENIED);
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0].recipient_org_id(), "riverside-urology");
  EXPECT_EQ(denied[0].content_sha256().size(), 64u);
  EXPECT_EQ(denied[0].outcome(), v1::DECISION_OUTCOME_DENIED);
  Client urology(gateway_, "riverside-urology-inbox");
  EXPECT_TRUE(urology.Inbox().empty());
}

TEST_F(JourneyTest, RedactionSendsOnlyCoveredSections) {
  RecordPtConsent();
  v1::Disclosure note = PtNote(
      {v1::CATEGORY_HOMEWORK_ADHERENCE, v1::CATEGORY_SEXUAL_HISTORY});
  note.set_redact_uncovered(true);
  const auto sent = therapist_.Send(note, "req-redact-1");
  ASSERT_TRUE(therapist_.last_status.ok());
  EXPECT_EQ(sent.receipt().decision().outcome(),
            v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS);
  const auto inbox = pt_clinic_.Inbox();
  ASSERT_EQ(inbox.size(), 1u);
  ASSERT_EQ(inbox[0].sections_size(), 1);
  EXPECT_EQ(inbox[0].sections(0).category(), v1::CATEGORY_HOMEWORK_ADHERENCE);
  EXPECT_EQ(compliance_.Events(v1::AUDIT_ACTION_DISCLOSURE_REDACTED).size(), 1u);
}

TEST_F(JourneyTest, WithheldCategoryBeatsAnotherConsentsPermit) {
  RecordPtConsent();  // grants TRAUMA_HISTORY
  v1::Consent refusal = ConsentFor(kPatient, "core-pelvic-pt",
                                   {v1::CATEGORY_HOMEWORK_PLAN}, Now());
  refusal.add_withheld_categories(v1::CATEGORY_TRAUMA_HISTORY);
  therapist_.Record(refusal);
  ASSERT_TRUE(therapist_.last_status.ok());
  therapist_.Send(PtNote({v1::CATEGORY_TRAUMA_HISTORY}), "req-withheld-1");
  EXPECT_EQ(therapist_.last_status.error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(therapist_.last_status.error_message(),
              HasSubstr("CATEGORY_WITHHELD"));
}

TEST_F(JourneyTest, SpecialtyMismatchIsNoConsentForRecipient) {
  v1::Consent c = ConsentFor(kPatient, "northside-psychiatry",
                             {v1::CATEGORY_MEDICATIONS}, Now());
  c.mutable_grantee()->set_specialty(v1::SPECIALTY_PSYCHIATRY);
  therapist_.Record(c);
  ASSERT_TRUE(therapist_.last_status.ok());
  // np-ward is PRIMARY_CARE at the same organization.
  therapist_.Send(NoteTo(kPatient, "northside-psychiatry", "np-ward",
                         {v1::CATEGORY_MEDICATIONS}),
                  "req-specialty-1");
  EXPECT_THAT(therapist_.last_status.error_message(),
              HasSubstr("NO_CONSENT_FOR_RECIPIENT"));
  therapist_.Send(NoteTo(kPatient, "northside-psychiatry", "dr-chen",
                         {v1::CATEGORY_MEDICATIONS}),
                  "req-specialty-2");
  EXPECT_TRUE(therapist_.last_status.ok());
}

TEST_F(JourneyTest, PurposeMismatchIsDenied) {
  RecordPtConsent();
  v1::Disclosure note = PtNote({v1::CATEGORY_HOMEWORK_ADHERENCE});
  note.set_purpose(v1::PURPOSE_REFERRAL);
  therapist_.Send(note, "req-purpose-1");
  EXPECT_THAT(therapist_.last_status.error_message(),
              HasSubstr("PURPOSE_NOT_CONSENTED"));
}

TEST_F(JourneyTest, ExpiredConsentIsDenied) {
  v1::Consent c = ConsentFor(kPatient, "core-pelvic-pt",
                             {v1::CATEGORY_HOMEWORK_ADHERENCE}, Now());
  *c.mutable_expires_at() = ToProtoTime(Now() + absl::Hours(1));
  therapist_.Record(c);
  ASSERT_TRUE(therapist_.last_status.ok());
  gateway_.clock().Advance(absl::Hours(2));
  therapist_.Send(PtNote({v1::CATEGORY_HOMEWORK_ADHERENCE}), "req-expired-1");
  EXPECT_THAT(therapist_.last_status.error_message(),
              HasSubstr("CONSENT_EXPIRED"));
}

TEST_F(JourneyTest, RevocationWithholdsQueuedMessages) {
  const v1::Consent consent = RecordPtConsent();
  const auto sent =
      therapist_.Send(PtNote({v1::CATEGORY_HOMEWORK_ADHERENCE}), "req-rev-1");
  ASSERT_TRUE(therapist_.last_status.ok());
  ASSERT_EQ(pt_clinic_.Inbox().size(), 1u);

  v1::RevokeConsentRequest revoke;
  revoke.set_consent_id(consent.consent_id());
  revoke.set_reason("patient revoked in writing");
  v1::Consent revoked;
  ASSERT_TRUE(
      therapist_.consents->RevokeConsent(Ctx().get(), revoke, &revoked).ok());
  EXPECT_EQ(revoked.status(), v1::CONSENT_STATUS_REVOKED);
  EXPECT_EQ(revoked.revoked_by(), "dr-rivera");

  EXPECT_TRUE(pt_clinic_.Inbox().empty());
  EXPECT_EQ(therapist_.GetDisclosure(sent.receipt().disclosure_id())
                .receipt()
                .delivery_state(),
            v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION);
  EXPECT_EQ(compliance_.Events(v1::AUDIT_ACTION_MESSAGE_WITHHELD).size(), 1u);

  therapist_.Send(PtNote({v1::CATEGORY_HOMEWORK_ADHERENCE}), "req-rev-2");
  EXPECT_THAT(therapist_.last_status.error_message(),
              HasSubstr("CONSENT_REVOKED"));
}

TEST_F(JourneyTest, SameRequestIdReturnsTheFirstReceipt) {
  RecordPtConsent();
  const auto first =
      therapist_.Send(PtNote({v1::CATEGORY_HOMEWORK_ADHERENCE}), "req-once");
  ASSERT_TRUE(therapist_.last_status.ok());
  const auto second =
      therapist_.Send(PtNote({v1::CATEGORY_HOMEWORK_ADHERENCE}), "req-once");
  ASSERT_TRUE(therapist_.last_status.ok());
  EXPECT_EQ(first.receipt().disclosure_id(), second.receipt().disclosure_id());
  EXPECT_EQ(first.receipt().audit_seq(), second.receipt().audit_seq());
  EXPECT_EQ(pt_clinic_.Inbox().size(), 1u);
  EXPECT_EQ(compliance_.Events(v1::AUDIT_ACTION_DISCLOSURE_PERMITTED).size(),
            1u);
}

TEST_F(JourneyTest, OtherClinicSeesNothing) {
  RecordPtConsent();
  therapist_.Send(PtNote({v1::CATEGORY_HOMEWORK_ADHERENCE}), "req-other-1");
  ASSERT_TRUE(therapist_.last_status.ok());
  const std::string message_id = pt_clinic_.Inbox().at(0).message_id();

  Client obgyn(gateway_, "lakeside-obgyn-inbox");
  EXPECT_TRUE(obgyn.Inbox(/*include_acknowledged=*/true).empty());
  const grpc::Status ack = obgyn.Acknowledge(message_id);
  EXPECT_EQ(ack.error_code(), grpc::StatusCode::NOT_FOUND);
  const grpc::Status unknown = obgyn.Acknowledge("msg-does-not-exist");
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(compliance_.Events(v1::AUDIT_ACTION_ACCESS_DENIED),
              ::testing::Contains(::testing::Property(
                  &v1::AuditEvent::subject_id, message_id)));
}

TEST_F(JourneyTest, OtherPracticeGetsNotFound) {
  const v1::Consent consent = RecordPtConsent();
  const auto sent =
      therapist_.Send(PtNote({v1::CATEGORY_HOMEWORK_ADHERENCE}), "req-np-1");
  ASSERT_TRUE(therapist_.last_status.ok());

  Client novak(gateway_, "dr-novak");
  v1::GetConsentRequest get;
  get.set_consent_id(consent.consent_id());
  v1::Consent out;
  EXPECT_EQ(novak.consents->GetConsent(Ctx().get(), get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  novak.GetDisclosure(sent.receipt().disclosure_id());
  EXPECT_EQ(novak.last_status.error_code(), grpc::StatusCode::NOT_FOUND);
  // The same patient id in the other practice has no consents.
  v1::ListConsentsRequest list;
  list.set_patient_id(kPatient);
  v1::ListConsentsResponse listed;
  ASSERT_TRUE(novak.consents->ListConsents(Ctx().get(), list, &listed).ok());
  EXPECT_EQ(listed.consents_size(), 0);
  EXPECT_EQ(compliance_.Events(v1::AUDIT_ACTION_ACCESS_DENIED).size(), 2u);
}

TEST_F(JourneyTest, ConsentsAndChainSurviveRestart) {
  RecordPtConsent();
  gateway_.Restart();
  Client therapist(gateway_, "dr-rivera");
  therapist.Send(PtNote({v1::CATEGORY_HOMEWORK_ADHERENCE}), "req-restart-1");
  ASSERT_TRUE(therapist.last_status.ok()) << therapist.last_status.error_message();
  Client compliance(gateway_, "compliance-officer");
  const v1::VerifyAuditLogResponse verified = compliance.Verify();
  EXPECT_TRUE(verified.ok()) << verified.problem();
  EXPECT_GE(verified.verified_through_seq(), 2);
}

TEST_F(JourneyTest, TamperedAuditRowIsReportedWithItsSeq) {
  RecordPtConsent();
  const auto sent =
      therapist_.Send(PtNote({v1::CATEGORY_HOMEWORK_ADHERENCE}), "req-tamper-1");
  ASSERT_TRUE(therapist_.last_status.ok());
  const int64_t seq = sent.receipt().audit_seq();
  gateway_.Stop();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(gateway_.db_path().c_str(), &db), SQLITE_OK);
  const std::string sql = "UPDATE audit_events SET recipient_org_id = "
                          "'lakeside-obgyn' WHERE seq = " +
                          std::to_string(seq);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_close(db);

  gateway_.Restart();
  Client compliance(gateway_, "compliance-officer");
  const v1::VerifyAuditLogResponse verified = compliance.Verify();
  ASSERT_TRUE(compliance.last_status.ok());
  EXPECT_FALSE(verified.ok());
  EXPECT_EQ(verified.first_bad_seq(), seq);
  EXPECT_EQ(verified.verified_through_seq(), seq - 1);
  EXPECT_FALSE(verified.problem().empty());
}

}  // namespace
}  // namespace caregate
