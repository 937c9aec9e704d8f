// Tamper detection: with the gateway stopped, the SQLite file is edited one
// way per test (a changed byte, a deleted, swapped or forged event, a
// truncated tail, a replaced checkpoint signature, a rewritten tail). The
// gateway is started again on the edited file and VerifyAuditLog must report
// the first bad seq and the kind of problem.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_chain.h"
#include "tests/integration/clinic_fixtures.h"
#include "tests/testing/audit_db_edits.h"

namespace caregate {
namespace {

using ::caregate::testing::Client;
using ::caregate::testing::ConsentFor;
using ::caregate::testing::Ctx;
using ::caregate::testing::ForgeCheckpointSignature;
using ::caregate::testing::GatewayHarness;
using ::caregate::testing::InsertForgedEventAfter;
using ::caregate::testing::kEventColumns;
using ::caregate::testing::NoteTo;
using ::caregate::testing::ReadEvents;
using ::caregate::testing::Sql;
using ::caregate::testing::SqlInt;
using ::caregate::testing::SwapEvents;
using ::caregate::testing::WriteEvents;
using ::testing::HasSubstr;

constexpr char kPatient[] = "p-1001";

class TamperTest : public ::testing::Test {
 protected:
  // Writes a realistic log (consent, permitted and denied sends, an
  // acknowledgement, an audit access), checks that it verifies, and stops
  // the gateway, which signs a checkpoint of the head.
  void SetUp() override {
    Client therapist(gateway_, "dr-rivera");
    Client clinic(gateway_, "core-pelvic-pt-inbox");
    Client compliance(gateway_, "compliance-officer");
    const absl::Time now = gateway_.clock().Now();
    therapist.Record(ConsentFor(kPatient, "core-pelvic-pt",
                                {v1::CATEGORY_HOMEWORK_ADHERENCE}, now));
    ASSERT_TRUE(therapist.last_status.ok());
    therapist.Send(NoteTo(kPatient, "core-pelvic-pt", "pt-lindqvist",
                          {v1::CATEGORY_HOMEWORK_ADHERENCE}),
                   "req-tamper-1");
    ASSERT_TRUE(therapist.last_status.ok());
    therapist.Send(NoteTo(kPatient, "riverside-urology", "dr-haddad",
                          {v1::CATEGORY_SEXUAL_HISTORY}),
                   "req-tamper-2");
    ASSERT_EQ(therapist.last_status.error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
    const auto inbox = clinic.Inbox();
    ASSERT_EQ(inbox.size(), 1u);
    ASSERT_TRUE(clinic.Acknowledge(inbox[0].message_id()).ok());
    therapist.Send(NoteTo(kPatient, "core-pelvic-pt", "pt-moreau",
                          {v1::CATEGORY_HOMEWORK_ADHERENCE}),
                   "req-tamper-3");
    ASSERT_TRUE(therapist.last_status.ok());
    const v1::VerifyAuditLogResponse before = compliance.Verify();
    ASSERT_TRUE(compliance.last_status.ok());
    ASSERT_TRUE(before.ok()) << before.problem();
    gateway_.Stop();
    head_ = SqlInt(db(), "SELECT MAX(seq) FROM audit_events");
    ASSERT_EQ(head_, 6);
    ASSERT_EQ(SqlInt(db(), "SELECT MAX(seq) FROM checkpoints"), head_)
        << "stopping the gateway signs a checkpoint of the head";
  }

  std::string db() const { return gateway_.db_path(); }

  // Starts the gateway on the edited file and verifies the whole log as
  // compliance (the first call after the restart).
  v1::VerifyAuditLogResponse RestartAndVerify() {
    gateway_.Restart();
    Client compliance(gateway_, "compliance-officer");
    v1::VerifyAuditLogResponse response = compliance.Verify();
    EXPECT_TRUE(compliance.last_status.ok())
        << compliance.last_status.error_message();
    return response;
  }

  // Starts the gateway on the edited file, serves `calls` ordinary audited
  // calls (as it would before anybody verifies), then verifies.
  v1::VerifyAuditLogResponse RestartServeAndVerify(int calls) {
    gateway_.Restart();
    Client compliance(gateway_, "compliance-officer");
    for (int i = 0; i < calls; ++i) {
      v1::Checkpoint checkpoint;
      EXPECT_TRUE(compliance.audit
                      ->GetCheckpoint(Ctx().get(), v1::GetCheckpointRequest(),
                                      &checkpoint)
                      .ok());
    }
    v1::VerifyAuditLogResponse response = compliance.Verify();
    EXPECT_TRUE(compliance.last_status.ok())
        << compliance.last_status.error_message();
    return response;
  }

  GatewayHarness gateway_;
  int64_t head_ = 0;
};

// Byte changes in one column of event 2 (a permitted disclosure).
struct ByteChange {
  const char* column;
  const char* sql;
};

class ChangedByteTest : public TamperTest,
                        public ::testing::WithParamInterface<ByteChange> {};

TEST_P(ChangedByteTest, IsAHashMismatchAtThatEvent) {
  Sql(db(), absl::StrCat("UPDATE audit_events SET ", GetParam().sql,
                         " WHERE seq = 2"));
  const v1::VerifyAuditLogResponse r = RestartAndVerify();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.first_bad_seq(), 2);
  EXPECT_EQ(r.verified_through_seq(), 1);
  EXPECT_THAT(r.problem(), HasSubstr("hash mismatch"));
}

INSTANTIATE_TEST_SUITE_P(
    Columns, ChangedByteTest,
    ::testing::Values(
        // "p-1001" -> "p-1002".
        ByteChange{"patient_id", "patient_id = 'p-1002'"},
        // The last hex digit of the content hash.
        ByteChange{"content_sha256",
                   "content_sha256 = substr(content_sha256, 1, 63) || "
                   "(CASE substr(content_sha256, 64) WHEN '0' THEN '1' "
                   "ELSE '0' END)"},
        // DISCLOSURE_PERMITTED (3) -> DISCLOSURE_REDACTED (4).
        ByteChange{"action", "action = 4"},
        // One microsecond later.
        ByteChange{"time_us", "time_us = time_us + 1"},
        // A different recipient organization, same length.
        ByteChange{"recipient_org_id", "recipient_org_id = 'core-pelvic-pX'"},
        // The first byte of the stored hash itself.
        ByteChange{"hash",
                   "hash = CAST((CASE WHEN substr(hash, 1, 1) = x'00' "
                   "THEN x'01' ELSE x'00' END) || substr(hash, 2) "
                   "AS BLOB)"}),
    [](const ::testing::TestParamInfo<ByteChange>& info) {
      std::string name = info.param.column;
      name.erase(std::remove(name.begin(), name.end(), '_'), name.end());
      return name;
    });

// One byte changed so that the column no longer decodes: the category list
// "9" of event 2 becomes "x". Still a content change at seq 2, not an error
// of the call.
TEST_F(TamperTest, UndecodableByteIsReportedAtThatEvent) {
  ASSERT_EQ(SqlInt(db(),
                   "SELECT COUNT(*) FROM audit_events WHERE seq = 2 "
                   "AND categories = '9'"),
            1);
  Sql(db(), "UPDATE audit_events SET categories = 'x' WHERE seq = 2");
  const v1::VerifyAuditLogResponse r = RestartAndVerify();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.first_bad_seq(), 2);
  EXPECT_EQ(r.verified_through_seq(), 1);
}

// The stored hash of event 2 cut to 31 bytes.
TEST_F(TamperTest, TruncatedHashIsReportedAtThatEvent) {
  Sql(db(), "UPDATE audit_events SET hash = substr(hash, 1, 31) WHERE seq = 2");
  const v1::VerifyAuditLogResponse r = RestartAndVerify();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.first_bad_seq(), 2);
  EXPECT_EQ(r.verified_through_seq(), 1);
}

