// Tamper detection through the auditor's path: with the gateway stopped, the
// SQLite file is edited one way per test (a changed byte, a deleted, swapped
// or forged event, a truncated tail, a replaced checkpoint signature), the
// gateway is started again on it, `caregatectl audit export` writes the log
// to a file and `caregatectl audit verify-offline` checks that file with
// only the public key. It must fail (exit 1) naming the first bad seq and the
// kind of problem, the ones tests/integration/tamper_test.cc expects from
// VerifyAuditLog for the same edit; the gateway's own VerifyAuditLog, asked
// right after the export, must report the same.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "caregate/v1/audit_export.pb.h"
#include "caregate/v1/audit_service.pb.h"
#include "caregate/v1/types.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_chain.h"
#include "tests/cli/cli_fixtures.h"
#include "tests/testing/audit_db_edits.h"

namespace caregate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

class AuditTamperOfflineCliTest : public CliTest {
 protected:
  CliGateway& gateway() override { return gateway_; }

  // On a gateway of its own, writes the log of tamper_test.cc (a consent,
  // permitted and denied sends, an acknowledgement, a verification) through
  // caregatectl, checks that an export of it verifies offline, and stops the
  // gateway, which signs a checkpoint of the head.
  void SetUp() override {
    gateway_.Start();
    const std::string patient = NewPatientId();
    ASSERT_FALSE(
        RecordConsent(patient, "core-pelvic-pt", "homework_adherence").empty());
    const std::string first = SendToPt(patient, {"homework_adherence=ok"});
    ASSERT_FALSE(first.empty());
    CtlResult denied =
        gateway_.As("dr-rivera", NoteArgs("send", patient, "riverside-urology",
                                          "dr-haddad", {"sexual_history=no"}));
    ASSERT_EQ(denied.code, 1) << denied.out << denied.err;
    const std::string message = MessageOf(first);
    ASSERT_FALSE(message.empty());
    CtlResult ack =
        gateway_.As("core-pelvic-pt-inbox", {"inbox", "ack", message});
    ASSERT_EQ(ack.code, 0) << ack.err;
    CtlResult second = gateway_.As(
        "dr-rivera", NoteArgs("send", patient, "core-pelvic-pt", "pt-moreau",
                              {"homework_adherence=again"}));
    ASSERT_EQ(second.code, 0) << second.out << second.err;
    CtlResult verified = gateway_.As("compliance-officer", {"audit", "verify"});
    ASSERT_EQ(verified.code, 0) << verified.out << verified.err;
    gateway_.StopKeepingData();

    head_ = SqlInt(db(), "SELECT MAX(seq) FROM audit_events");
    ASSERT_EQ(head_, 6);
    const v1::AuditAction actions[] = {v1::AUDIT_ACTION_CONSENT_RECORDED,
                                       v1::AUDIT_ACTION_DISCLOSURE_PERMITTED,
                                       v1::AUDIT_ACTION_DISCLOSURE_DENIED,
                                       v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED,
                                       v1::AUDIT_ACTION_DISCLOSURE_PERMITTED,
                                       v1::AUDIT_ACTION_AUDIT_ACCESSED};
    for (int64_t seq = 1; seq <= head_; ++seq) {
      EXPECT_EQ(SqlInt(db(), absl::StrCat("SELECT action FROM audit_events "
                                          "WHERE seq = ",
                                          seq)),
                actions[seq - 1])
          << "seq " << seq;
    }
    ASSERT_EQ(SqlInt(db(), "SELECT MAX(seq) FROM checkpoints"), head_)
        << "stopping the gateway signs a checkpoint of the head";
  }

  void TearDown() override { gateway_.Stop(); }

  std::string db() const { return gateway_.DbPath(); }

  // What caregatectl reported about the edited log.
  struct Reports {
    CtlResult offline;                        // verify-offline, as text
    v1::VerifyAuditLogResponse offline_json;  // verify-offline --json
    v1::VerifyAuditLogResponse gateway;       // audit verify --json, after
  };

  // Starts the gateway on the edited file, exports the log as compliance
  // (the gateway must not refuse), verifies the export offline with only the
  // public key, as text and as JSON, and then asks the gateway itself
  // (VerifyAuditLog) about the same log.
  Reports RestartExportAndVerify() {
    gateway_.Restart();
    const std::string path = gateway_.WriteFile("export.json", "");
    CtlResult exported =
        gateway_.As("compliance-officer", {"audit", "export", "--out", path});
    EXPECT_EQ(exported.code, 0) << exported.out << exported.err;
    Reports reports;
    reports.offline = RunCtl({"audit", "verify-offline", path, "--pubkey",
                              gateway_.PublicKeyPath()});
    CtlResult json = RunCtl({"audit", "verify-offline", path, "--pubkey",
                             gateway_.PublicKeyPath(), "--json"});
    EXPECT_EQ(json.code, 1) << json.out << json.err;
    reports.offline_json = OneResponse(json.out);
    CtlResult live =
        gateway_.As("compliance-officer", {"audit", "verify", "--json"});
    EXPECT_EQ(live.code, 1) << live.out << live.err;
    reports.gateway = OneResponse(live.out);
    return reports;
  }

  static v1::VerifyAuditLogResponse OneResponse(const std::string& out) {
    std::vector<v1::VerifyAuditLogResponse> lines =
        ParseJsonLines<v1::VerifyAuditLogResponse>(out);
    EXPECT_THAT(lines, SizeIs(1)) << out;
    return lines.empty() ? v1::VerifyAuditLogResponse() : lines[0];
  }

