// caregatectl check, send and disclosure get against a real gateway.
#include "caregate/v1/disclosure_service.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/cli_fixtures.h"

namespace caregate::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

using DisclosureCliTest = CliTest;

constexpr char kSecretBody[] = "Client disclosed a painful history (body)";

TEST_F(DisclosureCliTest, SendPermittedPrintsDecisionAndReceipt) {
  const std::string patient = NewPatientId();
  const std::string consent = RecordConsent(
      patient, "core-pelvic-pt", "homework_adherence,trauma_history");
  CtlResult r = gateway().As(
      "dr-rivera", NoteArgs("send", patient, "core-pelvic-pt", "pt-lindqvist",
                            {"homework_adherence=Did 5 of 7 days",
                             "TRAUMA_HISTORY=History"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0], "PERMITTED: 2 of 2 sections covered; sent");
  EXPECT_THAT(lines[2],
              HasSubstr("HOMEWORK_ADHERENCE  covered   consent " + consent));
  EXPECT_THAT(FieldValue(r.out, "disclosure"), HasSubstr("dsc-"));
  EXPECT_EQ(FieldValue(r.out, "delivery"), "QUEUED");
  EXPECT_THAT(r.out, Not(HasSubstr("Did 5 of 7 days")));
}

TEST_F(DisclosureCliTest, SendJsonParsesAndRequestIdIsIdempotent) {
  const std::string patient = NewPatientId();
  RecordConsent(patient, "core-pelvic-pt", "homework_adherence");
  std::vector<std::string> args =
      NoteArgs("send", patient, "core-pelvic-pt", "pt-lindqvist",
               {"homework_adherence=Adherence"});
  args.insert(args.end(), {"--request-id", "req-" + patient, "--json"});
  CtlResult first = gateway().As("dr-rivera", args);
  ASSERT_EQ(first.code, 0) << first.err;
  std::vector<v1::SendDisclosureResponse> a =
      ParseJsonLines<v1::SendDisclosureResponse>(first.out);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].receipt().decision().outcome(),
            v1::DECISION_OUTCOME_PERMITTED);
  CtlResult second = gateway().As("dr-rivera", args);
  std::vector<v1::SendDisclosureResponse> b =
      ParseJsonLines<v1::SendDisclosureResponse>(second.out);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].receipt().disclosure_id(), a[0].receipt().disclosure_id());
}

TEST_F(DisclosureCliTest, DeniedSendExits1AndSaysWhichConsentIsNeeded) {
  const std::string patient = NewPatientId();
  RecordConsent(patient, "core-pelvic-pt", "homework_adherence");
  CtlResult r = gateway().As(
      "dr-rivera", NoteArgs("send", patient, "riverside-urology", "dr-haddad",
                            {std::string("sexual_history=") + kSecretBody}));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("DENIED: 0 of 1 sections covered; nothing was "
                               "sent\n"));
  EXPECT_THAT(r.out, HasSubstr("SEXUAL_HISTORY  not covered  "
                               "NO_CONSENT_FOR_RECIPIENT: no consent of this "
                               "patient names riverside-urology"));
  EXPECT_THAT(r.out, HasSubstr("ask the patient for a consent to "
                               "riverside-urology (provider dr-haddad) for "
                               "SEXUAL_HISTORY (purpose "
                               "TREATMENT_COORDINATION)"));
  EXPECT_EQ(r.err, "caregatectl send: denied: nothing was sent\n");
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(kSecretBody)));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("Section 1")));
}

TEST_F(DisclosureCliTest, DeniedSendPerSectionReasonsAndJson) {
  const std::string patient = NewPatientId();
  RecordConsent(patient, "core-pelvic-pt", "homework_adherence");
  std::vector<std::string> args =
      NoteArgs("send", patient, "core-pelvic-pt", "pt-lindqvist",
               {"homework_adherence=ok", "trauma_history=not ok"});
  CtlResult r = gateway().As("dr-rivera", args);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("1        HOMEWORK_ADHERENCE  covered"));
  EXPECT_THAT(r.out, HasSubstr("2        TRAUMA_HISTORY      not covered  "
                               "CATEGORY_NOT_CONSENTED: the consents for "
                               "core-pelvic-pt do not list this category"));
  EXPECT_THAT(r.out, HasSubstr("for TRAUMA_HISTORY (purpose"));

  args.push_back("--json");
  r = gateway().As("dr-rivera", args);
  EXPECT_EQ(r.code, 1);
  std::vector<v1::Decision> d = ParseJsonLines<v1::Decision>(r.out);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].outcome(), v1::DECISION_OUTCOME_DENIED);
  ASSERT_EQ(d[0].sections_size(), 2);
  EXPECT_TRUE(d[0].sections(0).covered());
  EXPECT_THAT(d[0].sections(1).reasons(),
              ElementsAre(v1::DENIAL_REASON_CATEGORY_NOT_CONSENTED));
}