TEST_F(TamperTest, DeletedEventIsReportedMissing) {
  Sql(db(), "DELETE FROM audit_events WHERE seq = 3");
  const v1::VerifyAuditLogResponse r = RestartAndVerify();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.verified_through_seq(), 2);
  EXPECT_THAT(r.problem(), HasSubstr("missing"));
  EXPECT_THAT(r.problem(), HasSubstr("expected seq 3"));
  // The event found bad is the one after the gap.
  EXPECT_EQ(r.first_bad_seq(), 4);
}

TEST_F(TamperTest, SwappedEventsBreakThePrevHash) {
  // Events 2 and 4 trade everything but their seq.
  SwapEvents(db(), 2, 4);
  ASSERT_EQ(SqlInt(db(), "SELECT action FROM audit_events WHERE seq = 2"),
            v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED);
  const v1::VerifyAuditLogResponse r = RestartAndVerify();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.first_bad_seq(), 2);
  EXPECT_EQ(r.verified_through_seq(), 1);
  EXPECT_THAT(r.problem(), HasSubstr("prev_hash"));
}

TEST_F(TamperTest, SwappedContentWithOwnHashesIsAHashMismatch) {
  // Events 2 and 4 trade their content but keep seq, prev_hash and hash.
  std::vector<std::string> assignments;
  for (const char* column : kEventColumns) {
    if (std::string(column) == "prev_hash" || std::string(column) == "hash") {
      continue;
    }
    assignments.push_back(
        absl::StrCat(column, " = (SELECT ", column,
                     " FROM swap WHERE swap.seq = 6 - audit_events.seq)"));
  }
  Sql(db(),
      absl::StrCat("CREATE TEMP TABLE swap AS SELECT * FROM audit_events "
                   "WHERE seq IN (2, 4); UPDATE audit_events SET ",
                   absl::StrJoin(assignments, ", "), " WHERE seq IN (2, 4)"));
  const v1::VerifyAuditLogResponse r = RestartAndVerify();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.first_bad_seq(), 2);
  EXPECT_THAT(r.problem(), HasSubstr("hash mismatch"));
}

