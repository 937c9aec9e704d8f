// The rewrite, truncation and deleted-checkpoint attacks of someone who can
// write the gateway's database, against a gateway with a witness: the real
// caregated, caregatectl and caregate-witness binaries. With the gateway
// stopped the SQLite file is edited the way such an attacker would (history
// rewritten with every hash recomputed, the tail cut, the later checkpoints
// deleted); the gateway must then refuse to start, naming the witness and
// the size it cosigned, and the witness must refuse to cosign the forged
// log's checkpoint.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "caregate/v1/types.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_chain.h"
#include "services/audit/audit_tree.h"
#include "services/crypto/ed25519.h"
#include "services/transparency/checkpoint.h"
#include "services/transparency/node_source.h"
#include "services/transparency/note_keys.h"
#include "services/transparency/proof_builder.h"
#include "services/transparency/signed_note.h"
#include "services/transparency/witness_client.h"
#include "tests/cli/cli_fixtures.h"
#include "tests/testing/audit_db_edits.h"

namespace caregate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOrigin[] = "caregate.local/audit";

class AuditWitnessCliTest : public CliTest {
 protected:
  CliGateway& gateway() override { return gateway_; }

  // `audit export --format FORMAT` into the scratch file NAME, at `path`.
  void Export(const std::string& name, const std::string& format,
              std::string* path) {
    *path = gateway_.WriteFile(name, "");
    CtlResult r =
        gateway_.As("compliance-officer",
                    {"audit", "export", "--format", format, "--out", *path});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
  }

  void SetUp() override {
    ASSERT_TRUE(gateway_.Prepare());
    auto signer = Ed25519Signer::FromPemFile(gateway_.dir() +
                                             "/keys/audit-signing.key.pem");
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = std::shared_ptr<const Ed25519Signer>(*std::move(signer));
    auto note_signer = tlog::NoteSigner::Create(
        kOrigin, tlog::NoteKeyType::kCosignatureV1, signer_);
    ASSERT_TRUE(note_signer.ok()) << note_signer.status();
    note_signer_ = *std::move(note_signer);
    StartWitness();
    std::ofstream(gateway_.dir() + "/caregate.textproto", std::ios::app)
        << "\nwitnesses {\n  url: \"" << witness_url_
        << "\"\n  verifier_key: \"" << witness_key_ << "\"\n}\n";
    gateway_.Launch();

    // A consent, a permitted send and a denied one (trauma history was
    // withheld), then an audit read.
    const std::string patient = NewPatientId();
    ASSERT_FALSE(
        RecordConsent(patient, "core-pelvic-pt", "homework_adherence").empty());
    ASSERT_FALSE(SendToPt(patient, {"homework_adherence=ok"}).empty());
    CtlResult denied = gateway_.As(
        "dr-rivera", NoteArgs("send", patient, "core-pelvic-pt", "pt-moreau",
                              {"trauma_history=details"}));
    ASSERT_EQ(denied.code, 1) << denied.out << denied.err;
    ASSERT_EQ(gateway_.As("compliance-officer", {"audit", "verify"}).code, 0);
    witnessed_ = WaitForWitnessedSize(4);
    ASSERT_GE(witnessed_, 4);
    gateway_.StopKeepingData();
    ASSERT_EQ(SqlInt(db(), "SELECT action FROM audit_events WHERE seq = 3"),
              v1::AUDIT_ACTION_DISCLOSURE_DENIED);
  }

  void TearDown() override {
    gateway_.Stop();
    if (witness_pid_ > 0) {
      kill(witness_pid_, SIGTERM);
      waitpid(witness_pid_, nullptr, 0);
    }
  }

  std::string db() const { return gateway_.DbPath(); }

  // caregate-witness on a free port, trusting the gateway's note key; its
  // verifier key is the first line it prints.
  void StartWitness() {
    witness_url_ = absl::StrCat("http://127.0.0.1:", FreePort());
    const std::string log = gateway_.dir() + "/witness.log";
    witness_pid_ =
        SpawnLogged({CAREGATE_WITNESS_BIN, "--listen", witness_url_.substr(7),
                     "--state", gateway_.dir() + "/witness", "--log-key",
                     note_signer_->verifier_key()},
                    log);
    ASSERT_GT(witness_pid_, 0);
    for (int i = 0; i < 100 && witness_key_.empty(); ++i) {
      usleep(100 * 1000);
      std::ifstream in(log);
      std::string line;
      while (std::getline(in, line)) {
        if (line.find('+') != std::string::npos &&
            line.find(' ') == std::string::npos) {
          witness_key_ = line;
          break;
        }
      }
    }
    ASSERT_FALSE(witness_key_.empty()) << gateway_.ReadFile(log);
    auto client = tlog::WitnessClient::Create(witness_url_, witness_key_);
    ASSERT_TRUE(client.ok()) << client.status();
    witness_ = *std::move(client);
  }

