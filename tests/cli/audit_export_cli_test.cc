// caregatectl audit export and audit verify-offline: a fresh export verifies
// with only the public key; one changed byte in any event is caught and
// named by its seq.
#include "absl/strings/str_cat.h"
#include "caregate/v1/audit_export.pb.h"
#include "caregate/v1/audit_service.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_chain.h"
#include "services/ctl/offline_verify.h"
#include "tests/cli/cli_fixtures.h"
#include "tests/testing/test_keys.h"

namespace caregate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

class AuditExportCliTest : public CliTest {
 protected:
  void SetUp() override {
    const std::string patient = NewPatientId();
    RecordConsent(patient, "core-pelvic-pt", "homework_adherence");
    SendToPt(patient, {"homework_adherence=ok"});
    SendToPt(patient, {"homework_adherence=again"});
    path_ = gateway().WriteFile("export.json", "");
    CtlResult r =
        gateway().As("compliance-officer", {"audit", "export", "--out", path_});
    ASSERT_EQ(r.code, 0) << r.err;
    text_ = gateway().ReadFile(path_);
    ASSERT_TRUE(ParseJson(text_, &export_));
  }

  // Another character of the same class, so the JSON stays valid.
  static char Changed(char c) {
    if (c >= '0' && c <= '9') return c == '9' ? '0' : c + 1;
    if (c >= 'a' && c <= 'z') return c == 'z' ? 'a' : c + 1;
    if (c >= 'A' && c <= 'Z') return c == 'Z' ? 'A' : c + 1;
    return c == '+' ? '/' : '+';
  }

  // The export with one character of event `seq`'s `field` value changed
  // (the character at `offset` in the value, wrapped to its length).
  std::string Tampered(int64_t seq, const std::string& field,
                       size_t offset = 0) {
    std::string text = text_;
    const size_t event = text.find(absl::StrCat("\"seq\": \"", seq, "\""));
    EXPECT_NE(event, std::string::npos);
    const size_t next_event = text.find("\"seq\": \"", event + 1);
    const std::string key = "\"" + field + "\": \"";
    const size_t at = text.find(key, event);
    EXPECT_LT(at, next_event) << field << " not in event " << seq;
    const size_t start = at + key.size();
    const size_t length = text.find('"', start) - start;
    char& c = text[start + offset % length];
    c = Changed(c);
    return text;
  }

  CtlResult VerifyOffline(const std::string& text,
                          const std::string& pubkey = "") {
    const std::string file = gateway().WriteFile("tampered.json", text);
    return RunCtl({"audit", "verify-offline", file, "--pubkey",
                   pubkey.empty() ? gateway().PublicKeyPath() : pubkey});
  }

  std::string path_;
  std::string text_;
  v1::AuditExport export_;
};

TEST_F(AuditExportCliTest, ExportHoldsEveryEventThroughTheCheckpoint) {
  ASSERT_GE(export_.events_size(), 4);
  EXPECT_EQ(export_.events(0).seq(), 1);
  EXPECT_EQ(export_.events(export_.events_size() - 1).seq(),
            export_.checkpoint().seq());
  EXPECT_EQ(export_.checkpoint().signature().size(), 64u);
  EXPECT_TRUE(export_.has_exported_at());
}

TEST_F(AuditExportCliTest, FreshExportVerifiesOfflineWithOnlyThePublicKey) {
  CtlResult r = VerifyOffline(text_);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const int64_t last = export_.checkpoint().seq();
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(
                         "VERIFIED offline: ", export_.events_size(),
                         " events, hash chain intact from seq 1 through seq ",
                         last, "\n")));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("checkpoint at seq ", last)));

  const std::string file = gateway().WriteFile("fresh.json", text_);
  CtlResult json = RunCtl({"audit", "verify-offline", file, "--pubkey",
                           gateway().PublicKeyPath(), "--json"});
  std::vector<v1::VerifyAuditLogResponse> v =
      ParseJsonLines<v1::VerifyAuditLogResponse>(json.out);
  ASSERT_THAT(v, SizeIs(1));
  EXPECT_TRUE(v[0].ok());
  EXPECT_EQ(v[0].verified_through_seq(), last);
}

TEST_F(AuditExportCliTest, ChangedEventIsRejectedNamingItsSeq) {
  const int64_t last = export_.checkpoint().seq();
  const int64_t middle = (last + 1) / 2;
  struct Change {
    int64_t seq;
    std::string field;
    size_t offset;
  };
  for (const Change& change : std::vector<Change>{
           {1, "actorPrincipalId", 0},
           {2, "prevHash", 5},
           {middle, "time", 18},
           {middle + 1, "hash", 0},
           {last, "actorPrincipalId", 2},
       }) {
    SCOPED_TRACE(absl::StrCat("seq ", change.seq, " ", change.field));
    CtlResult r =
        VerifyOffline(Tampered(change.seq, change.field, change.offset));
    EXPECT_EQ(r.code, 1);
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("FAILED at seq ", change.seq,
                                              ": seq ", change.seq, ": ")));
    EXPECT_THAT(r.err,
                HasSubstr(absl::StrCat(
                    "the export does not verify: first bad seq ", change.seq)));
    EXPECT_THAT(Lines(r.err), SizeIs(1));
  }
}