// A forged event whose own hash is valid: an access that never happened,
// inserted after event 3 (later events move up one seq). The event after it
// still names the hash of event 3 as its prev_hash.
TEST_F(TamperTest, ForgedEventWithRecomputedHashBreaksTheNextPrevHash) {
  InsertForgedEventAfter(db(), 3);
  ASSERT_EQ(SqlInt(db(), "SELECT MAX(seq) FROM audit_events"), head_ + 1);

  const v1::VerifyAuditLogResponse r = RestartAndVerify();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.first_bad_seq(), 5);
  EXPECT_EQ(r.verified_through_seq(), 4);
  EXPECT_THAT(r.problem(), HasSubstr("prev_hash"));
}

// A forged replacement of event 3 with a recomputed hash: event 4's prev_hash
// no longer matches.
TEST_F(TamperTest, ReplacedEventWithRecomputedHashBreaksTheNextPrevHash) {
  std::vector<AuditEvent> events = ReadEvents(db(), 2);
  ASSERT_GE(events.size(), 2u);
  AuditEvent forged = events[1];
  ASSERT_EQ(forged.seq, 3);
  ASSERT_EQ(forged.action, v1::AUDIT_ACTION_DISCLOSURE_DENIED);
  forged.recipient_org_id = "core-pelvic-pt";
  forged.hash = ComputeEventHash(events[0].hash, forged);
  Sql(db(), "DELETE FROM audit_events WHERE seq = 3");
  WriteEvents(db(), {forged});

  const v1::VerifyAuditLogResponse r = RestartAndVerify();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.first_bad_seq(), 4);
  EXPECT_EQ(r.verified_through_seq(), 3);
  EXPECT_THAT(r.problem(), HasSubstr("prev_hash"));
}

// The checkpoint signed at shutdown covers seq 6; events 4..6 are deleted.
TEST_F(TamperTest, TruncatedTailAfterCheckpointIsReported) {
  Sql(db(), "DELETE FROM audit_events WHERE seq >= 4");
  const v1::VerifyAuditLogResponse r = RestartAndVerify();
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.problem(), HasSubstr("truncated"));
  EXPECT_EQ(r.checkpoint().seq(), head_);
  // The restarted gateway gave seq 4 to the verify call's own AUDIT_ACCESSED
  // event, so the first seq the log lacks is 5.
  EXPECT_EQ(r.first_bad_seq(), 5);
  EXPECT_EQ(r.verified_through_seq(), 4);
}