  // verify-offline exits 1 naming `first_bad_seq` and `kind` in its text and
  // JSON reports, and VerifyAuditLog reports the same seq and kind.
  static void ExpectReported(const Reports& r, int64_t first_bad_seq,
                             const std::string& kind) {
    EXPECT_EQ(r.offline.code, 1) << r.offline.out << r.offline.err;
    EXPECT_THAT(r.offline.out,
                HasSubstr(absl::StrCat("FAILED at seq ", first_bad_seq, ": ")));
    EXPECT_THAT(r.offline.out, HasSubstr(kind));
    EXPECT_THAT(r.offline.err, HasSubstr(absl::StrCat(
                                   "the export does not verify: first bad seq ",
                                   first_bad_seq, ": ")));
    EXPECT_THAT(Lines(r.offline.err), SizeIs(1));
    EXPECT_FALSE(r.offline_json.ok());
    EXPECT_EQ(r.offline_json.first_bad_seq(), first_bad_seq);
    EXPECT_THAT(r.offline_json.problem(), HasSubstr(kind));
    EXPECT_FALSE(r.gateway.ok());
    EXPECT_EQ(r.gateway.first_bad_seq(), first_bad_seq);
    EXPECT_THAT(r.gateway.problem(), HasSubstr(kind));
  }

  CliGateway gateway_{"tamper"};
  int64_t head_ = 0;
};

// One byte of event 2 (a permitted disclosure): "p-2xxx" -> "q-2xxx".
TEST_F(AuditTamperOfflineCliTest, ChangedByteIsAHashMismatchAtThatEvent) {
  Sql(db(),
      "UPDATE audit_events SET patient_id = 'q' || substr(patient_id, 2) "
      "WHERE seq = 2");
  const Reports r = RestartExportAndVerify();
  ExpectReported(r, 2, "hash mismatch");
  EXPECT_EQ(r.offline_json.verified_through_seq(), 1);
}

TEST_F(AuditTamperOfflineCliTest, DeletedEventIsReportedMissing) {
  Sql(db(), "DELETE FROM audit_events WHERE seq = 3");
  const Reports r = RestartExportAndVerify();
  // The event found bad is the one after the gap.
  ExpectReported(r, 4, "missing");
  EXPECT_THAT(r.offline_json.problem(), HasSubstr("expected seq 3"));
  EXPECT_EQ(r.offline_json.verified_through_seq(), 2);
}

TEST_F(AuditTamperOfflineCliTest, SwappedEventsBreakThePrevHash) {
  // Events 2 and 4 trade everything but their seq.
  SwapEvents(db(), 2, 4);
  ASSERT_EQ(SqlInt(db(), "SELECT action FROM audit_events WHERE seq = 2"),
            v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED);
  const Reports r = RestartExportAndVerify();
  ExpectReported(r, 2, "prev_hash");
  EXPECT_EQ(r.offline_json.verified_through_seq(), 1);
}

// A forged event whose own hash is valid, inserted after event 3 (later
// events move up one seq): the event after it still names the hash of event
// 3 as its prev_hash.
TEST_F(AuditTamperOfflineCliTest, ForgedEventBreaksTheNextPrevHash) {
  InsertForgedEventAfter(db(), 3);
  ASSERT_EQ(SqlInt(db(), "SELECT MAX(seq) FROM audit_events"), head_ + 1);
  const Reports r = RestartExportAndVerify();
  ExpectReported(r, 5, "prev_hash");
  EXPECT_EQ(r.offline_json.verified_through_seq(), 4);
}

// The checkpoint signed at shutdown covers seq 6; events 4..6 are deleted.
// The export's own audited reads (the query, the checkpoint, the query again
// since that checkpoint covers more than the first query saw) refill seqs
// 4..6 before it is written, so the old checkpoint no longer matches event 6:
// tamper_test.cc's TruncationStaysDetectedAfterTheLogGrowsPastTheCheckpoint,
// not its TruncatedTailAfterCheckpointIsReported (one new event, "truncated"
// at seq 5).
TEST_F(AuditTamperOfflineCliTest, TruncatedTailAfterCheckpointIsReported) {
  Sql(db(), "DELETE FROM audit_events WHERE seq >= 4");
  const Reports r = RestartExportAndVerify();
  ExpectReported(r, head_, "checkpoint does not match event 6 (log rewritten)");
  EXPECT_EQ(r.offline_json.checkpoint().seq(), head_);
}

// A tail longer than the export's own reads refill: events 2..6 are deleted,
// the export holds seqs 1..4 and the old checkpoint of seq 6, so the log
// stops short of it: "truncated", bad from the first missing seq, 5. The
// gateway, asked afterwards, also counts its own verify call (seq 5).
TEST_F(AuditTamperOfflineCliTest, LongerTruncatedTailIsReportedTruncated) {
  Sql(db(), "DELETE FROM audit_events WHERE seq >= 2");
  const Reports r = RestartExportAndVerify();
  EXPECT_EQ(r.offline.code, 1);
  EXPECT_THAT(r.offline.out,
              HasSubstr("FAILED at seq 5: checkpoint at seq 6 is beyond the "
                        "log's last seq 4 (log truncated after checkpoint)"));
  EXPECT_EQ(r.offline_json.first_bad_seq(), 5);
  EXPECT_EQ(r.offline_json.verified_through_seq(), 4);
  EXPECT_FALSE(r.gateway.ok());
  EXPECT_EQ(r.gateway.first_bad_seq(), 6);
  EXPECT_THAT(r.gateway.problem(), HasSubstr("truncated"));
}

TEST_F(AuditTamperOfflineCliTest, ReplacedCheckpointSignatureIsReported) {
  ForgeCheckpointSignature(db(), head_);
  const Reports r = RestartExportAndVerify();
  ExpectReported(r, head_, "checkpoint signature");
}

}  // namespace
}  // namespace caregate::testing