TEST_F(AuditExportCliTest, ChangedCheckpointIsRejected) {
  std::string text = text_;
  const size_t checkpoint = text.find("\"checkpoint\": {");
  ASSERT_NE(checkpoint, std::string::npos);
  const size_t signature = text.find("\"signature\": \"", checkpoint) + 14;
  text[signature] = text[signature] == 'A' ? 'B' : 'A';
  CtlResult r = VerifyOffline(text);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(
                         "FAILED at seq ", export_.checkpoint().seq(),
                         ": checkpoint signature does not verify")));
}

// A forged event appended after the last checkpoint, chained correctly, is
// covered by no signature: verify-offline must not exit 0 on it by default.
TEST_F(AuditExportCliTest, UnsignedTailFailsUnlessAllowed) {
  v1::AuditExport forged = export_;
  v1::AuditEvent event = forged.events(forged.events_size() - 1);
  absl::StatusOr<AuditEvent> last = ctl::AuditEventFromProto(event);
  ASSERT_TRUE(last.ok()) << last.status();
  AuditEvent next = *last;
  next.action = v1::AUDIT_ACTION_DISCLOSURE_PERMITTED;
  next.categories = {v1::CATEGORY_TRAUMA_HISTORY};
  AuditChain chain(last->seq, last->hash);
  chain.Append(&next);
  *forged.add_events() = event;
  v1::AuditEvent* appended = forged.mutable_events(forged.events_size() - 1);
  appended->set_seq(next.seq);
  appended->set_action(next.action);
  appended->clear_categories();
  appended->add_categories(v1::CATEGORY_TRAUMA_HISTORY);
  appended->set_prev_hash(
      std::string(next.prev_hash.begin(), next.prev_hash.end()));
  appended->set_hash(std::string(next.hash.begin(), next.hash.end()));
  const std::string text = ctl::AuditExportToJson(forged);

  CtlResult r = VerifyOffline(text);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(
                         "FAILED at seq ", next.seq,
                         ": 1 events after the "
                         "checkpoint at seq ",
                         next.seq - 1, " are not covered by any signature")));
  const std::string file = gateway().WriteFile("forged.json", text);
  CtlResult allowed =
      RunCtl({"audit", "verify-offline", file, "--pubkey",
              gateway().PublicKeyPath(), "--allow-unsigned-tail"});
  EXPECT_EQ(allowed.code, 0) << allowed.err;
  EXPECT_THAT(allowed.out, HasSubstr("WARNING: 1 events after the checkpoint "
                                     "are UNSIGNED"));
}

TEST_F(AuditExportCliTest, AnotherKeyIsRejected) {
  const std::string other =
      gateway().WriteFile("other.pub.pem", NewEd25519KeyPair().public_pem);
  CtlResult r = VerifyOffline(text_, other);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("checkpoint names key"));
}

// --format binary: the same message in protobuf's wire format, which
// verify-offline reads as it reads the JSON, and rejects as it does when an
// event was changed.
TEST_F(AuditExportCliTest, BinaryExportVerifiesAndChangesAreRejected) {
  const std::string binary_path = gateway().WriteFile("audit.pb", "");
  CtlResult r = gateway().As(
      "compliance-officer",
      {"audit", "export", "--out", binary_path, "--format", "binary"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(" to " + binary_path));
  const std::string bytes = gateway().ReadFile(binary_path);
  v1::AuditExport binary;
  ASSERT_TRUE(binary.ParseFromString(bytes));
  ASSERT_GE(binary.events_size(), export_.events_size());
  EXPECT_LT(bytes.size(), text_.size());

  r = RunCtl({"audit", "verify-offline", binary_path, "--pubkey",
              gateway().PublicKeyPath()});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat(
                         "VERIFIED offline: ", binary.events_size(),
                         " events, hash chain intact from seq 1 through seq ",
                         binary.checkpoint().seq(), "\n")));

  const int64_t seq = binary.events_size() / 2 + 1;
  v1::AuditEvent& event = *binary.mutable_events(static_cast<int>(seq - 1));
  ASSERT_EQ(event.seq(), seq);
  event.set_actor_principal_id(event.actor_principal_id() + "x");
  const std::string forged =
      gateway().WriteFile("forged.pb", binary.SerializeAsString());
  r = RunCtl({"audit", "verify-offline", forged, "--pubkey",
              gateway().PublicKeyPath()});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("FAILED at seq ", seq)));
}

TEST_F(AuditExportCliTest, NotAnExportIsOneLine) {
  CtlResult r = VerifyOffline("{ not json");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("not an audit export (protobuf JSON)"));
  EXPECT_THAT(Lines(r.err), SizeIs(1));
  for (const std::string& bytes :
       {std::string("\x0a\xff\xff\xff"), std::string(" \n")}) {
    r = VerifyOffline(bytes);
    EXPECT_EQ(r.code, 1);
    EXPECT_THAT(r.err, HasSubstr("not an audit export"));
    EXPECT_THAT(Lines(r.err), SizeIs(1));
  }
  r = RunCtl({"audit", "verify-offline", path_});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("missing --pubkey PEM"));
}

}  // namespace
}  // namespace caregate::testing