  // Waits (at most 15 s) until the witness cosigned at least `size`.
  int64_t WaitForWitnessedSize(int64_t size) {
    int64_t held = 0;
    for (int i = 0; i < 150 && held < size; ++i) {
      auto latest = witness_->LatestCheckpoint(kOrigin);
      if (latest.ok() && latest->has_value()) {
        held = (*latest)->checkpoint.size;
      }
      if (held < size) usleep(100 * 1000);
    }
    return held;
  }

  // Replaces every event from seq `from` on with `events`, as given.
  void ReplaceEventsFrom(int64_t from, const std::vector<AuditEvent>& events) {
    Sql(db(), absl::StrCat("DELETE FROM audit_events WHERE seq >= ", from));
    WriteEvents(db(), events);
  }

  // The forged log's checkpoint note, signed with the gateway's own key (the
  // attacker has it too, at worst), and the consistency proof from the size
  // the witness holds, over the forged events.
  std::pair<std::string, std::vector<Hash256>> ForgedCheckpoint(
      const std::vector<AuditEvent>& events) {
    tlog::MemoryNodeSource tree;
    for (const AuditEvent& e : events) tree.AppendLeaf(AuditLeafHash(e.hash));
    const int64_t size = tree.size();
    auto text = tlog::FormatCheckpoint({kOrigin, size, tree.Root(), {}});
    EXPECT_TRUE(text.ok());
    auto signature = note_signer_->Sign(*text, absl::Now());
    EXPECT_TRUE(signature.ok());
    auto proof = tlog::ConsistencyProof(tree, witnessed_, size);
    EXPECT_TRUE(proof.ok()) << proof.status();
    return {tlog::FormatSignedNote({*text, {*signature}}),
            proof.value_or(std::vector<Hash256>())};
  }

  CliGateway gateway_{"witness"};
  std::shared_ptr<const Ed25519Signer> signer_;
  std::unique_ptr<tlog::NoteSigner> note_signer_;
  std::string witness_url_;
  std::string witness_key_;
  pid_t witness_pid_ = -1;
  std::unique_ptr<tlog::WitnessClient> witness_;
  int64_t witnessed_ = 0;
};

TEST_F(AuditWitnessCliTest, RewrittenHistoryIsRefusedAtStartAndByTheWitness) {
  // Turn the denial into a permitted trauma-history disclosure, recompute
  // every hash after it, and delete the checkpoints that covered it.
  std::vector<AuditEvent> events = ReadEvents(db(), 1);
  ASSERT_GE(static_cast<int64_t>(events.size()), witnessed_);
  AuditEvent& forged = events[2];
  forged.action = v1::AUDIT_ACTION_DISCLOSURE_PERMITTED;
  forged.outcome = v1::DECISION_OUTCOME_PERMITTED;
  forged.reasons.clear();
  AuditChain chain(2, events[1].hash);
  for (size_t i = 2; i < events.size(); ++i) chain.Append(&events[i]);
  ReplaceEventsFrom(3, {events.begin() + 2, events.end()});
  Sql(db(), "DELETE FROM checkpoints WHERE seq >= 3");

  auto [code, log] = gateway_.LaunchExpectingExit();
  EXPECT_NE(code, 0) << log;
  EXPECT_THAT(log,
              HasSubstr(absl::StrCat("witness ", witness_->name(),
                                     ", which cosigned size ", witnessed_)));
  EXPECT_THAT(log, HasSubstr("log rewritten"));

  auto [note, proof] = ForgedCheckpoint(events);
  auto cosigned = witness_->AddCheckpoint(witnessed_, proof, note);
  EXPECT_EQ(cosigned.status().code(), absl::StatusCode::kDataLoss)
      << cosigned.status();
}

TEST_F(AuditWitnessCliTest, TruncatedLogIsRefusedAtStart) {
  Sql(db(), "DELETE FROM audit_events WHERE seq >= 3");
  Sql(db(), "DELETE FROM checkpoints WHERE seq >= 3");
  Sql(db(), "DELETE FROM tree_nodes");  // a careful attacker: no stale tree
  auto [code, log] = gateway_.LaunchExpectingExit();
  EXPECT_NE(code, 0) << log;
  EXPECT_THAT(log, HasSubstr(absl::StrCat("cosigned size ", witnessed_)));
  EXPECT_THAT(log, HasSubstr("the log has only 2 events (log truncated)"));
}

