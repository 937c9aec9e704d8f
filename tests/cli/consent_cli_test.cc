// caregatectl consent record|revoke|get|list against a real gateway.
#include <algorithm>

#include "caregate/v1/types.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/crypto/sha256.h"
#include "tests/cli/cli_fixtures.h"

namespace caregate::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

using ConsentCliTest = CliTest;

TEST_F(ConsentCliTest, RecordPrintsTheConsentWithoutTheSignerName) {
  const std::string patient = NewPatientId();
  CtlResult r = gateway().As(
      "dr-rivera", ConsentArgs(patient, "core-pelvic-pt",
                               "homework_adherence,CATEGORY_TRAUMA_HISTORY"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  EXPECT_THAT(FieldValue(r.out, "consent"), HasSubstr("cns-"));
  EXPECT_EQ(FieldValue(r.out, "patient"), patient);
  EXPECT_EQ(FieldValue(r.out, "categories"),
            "TRAUMA_HISTORY, HOMEWORK_ADHERENCE");  // in enum order
  EXPECT_EQ(FieldValue(r.out, "purposes"), "TREATMENT_COORDINATION");
  EXPECT_EQ(FieldValue(r.out, "status"), "ACTIVE (revision 1)");
  EXPECT_THAT(FieldValue(r.out, "recorded"), HasSubstr(" UTC by dr-rivera"));
  EXPECT_THAT(r.out, Not(HasSubstr("Casey Example")));
}

TEST_F(ConsentCliTest, DocumentIsHashedLocally) {
  const std::string patient = NewPatientId();
  const std::string form = "%PDF-1.7 signed authorization form";
  std::vector<std::string> args =
      ConsentArgs(patient, "lakeside-obgyn", "treatment_summary");
  args.erase(std::find(args.begin(), args.end(), "--document-sha256"),
             std::find(args.begin(), args.end(), "--signer-name"));
  args.push_back("--document");
  args.push_back(gateway().WriteFile("form.pdf", form));
  args.push_back("--json");
  CtlResult r = gateway().As("dr-rivera", args);
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<v1::Consent> consents = ParseJsonLines<v1::Consent>(r.out);
  ASSERT_EQ(consents.size(), 1u);
  EXPECT_EQ(consents[0].evidence().document_sha256(), Sha256Hex(form));
  EXPECT_EQ(consents[0].grantee().org_id(), "lakeside-obgyn");
  EXPECT_THAT(consents[0].categories(),
              ElementsAre(v1::CATEGORY_TREATMENT_SUMMARY));
}

TEST_F(ConsentCliTest, GetAndListPrintTablesAndJson) {
  const std::string patient = NewPatientId();
  const std::string id =
      RecordConsent(patient, "core-pelvic-pt", "homework_adherence");
  ASSERT_THAT(id, HasSubstr("cns-"));

  CtlResult get = gateway().As("dr-rivera", {"consent", "get", id, "--json"});
  ASSERT_EQ(get.code, 0) << get.err;
  std::vector<v1::Consent> got = ParseJsonLines<v1::Consent>(get.out);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].consent_id(), id);
  EXPECT_EQ(got[0].status(), v1::CONSENT_STATUS_ACTIVE);

  CtlResult list =
      gateway().As("dr-rivera", {"consent", "list", "--patient", patient});
  ASSERT_EQ(list.code, 0) << list.err;
  std::vector<std::string> lines = Lines(list.out);
  ASSERT_EQ(lines.size(), 2u) << list.out;
  EXPECT_THAT(lines[0], HasSubstr("CONSENT"));
  EXPECT_THAT(lines[1], HasSubstr(id));
  EXPECT_THAT(lines[1], HasSubstr("HOMEWORK_ADHERENCE"));
  // Columns line up: the header's GRANTEE starts where the row's org does.
  EXPECT_EQ(lines[0].find("GRANTEE"), lines[1].find("core-pelvic-pt"));

  RecordConsent(patient, "lakeside-obgyn", "treatment_summary");
  CtlResult json = gateway().As(
      "dr-rivera", {"consent", "list", "--patient", patient, "--json"});
  ASSERT_EQ(json.code, 0) << json.err;
  std::vector<v1::Consent> listed = ParseJsonLines<v1::Consent>(json.out);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].consent_id(), id);
  EXPECT_EQ(listed[1].grantee().org_id(), "lakeside-obgyn");
}

