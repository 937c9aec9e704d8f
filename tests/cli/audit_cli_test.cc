// caregatectl audit query|verify|checkpoint|accounting against a real
// gateway.
#include "caregate/v1/audit_service.pb.h"
#include "caregate/v1/types.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/cli_fixtures.h"

namespace caregate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class AuditCliTest : public CliTest {
 protected:
  // A patient with one permitted and one denied disclosure; returns the
  // permitted one's id.
  std::string DisclosuresFor(const std::string& patient) {
    RecordConsent(patient, "core-pelvic-pt", "homework_adherence");
    const std::string id = SendToPt(patient, {"homework_adherence=ok"});
    CtlResult denied =
        gateway().As("dr-rivera", NoteArgs("send", patient, "riverside-urology",
                                           "dr-haddad", {"sexual_history=no"}));
    EXPECT_EQ(denied.code, 1);
    return id;
  }
};

TEST_F(AuditCliTest, QueryPrintsAFilteredTableAndJson) {
  const std::string patient = NewPatientId();
  const std::string id = DisclosuresFor(patient);
  CtlResult r = gateway().As(
      "compliance-officer", {"audit", "query", "--practice", "sunrise-therapy",
                             "--patient", patient, "--action",
                             "disclosure_permitted,"
                             "AUDIT_ACTION_DISCLOSURE_DENIED"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_THAT(lines, SizeIs(3)) << r.out;
  EXPECT_EQ(lines[0].rfind("SEQ", 0), 0u);
  EXPECT_THAT(lines[1],
              HasSubstr("dr-rivera (THERAPIST)  DISCLOSURE_PERMITTED"));
  EXPECT_THAT(lines[1], HasSubstr(id));
  EXPECT_THAT(lines[2], HasSubstr("DISCLOSURE_DENIED"));
  EXPECT_THAT(lines[2], HasSubstr("riverside-urology"));

  CtlResult json = gateway().As("compliance-officer",
                                {"audit", "query", "--practice",
                                 "sunrise-therapy", "--patient", patient,
                                 "--outcome", "denied", "--json"});
  ASSERT_EQ(json.code, 0) << json.err;
  std::vector<v1::AuditEvent> events = ParseJsonLines<v1::AuditEvent>(json.out);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].action(), v1::AUDIT_ACTION_DISCLOSURE_DENIED);
  EXPECT_EQ(events[0].hash().size(), 32u);

  CtlResult limited = gateway().As(
      "compliance-officer", {"audit", "query", "--limit", "1", "--json"});
  EXPECT_THAT(ParseJsonLines<v1::AuditEvent>(limited.out), SizeIs(1));

  CtlResult no_practice = gateway().As(
      "compliance-officer", {"audit", "query", "--patient", patient});
  EXPECT_EQ(no_practice.code, 2);
  EXPECT_THAT(no_practice.err, HasSubstr("--patient needs --practice"));
}

TEST_F(AuditCliTest, VerifyReportsTheVerifiedRange) {
  DisclosuresFor(NewPatientId());
  CtlResult r = gateway().As("compliance-officer", {"audit", "verify"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("VERIFIED: hash chain intact from seq 1 "
                               "through seq "));
  EXPECT_THAT(r.out, HasSubstr("signature valid and matches the chain"));
  CtlResult json =
      gateway().As("compliance-officer", {"audit", "verify", "--json"});
  std::vector<v1::VerifyAuditLogResponse> v =
      ParseJsonLines<v1::VerifyAuditLogResponse>(json.out);
  ASSERT_THAT(v, SizeIs(1));
  EXPECT_TRUE(v[0].ok());
  EXPECT_GT(v[0].verified_through_seq(), 3);
}

TEST_F(AuditCliTest, CheckpointIsCheckedWithThePublishedKey) {
  DisclosuresFor(NewPatientId());
  CtlResult r = gateway().As("compliance-officer", {"audit", "checkpoint"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(FieldValue(r.out, "origin"), "caregate.local/audit");
  EXPECT_THAT(FieldValue(r.out, "signature"), HasSubstr("valid (key "));
  EXPECT_EQ(FieldValue(r.out, "head hash").size(), 64u);
  CtlResult json =
      gateway().As("compliance-officer", {"audit", "checkpoint", "--json"});
  std::vector<v1::Checkpoint> c = ParseJsonLines<v1::Checkpoint>(json.out);
  ASSERT_THAT(c, SizeIs(1));
  EXPECT_EQ(c[0].signature().size(), 64u);
}

TEST_F(AuditCliTest, AccountingListsThePatientsDisclosures) {
  const std::string patient = NewPatientId();
  const std::string id = DisclosuresFor(patient);
  CtlResult r = gateway().As(
      "compliance-officer", {"audit", "accounting", "--practice",
                             "sunrise-therapy", "--patient", patient});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_THAT(lines, SizeIs(3)) << r.out;
  EXPECT_EQ(lines[0], "Accounting of disclosures for patient " + patient +
                          " of sunrise-therapy (45 CFR 164.528): 1 disclosure");
  EXPECT_THAT(lines[2], HasSubstr("(core-pelvic-pt/pt-lindqvist)"));
  EXPECT_THAT(lines[2],
              HasSubstr("TREATMENT_COORDINATION  HOMEWORK_ADHERENCE"));
  EXPECT_THAT(lines[2], HasSubstr(id));

  CtlResult json =
      gateway().As("compliance-officer",
                   {"audit", "accounting", "--practice", "sunrise-therapy",
                    "--patient", patient, "--json"});
  std::vector<v1::AccountingEntry> entries =
      ParseJsonLines<v1::AccountingEntry>(json.out);
  ASSERT_THAT(entries, SizeIs(1));
  EXPECT_EQ(entries[0].disclosure_id(), id);
  EXPECT_FALSE(entries[0].recipient_address().empty());
}

TEST_F(AuditCliTest, AccountingNeedsAPracticeAndAPatient) {
  CtlResult r = gateway().As("compliance-officer",
                             {"audit", "accounting", "--patient", "p-1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("caregatectl audit accounting: missing "
                               "--practice"));
  r = gateway().As("compliance-officer",
                   {"audit", "accounting", "--practice", "sunrise-therapy"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("caregatectl audit accounting: missing "
                               "--patient\n"));
  CtlResult help = gateway().As("compliance-officer",
                                {"audit", "accounting", "--help"});
  EXPECT_THAT(help.out, HasSubstr("--practice ORG --patient ID"));
}

TEST_F(AuditCliTest, TherapistMayNotReadTheAuditLog) {
  CtlResult r = gateway().As("dr-rivera", {"audit", "verify"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("caregatectl audit verify: permission denied: "
                               "role ROLE_THERAPIST may not call"));
  EXPECT_THAT(Lines(r.err), SizeIs(1));
  EXPECT_THAT(r.out, IsEmpty());
}

}  // namespace
}  // namespace caregate::testing