TEST_F(AuditWitnessCliTest, DeletedCheckpointsAloneChangeNothingTheWitnessSaw) {
  Sql(db(), "DELETE FROM checkpoints");
  gateway_.Launch();  // the events are intact: it serves, and signs anew
  CtlResult verified = gateway_.As("compliance-officer", {"audit", "verify"});
  EXPECT_EQ(verified.code, 0) << verified.out << verified.err;
  EXPECT_GT(WaitForWitnessedSize(witnessed_ + 1), witnessed_);
}

TEST_F(AuditWitnessCliTest, EditedEventWithItsStoredHashKeptIsRefused) {
  // Content changed but the hash column kept: the tree rebuilt from the
  // events' content at start cannot match.
  Sql(db(),
      absl::StrCat("UPDATE audit_events SET action = ",
                   v1::AUDIT_ACTION_DISCLOSURE_PERMITTED, " WHERE seq = 3"));
  auto [code, log] = gateway_.LaunchExpectingExit();
  EXPECT_NE(code, 0) << log;
  EXPECT_THAT(log, HasSubstr("seq 3: hash mismatch"));
}

TEST_F(AuditWitnessCliTest, ADisclosuresProofVerifiesWithPublicKeysAlone) {
  gateway_.Launch();
  // Event 2 is the permitted disclosure. Wait (bounded) until the latest
  // checkpoint carries the witness's cosignature.
  const std::string path = gateway_.WriteFile("proof-2.json", "");
  const std::vector<std::string> verify = {
      "audit",      "verify-proof",           path,
      "--pubkey",   gateway_.PublicKeyPath(), "--witness-key",
      witness_key_, "--min-witnesses",        "1"};
  // Each prove is itself audited, so the latest checkpoint moves on and may
  // not be cosigned yet: retry (bounded) until the proof's one is.
  const auto prove_until_witnessed = [&](const std::string& principal) {
    CtlResult checked;
    for (int i = 0; i < 50; ++i) {
      CtlResult proved =
          gateway_.As(principal, {"audit", "prove", "2", "--out", path});
      EXPECT_EQ(proved.code, 0) << proved.out << proved.err;
      checked = RunCtl(verify);
      if (checked.code == 0) break;
      usleep(200 * 1000);
    }
    return checked;
  };
  CtlResult checked = prove_until_witnessed("core-pelvic-pt-inbox");
  ASSERT_EQ(checked.code, 0) << checked.out << checked.err;
  EXPECT_THAT(checked.out, HasSubstr("VERIFIED: event 2 is in the log "
                                     "caregate.local/audit"));
  EXPECT_THAT(checked.out,
              HasSubstr("cosigned by witness " + witness_->name()));
  // The clinic's file holds hashes only, and taking it left no refused
  // call (ACCESS_DENIED) in the audit log.
  EXPECT_THAT(gateway_.ReadFile(path),
              Not(HasSubstr("AUDIT_ACTION_DISCLOSURE_PERMITTED")));
  CtlResult refused =
      gateway_.As("compliance-officer",
                  {"audit", "query", "--actor", "core-pelvic-pt-inbox",
                   "--action", "ACCESS_DENIED", "--json"});
  EXPECT_EQ(refused.code, 0) << refused.err;
  EXPECT_THAT(refused.out, Not(HasSubstr("core-pelvic-pt-inbox")));

  // A compliance officer's file has the event: its content is checked too.
  checked = prove_until_witnessed("compliance-officer");
  ASSERT_EQ(checked.code, 0) << checked.out << checked.err;
  EXPECT_THAT(checked.out, HasSubstr("its content matches its hash"));

  // Attacks on the file, each caught by the verifier.
  const std::string good = gateway_.ReadFile(path);
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    std::ofstream(path, std::ios::trunc) << text;
    return RunCtl(verify);
  };
  CtlResult edited = with("\"AUDIT_ACTION_DISCLOSURE_PERMITTED\"",
                          "\"AUDIT_ACTION_DISCLOSURE_DENIED\"");
  EXPECT_EQ(edited.code, 1) << edited.out;
  EXPECT_THAT(edited.out, HasSubstr("hash mismatch"));
  CtlResult resized = with("\"treeSize\": \"", "\"treeSize\": \"1");
  EXPECT_EQ(resized.code, 1) << resized.out;
  std::ofstream(path, std::ios::trunc) << good;
  CtlResult two_witnesses = RunCtl({"audit", "verify-proof", path, "--pubkey",
                                    gateway_.PublicKeyPath(), "--witness-key",
                                    witness_key_, "--min-witnesses", "2"});
  EXPECT_EQ(two_witnesses.code, 1) << two_witnesses.out;
  EXPECT_THAT(two_witnesses.out, HasSubstr("2 required"));
  CtlResult other_log =
      RunCtl({"audit", "verify-proof", path, "--log-key", witness_key_});
  EXPECT_EQ(other_log.code, 1) << other_log.out;
  EXPECT_THAT(other_log.out, HasSubstr("is not the log key"));
}