TEST_F(ConsentCliTest, RevokeThenListShowsItOnlyWithAll) {
  const std::string patient = NewPatientId();
  const std::string id =
      RecordConsent(patient, "lakeside-obgyn", "treatment_summary");
  CtlResult r =
      gateway().As("dr-rivera", {"consent", "revoke", id, "--reason",
                                 "patient revoked in writing on 2026-11-20"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(FieldValue(r.out, "status"), "REVOKED (revision 2)");
  EXPECT_THAT(FieldValue(r.out, "revoked"),
              HasSubstr("by dr-rivera: patient revoked in writing"));

  CtlResult active =
      gateway().As("dr-rivera", {"consent", "list", "--patient", patient});
  EXPECT_EQ(active.code, 0);
  EXPECT_EQ(active.out, "No active consents for patient " + patient + ".\n");
  CtlResult all = gateway().As(
      "dr-rivera", {"consent", "list", "--patient", patient, "--all"});
  EXPECT_THAT(all.out, HasSubstr(id));
  EXPECT_THAT(all.out, HasSubstr("REVOKED"));
}

TEST_F(ConsentCliTest, ComplianceListsAPracticesConsents) {
  const std::string patient = NewPatientId();
  const std::string id = RecordConsent(patient, "core-pelvic-pt", "diagnosis");
  CtlResult r = gateway().As("compliance-officer",
                             {"consent", "list", "--patient", patient,
                              "--practice", "sunrise-therapy", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<v1::Consent> listed = ParseJsonLines<v1::Consent>(r.out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].consent_id(), id);
}

TEST_F(ConsentCliTest, MissingOrBadFlagsAreUsageErrors) {
  const std::string patient = NewPatientId();
  std::vector<std::string> args =
      ConsentArgs(patient, "core-pelvic-pt", "diagnosis");
  auto expires = std::find(args.begin(), args.end(), "--expires");
  args.erase(expires, expires + 2);
  CtlResult r = gateway().As("dr-rivera", args);
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err,
              HasSubstr("caregatectl consent record: missing --expires\n"));
  EXPECT_THAT(r.err, HasSubstr("usage: caregatectl consent record"));

  r = gateway().As("dr-rivera",
                   ConsentArgs(patient, "core-pelvic-pt", "diagnosis,gossip"));
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--category: unknown value \"gossip\"; one of "
                               "SESSION_ATTENDANCE, TREATMENT_SUMMARY"));

  r = gateway().As("dr-rivera", {"consent", "revoke", "cns-x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("missing --reason"));
}

TEST_F(ConsentCliTest, IncompleteFormIsRefusedNamingTheElement) {
  std::vector<std::string> args =
      ConsentArgs(NewPatientId(), "core-pelvic-pt", "diagnosis");
  args.erase(std::find(args.begin(), args.end(), "--states-redisclosure-risk"));
  CtlResult r = gateway().As("dr-rivera", args);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("caregatectl consent record: invalid request: "));
  EXPECT_THAT(r.err, HasSubstr("states_redisclosure_risk"));
  EXPECT_EQ(Lines(r.err).size(), 1u);
  EXPECT_THAT(r.err, Not(HasSubstr("Casey Example")));
}

TEST_F(ConsentCliTest, UnknownConsentIsNotFound) {
  CtlResult r = gateway().As(
      "dr-rivera", {"consent", "get", "cns-0000000000000000000000000"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("caregatectl consent get: not found: "));
}

}  // namespace
}  // namespace caregate::testing