TEST_F(DisclosureCliTest, RedactUncoveredSendsTheCoveredSections) {
  const std::string patient = NewPatientId();
  RecordConsent(patient, "core-pelvic-pt", "homework_adherence");
  std::vector<std::string> args =
      NoteArgs("send", patient, "core-pelvic-pt", "pt-lindqvist",
               {"homework_adherence=ok", "sexual_history=withheld"});
  args.push_back("--redact-uncovered");
  CtlResult r = gateway().As("dr-rivera", args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("PERMITTED_WITH_REDACTIONS: 1 of 2 sections "
                               "covered; only those were sent"));
  CtlResult record = gateway().As(
      "dr-rivera", {"disclosure", "get", FieldValue(r.out, "disclosure")});
  EXPECT_EQ(FieldValue(record.out, "categories"), "HOMEWORK_ADHERENCE");
  EXPECT_EQ(FieldValue(record.out, "outcome"), "PERMITTED_WITH_REDACTIONS");
}

TEST_F(DisclosureCliTest, CheckIsADryRun) {
  const std::string patient = NewPatientId();
  RecordConsent(patient, "lakeside-obgyn", "treatment_summary");
  CtlResult ok = gateway().As(
      "dr-rivera", NoteArgs("check", patient, "lakeside-obgyn", "dr-okafor",
                            {"treatment_summary=summary"}));
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("PERMITTED: 1 of 1 sections covered; it may "
                                "be sent"));
  std::vector<std::string> args = NoteArgs("check", patient, "lakeside-obgyn",
                                           "dr-okafor", {"diagnosis=dx"});
  args.push_back("--json");
  CtlResult denied = gateway().As("dr-rivera", args);
  EXPECT_EQ(denied.code, 1);
  std::vector<v1::Decision> d = ParseJsonLines<v1::Decision>(denied.out);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].outcome(), v1::DECISION_OUTCOME_DENIED);
  EXPECT_EQ(denied.err, "caregatectl check: would be denied\n");
  // Nothing was sent: the OB/GYN inbox is empty.
  CtlResult inbox = gateway().As("lakeside-obgyn-inbox", {"inbox", "list"});
  EXPECT_EQ(inbox.out, "No unacknowledged messages.\n");
}

TEST_F(DisclosureCliTest, DisclosureGetShowsDeliveryState) {
  const std::string patient = NewPatientId();
  RecordConsent(patient, "core-pelvic-pt", "homework_plan");
  const std::string id = SendToPt(patient, {"homework_plan=plan"});
  CtlResult r = gateway().As("dr-rivera", {"disclosure", "get", id});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(FieldValue(r.out, "disclosure"), id);
  EXPECT_EQ(FieldValue(r.out, "recipient"), "pt-lindqvist at core-pelvic-pt");
  EXPECT_EQ(FieldValue(r.out, "delivery"), "QUEUED");
  EXPECT_THAT(FieldValue(r.out, "message"), HasSubstr("msg-"));

  CtlResult json =
      gateway().As("dr-rivera", {"disclosure", "get", id, "--json"});
  std::vector<v1::DisclosureRecord> records =
      ParseJsonLines<v1::DisclosureRecord>(json.out);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].receipt().disclosure_id(), id);
  EXPECT_EQ(records[0].patient_id(), patient);
}

TEST_F(DisclosureCliTest, SectionFlagErrors) {
  const std::string patient = NewPatientId();
  CtlResult r = gateway().As(
      "dr-rivera", {"send", "--patient", patient, "--to-org", "core-pelvic-pt",
                    "--to-provider", "pt-lindqvist", "--purpose", "referral",
                    "--section", "homework_adherence"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("expected CATEGORY=FILE[:TITLE]"));
  r = gateway().As("dr-rivera",
                   {"send", "--patient", patient, "--to-org", "core-pelvic-pt",
                    "--to-provider", "pt-lindqvist", "--purpose", "referral",
                    "--section", "homework_adherence=/nonexistent/note.txt"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "caregatectl send: cannot read section file "
            "/nonexistent/note.txt\n");
}

}  // namespace
}  // namespace caregate::testing