// Rewrites every event from seq 3 on (one field of seq 3 changed) with
// recomputed hashes: the chain verifies on its own, only the signed
// checkpoint of seq 6 contradicts it.
void RewriteTail(const std::string& path) {
  std::vector<AuditEvent> events = ReadEvents(path, 2);
  ASSERT_EQ(events.size(), 5u);
  events[1].recipient_org_id = "core-pelvic-pt";  // seq 3, a denial
  for (size_t i = 1; i < events.size(); ++i) {
    events[i].prev_hash = events[i - 1].hash;
    events[i].hash = ComputeEventHash(events[i].prev_hash, events[i]);
  }
  Sql(path, "DELETE FROM audit_events WHERE seq >= 3");
  WriteEvents(path, std::vector<AuditEvent>(events.begin() + 1, events.end()));
}

// The restarted gateway signs a checkpoint of its head right after its first
// write, and VerifyAuditLog checks only the latest checkpoint; a verify call
// racing with that checkpoint may or may not see the tampering. The next two
// tests take the race out: a trigger keeps the gateway from storing new
// checkpoints. The *StaysDetected* tests below show the gateway's own
// checkpoint hiding the tampering.
void FreezeCheckpoints(const std::string& path) {
  Sql(path,
      "CREATE TRIGGER freeze_checkpoints BEFORE INSERT ON checkpoints "
      "BEGIN SELECT RAISE(ABORT, 'checkpoints frozen by the test'); END");
}

TEST_F(TamperTest, ReplacedCheckpointSignatureIsReported) {
  ForgeCheckpointSignature(db(), head_);
  FreezeCheckpoints(db());
  const v1::VerifyAuditLogResponse r = RestartAndVerify();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.first_bad_seq(), head_);
  EXPECT_THAT(r.problem(), HasSubstr("checkpoint signature"));
}

TEST_F(TamperTest, RewrittenTailWithRecomputedHashesContradictsTheCheckpoint) {
  RewriteTail(db());
  FreezeCheckpoints(db());
  const v1::VerifyAuditLogResponse r = RestartAndVerify();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.first_bad_seq(), head_);
  EXPECT_THAT(r.problem(), HasSubstr("rewritten"));
}

// The restarted gateway signs new checkpoints over whatever it finds; the
// older checkpoints still commit to the original events and are all checked.
TEST_F(TamperTest, ReplacedCheckpointSignatureStaysDetectedAfterRestart) {
  ForgeCheckpointSignature(db(), head_);
  const v1::VerifyAuditLogResponse r = RestartServeAndVerify(1);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.first_bad_seq(), head_);
  EXPECT_THAT(r.problem(), HasSubstr("checkpoint signature"));
}

TEST_F(TamperTest, RewrittenTailStaysDetectedAfterRestart) {
  RewriteTail(db());
  const v1::VerifyAuditLogResponse r = RestartServeAndVerify(1);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.first_bad_seq(), head_);
  EXPECT_THAT(r.problem(), HasSubstr("rewritten"));
}

// A truncation stays detectable after the restarted gateway has written more
// events than were removed and signed a checkpoint of its new head.
TEST_F(TamperTest, TruncationStaysDetectedAfterTheLogGrowsPastTheCheckpoint) {
  Sql(db(), "DELETE FROM audit_events WHERE seq >= 4");
  gateway_.Restart();
  {
    Client compliance(gateway_, "compliance-officer");
    for (int i = 0; i < 4; ++i) {
      v1::Checkpoint checkpoint;
      EXPECT_TRUE(compliance.audit
                      ->GetCheckpoint(Ctx().get(), v1::GetCheckpointRequest(),
                                      &checkpoint)
                      .ok());
    }
  }
  // Stopping signs a checkpoint of the new head, seq 7.
  const v1::VerifyAuditLogResponse r = RestartAndVerify();
  EXPECT_FALSE(r.ok()) << "verified through " << r.verified_through_seq();
  EXPECT_LE(r.first_bad_seq(), head_);
}

}  // namespace
}  // namespace caregate