TEST_F(AuditWitnessCliTest, AnAuditorsSavedCheckpointRejectsARewrittenExport) {
  // The auditor saves a checkpoint note while the log is intact, and sees
  // the witness vouch for the export.
  gateway_.Launch();
  const std::string note = gateway_.WriteFile("trusted.note", "");
  CtlResult saved = gateway_.As("compliance-officer",
                                {"audit", "checkpoint", "--note-out", note});
  ASSERT_EQ(saved.code, 0) << saved.out << saved.err;
  WaitForWitnessedSize(witnessed_ + 1);
  std::string honest;
  ASSERT_NO_FATAL_FAILURE(Export("honest.json", "json", &honest));
  CtlResult vouched = RunCtl({"audit", "verify-offline", honest, "--pubkey",
                              gateway_.PublicKeyPath(), "--trusted-checkpoint",
                              note, "--witness-key", witness_key_});
  EXPECT_EQ(vouched.code, 0) << vouched.out << vouched.err;
  EXPECT_THAT(vouched.out, HasSubstr("consistent with the trusted checkpoint"));
  EXPECT_THAT(vouched.out,
              HasSubstr("witness " + witness_->name() + " vouched for size "));
  // The same export in binary form: the same checks, the same answer.
  std::string honest_binary;
  ASSERT_NO_FATAL_FAILURE(Export("honest.pb", "binary", &honest_binary));
  CtlResult vouched_binary =
      RunCtl({"audit", "verify-offline", honest_binary, "--pubkey",
              gateway_.PublicKeyPath(), "--trusted-checkpoint", note,
              "--witness-key", witness_key_});
  EXPECT_EQ(vouched_binary.code, 0) << vouched_binary.out << vouched_binary.err;
  EXPECT_THAT(vouched_binary.out,
              HasSubstr("consistent with the trusted checkpoint"));
  EXPECT_THAT(vouched_binary.out,
              HasSubstr("witness " + witness_->name() + " vouched for size "));
  gateway_.StopKeepingData();

  // Someone with the data directory and the config drops the witness,
  // rewrites history with every hash recomputed and deletes the checkpoints
  // after the edit; the gateway, with no witness to ask, serves and signs.
  const std::string config_path = gateway_.dir() + "/caregate.textproto";
  std::string config = gateway_.ReadFile(config_path);
  config.erase(config.find("\nwitnesses {"));
  std::ofstream(config_path, std::ios::trunc) << config;
  std::vector<AuditEvent> events = ReadEvents(db(), 1);
  events[2].action = v1::AUDIT_ACTION_DISCLOSURE_PERMITTED;
  events[2].outcome = v1::DECISION_OUTCOME_PERMITTED;
  events[2].reasons.clear();
  AuditChain chain(2, events[1].hash);
  for (size_t i = 2; i < events.size(); ++i) chain.Append(&events[i]);
  ReplaceEventsFrom(3, {events.begin() + 2, events.end()});
  Sql(db(), "DELETE FROM checkpoints WHERE seq >= 3");
  Sql(db(), "DELETE FROM tree_nodes");
  gateway_.Launch();
  std::string forged;
  ASSERT_NO_FATAL_FAILURE(Export("forged.json", "json", &forged));
  // The gateway's own signatures all verify...
  CtlResult alone = RunCtl({"audit", "verify-offline", forged, "--pubkey",
                            gateway_.PublicKeyPath()});
  EXPECT_EQ(alone.code, 0) << alone.out << alone.err;
  // ... but not against what the auditor saved.
  CtlResult held =
      RunCtl({"audit", "verify-offline", forged, "--pubkey",
              gateway_.PublicKeyPath(), "--trusted-checkpoint", note});
  EXPECT_EQ(held.code, 1) << held.out << held.err;
  EXPECT_THAT(held.out, HasSubstr("(log rewritten)"));
  std::string forged_binary;
  ASSERT_NO_FATAL_FAILURE(Export("forged.pb", "binary", &forged_binary));
  CtlResult held_binary =
      RunCtl({"audit", "verify-offline", forged_binary, "--pubkey",
              gateway_.PublicKeyPath(), "--trusted-checkpoint", note});
  EXPECT_EQ(held_binary.code, 1) << held_binary.out << held_binary.err;
  EXPECT_THAT(held_binary.out, HasSubstr("(log rewritten)"));
}

}  // namespace
}  // namespace caregate::testing
