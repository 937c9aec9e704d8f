// Push delivery end to end with real processes on loopback: caregated
// (dev-init --push) pushing to caregate-receiver --ack over mTLS, or to the
// HTTPS FHIR stub of services/push. Each test starts its own gateway; state
// is read from the gateway's SQLite file (read-only) and the receiver's
// --out directory. Bounded: every wait has a deadline.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "caregate/v1/types.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/pki/sample_config.h"
#include "services/push/push_test_support.h"
#include "tests/cli/cli_fixtures.h"
#include "tests/cli/cli_harness.h"

namespace caregate::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr absl::Duration kWait = absl::Seconds(30);
constexpr char kClinic[] = "lakeside-obgyn";

// Short retries, so a receiver that comes up late is reached soon.
constexpr char kFastRetries[] =
    "delivery_policy {\n"
    "  initial_backoff { nanos: 50000000 }\n"
    "  max_backoff { nanos: 200000000 }\n"
    "}";

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A message's push state as stored by the gateway.
struct StoredState {
  int state = 0;  // caregate.v1.DeliveryState
  int attempts = 0;
  std::string last_error;
  std::optional<int64_t> next_attempt_at_us;
};

std::optional<StoredState> ReadState(const std::string& db_path,
                                     const std::string& message_id) {
  sqlite3* db = nullptr;
  std::optional<StoredState> out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db,
                           "SELECT state, delivery_attempts, "
                           "last_delivery_error, next_attempt_at_us "
                           "FROM messages WHERE message_id = ?1",
                           -1, &stmt, nullptr) == SQLITE_OK) {
      sqlite3_bind_text(stmt, 1, message_id.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(stmt) == SQLITE_ROW) {
        StoredState s;
        s.state = sqlite3_column_int(stmt, 0);
        s.attempts = sqlite3_column_int(stmt, 1);
        const unsigned char* error = sqlite3_column_text(stmt, 2);
        s.last_error =
            error != nullptr ? reinterpret_cast<const char*>(error) : "";
        if (sqlite3_column_type(stmt, 3) != SQLITE_NULL) {
          s.next_attempt_at_us = sqlite3_column_int64(stmt, 3);
        }
        out = s;
      }
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

// Every message to `org_id` in the gateway's file: message id -> state, and
// the disclosure each carries.
struct StoredMessages {
  std::map<std::string, int> state_by_message;
  std::set<std::string> disclosures;
};

StoredMessages ReadMessagesTo(const std::string& db_path,
                              const std::string& org_id) {
  StoredMessages out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db,
                           "SELECT message_id, state, disclosure_id FROM "
                           "messages WHERE recipient_org_id = ?1",
                           -1, &stmt, nullptr) == SQLITE_OK) {
      sqlite3_bind_text(stmt, 1, org_id.c_str(), -1, SQLITE_TRANSIENT);
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        out.state_by_message[reinterpret_cast<const char*>(
            sqlite3_column_text(stmt, 0))] = sqlite3_column_int(stmt, 1);
        out.disclosures.insert(
            reinterpret_cast<const char*>(sqlite3_column_text(stmt, 2)));
      }
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

// caregate-receiver as a child process; SIGKILLed by the destructor.
class Receiver {
 public:
  Receiver(const CliGateway& gateway, int port, const std::string& out_dir,
           const std::string& log) {
    const std::string& dir = gateway.dir();
    pid_ = SpawnLogged(
        {CAREGATE_RECEIVER_BIN, "--listen", absl::StrCat("127.0.0.1:", port),
         "--tls-cert", dir + "/" + std::string(pki::kReceiverCertFile),
         "--tls-key", dir + "/" + std::string(pki::kReceiverKeyFile), "--ca",
         dir + "/" + std::string(pki::kCaCertFile), "--pubkey",
         gateway.PublicKeyPath(), "--out", out_dir, "--ack"},
        log);
    EXPECT_GT(pid_, 0) << "cannot start " << CAREGATE_RECEIVER_BIN;
    const absl::Time deadline = absl::Now() + kWait;
    while (absl::Now() < deadline &&
           Slurp(log).find("caregate-receiver listening on") ==
               std::string::npos) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    EXPECT_THAT(Slurp(log), HasSubstr("caregate-receiver listening on"));
  }
  ~Receiver() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

 private:
  pid_t pid_ = -1;
};

class PushDeliveryProcessTest : public CliTest {
 protected:
  CliGateway& gateway() override { return *gateway_; }

  void TearDown() override {
    receiver_.reset();
    if (gateway_ != nullptr) gateway_->Stop();
    fhir_stub_.reset();
    fhir_stub_setup_.reset();
  }

  // A gateway whose lakeside-obgyn takes pushes on a free loopback port;
  // `extra_config` is appended to the config.
  void StartGateway(const std::string& name,
                    const std::string& extra_config = kFastRetries) {
    receiver_port_ = FreePort();
    gateway_ = std::make_unique<CliGateway>(name);
    gateway_->set_push_endpoints(
        {{kClinic, absl::StrCat("127.0.0.1:", receiver_port_)}});
    gateway_->set_extra_config(extra_config);
    gateway_->Start();
    out_dir_ = gateway_->dir() + "/lakeside-inbox";
  }

  // A gateway whose lakeside-obgyn takes FHIR pushes at fhir_stub_, an HTTPS
  // stub serving the gateway setup's receiver certificate and trusting its
  // CA; `extra_config` is appended to the config.
  void StartFhirGateway(const std::string& name,
                        const std::string& extra_config) {
    constexpr char kPlaceholder[] = "https://localhost:1/r4";
    gateway_ = std::make_unique<CliGateway>(name);
    gateway_->set_push_endpoints({{kClinic, kPlaceholder}});
    gateway_->set_extra_config(extra_config);
    ASSERT_TRUE(gateway_->Prepare());
    fhir_stub_setup_ = std::make_unique<push::testing::DevSetup>();
    for (std::string_view file :
         {pki::kCaCertFile, pki::kReceiverCertFile, pki::kReceiverKeyFile}) {
      fs::copy_file(fs::path(gateway_->dir()) / file,
                    fhir_stub_setup_->Path(file),
                    fs::copy_options::overwrite_existing);
    }
    fhir_stub_ = std::make_unique<push::testing::FhirStub>(*fhir_stub_setup_);
    const std::string config_path = gateway_->dir() + "/caregate.textproto";
    const std::string config = Slurp(config_path);
    ASSERT_THAT(config, HasSubstr(kPlaceholder));
    std::ofstream(config_path, std::ios::trunc) << absl::StrReplaceAll(
        config, {{kPlaceholder, fhir_stub_->base_url()}});
    gateway_->Launch();
  }

  void StartReceiver() {
    receiver_ = std::make_unique<Receiver>(*gateway_, receiver_port_, out_dir_,
                                           gateway_->dir() + "/receiver.log");
  }

  // Records a consent for `patient` to lakeside-obgyn and sends a note;
  // returns the message id.
  std::string SendToClinic(const std::string& patient, std::string* consent) {
    *consent = RecordConsent(patient, kClinic, "treatment_summary");
    CtlResult r = gateway().As(
        "dr-rivera", NoteArgs("send", patient, kClinic, "dr-okafor",
                              {"treatment_summary=stable, plan agreed"}));
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    return MessageOf(FieldValue(r.out, "disclosure"));
  }

  // Waits until the stored message satisfies `pred`; its last state.
  std::optional<StoredState> WaitForState(
      const std::string& id,
      const std::function<bool(const StoredState&)>& pred) {
    const absl::Time deadline = absl::Now() + kWait;
    std::optional<StoredState> s;
    while (absl::Now() < deadline) {
      s = ReadState(gateway_->DbPath(), id);
      if (s.has_value() && pred(*s)) return s;
      absl::SleepFor(absl::Milliseconds(10));
    }
    ADD_FAILURE() << "message " << id << " never reached the state; last "
                  << (s.has_value() ? s->state : -1);
    return s;
  }

  bool Received(const std::string& id) const {
    return fs::exists(fs::path(out_dir_) / (id + ".message.json"));
  }

  std::unique_ptr<CliGateway> gateway_;
  std::unique_ptr<Receiver> receiver_;
  std::unique_ptr<push::testing::DevSetup> fhir_stub_setup_;
  std::unique_ptr<push::testing::FhirStub> fhir_stub_;
  int receiver_port_ = 0;
  std::string out_dir_;
};

TEST_F(PushDeliveryProcessTest, PermittedSendArrivesAndEndsAcknowledged) {
  StartGateway("push-happy");
  StartReceiver();
  std::string consent;
  const std::string id = SendToClinic(NewPatientId(), &consent);
  ASSERT_FALSE(id.empty());

  auto s = WaitForState(id, [](const StoredState& s) {
    return s.state == v1::DELIVERY_STATE_ACKNOWLEDGED;
  });
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->attempts, 1);
  EXPECT_TRUE(Received(id));
  const auto message =
      nlohmann::json::parse(Slurp(fs::path(out_dir_) / (id + ".message.json")));
  EXPECT_EQ(message["messageId"], id);
  EXPECT_TRUE(fs::exists(fs::path(out_dir_) / (id + ".bundle.json")));

  // A clinic without an endpoint still pulls: its message waits, untried.
  const std::string patient = NewPatientId();
  RecordConsent(patient, "core-pelvic-pt", "homework_plan");
  const std::string pulled =
      MessageOf(SendToPt(patient, {"homework_plan=three sets daily"}));
  CtlResult inbox =
      gateway().As("core-pelvic-pt-inbox", {"inbox", "list", "--json"});
  EXPECT_EQ(inbox.code, 0) << inbox.err;
  EXPECT_THAT(inbox.out, HasSubstr(pulled));
  auto p = ReadState(gateway_->DbPath(), pulled);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->state, v1::DELIVERY_STATE_QUEUED);
  EXPECT_EQ(p->attempts, 0);
}

TEST_F(PushDeliveryProcessTest, ReceiverDownAtFirstGetsTheMessageOnceUp) {
  StartGateway("push-late");
  std::string consent;
  const std::string id = SendToClinic(NewPatientId(), &consent);
  ASSERT_FALSE(id.empty());
  auto failed_once = WaitForState(id, [](const StoredState& s) {
    return s.attempts >= 1 && s.state == v1::DELIVERY_STATE_QUEUED;
  });
  ASSERT_TRUE(failed_once.has_value());
  EXPECT_THAT(failed_once->last_error, HasSubstr("UNAVAILABLE"));
  EXPECT_TRUE(failed_once->next_attempt_at_us.has_value());
  EXPECT_FALSE(Received(id));

  StartReceiver();
  auto s = WaitForState(id, [](const StoredState& s) {
    return s.state == v1::DELIVERY_STATE_ACKNOWLEDGED;
  });
  ASSERT_TRUE(s.has_value());
  EXPECT_GE(s->attempts, 2);
  EXPECT_TRUE(Received(id));
}

TEST_F(PushDeliveryProcessTest, RevokedBeforeASuccessfulAttemptIsNeverPushed) {
  StartGateway("push-revoked");
  std::string consent;
  const std::string id = SendToClinic(NewPatientId(), &consent);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(WaitForState(id, [](const StoredState& s) {
                return s.attempts >= 1;
              }).has_value());
  CtlResult revoke = gateway().As(
      "dr-rivera",
      {"consent", "revoke", consent, "--reason", "patient revoked in writing"});
  ASSERT_EQ(revoke.code, 0) << revoke.err;
  auto withheld = ReadState(gateway_->DbPath(), id);
  ASSERT_TRUE(withheld.has_value());
  EXPECT_EQ(withheld->state, v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION);

  // Once the receiver is up, a later message gets through; the withheld one
  // was due long before and is still never pushed.
  StartReceiver();
  std::string other_consent;
  const std::string later = SendToClinic(NewPatientId(), &other_consent);
  ASSERT_TRUE(WaitForState(later, [](const StoredState& s) {
                return s.state == v1::DELIVERY_STATE_ACKNOWLEDGED;
              }).has_value());
  // Past every retry the withheld message could have had (max_backoff
  // 200 ms, dispatcher polls every 100 ms).
  absl::SleepFor(absl::Milliseconds(500));
  auto after = ReadState(gateway_->DbPath(), id);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->state, v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION);
  EXPECT_EQ(after->attempts, withheld->attempts);
  EXPECT_FALSE(Received(id));
  EXPECT_TRUE(Received(later));
}

// Two attempts and the message is FAILED; compliance finds it with
// `delivery list`, retries it, and once the receiver is up it arrives. A
// therapist sees no outbox.
TEST_F(PushDeliveryProcessTest, FailedDeliveryIsListedAndRetriedByCompliance) {
  StartGateway("push-retry",
               "delivery_policy {\n"
               "  initial_backoff { nanos: 50000000 }\n"
               "  max_backoff { nanos: 100000000 }\n"
               "  max_attempts: 2\n"
               "}");

  std::string consent;
  const std::string id = SendToClinic(NewPatientId(), &consent);
  ASSERT_FALSE(id.empty());
  auto failed = WaitForState(id, [](const StoredState& s) {
    return s.state == v1::DELIVERY_STATE_FAILED;
  });
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->attempts, 2);
  EXPECT_THAT(failed->last_error, HasSubstr("UNAVAILABLE"));

  CtlResult listed = gateway().As("compliance-officer",
                                  {"delivery", "list", "--state", "failed"});
  ASSERT_EQ(listed.code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr(id));
  EXPECT_THAT(listed.out, HasSubstr("UNAVAILABLE"));
  CtlResult as_json =
      gateway().As("compliance-officer",
                   {"delivery", "list", "--to-org", kClinic, "--json"});
  ASSERT_EQ(as_json.code, 0) << as_json.err;
  const auto row =
      nlohmann::json::parse(as_json.out.substr(0, as_json.out.find('\n')));
  EXPECT_EQ(row["messageId"], id);
  EXPECT_EQ(row["state"], "DELIVERY_STATE_FAILED");
  EXPECT_EQ(row["transport"], "grpc");
  EXPECT_EQ(row["deliveryAttempts"], 2);

  CtlResult therapist = gateway().As("dr-rivera", {"delivery", "list"});
  EXPECT_EQ(therapist.code, 1);
  EXPECT_THAT(therapist.err, HasSubstr("permission denied"));
  CtlResult therapist_retry =
      gateway().As("dr-rivera", {"delivery", "retry", id});
  EXPECT_EQ(therapist_retry.code, 1);
  EXPECT_THAT(therapist_retry.err, HasSubstr("permission denied"));

  // The gateway's channel to the receiver may still be in its reconnect
  // backoff (up to 5 s) when the receiver comes up, and two quick attempts
  // can fail again: retry as an operator would, a bounded number of times.
  StartReceiver();
  std::optional<StoredState> s;
  for (int retries = 0; retries < 20; ++retries) {
    CtlResult retry =
        gateway().As("compliance-officer", {"delivery", "retry", id});
    ASSERT_EQ(retry.code, 0) << retry.err;
    EXPECT_THAT(retry.out, HasSubstr("queued " + id));
    s = WaitForState(id, [](const StoredState& s) {
      return s.state == v1::DELIVERY_STATE_ACKNOWLEDGED ||
             s.state == v1::DELIVERY_STATE_FAILED;
    });
    ASSERT_TRUE(s.has_value());
    if (s->state == v1::DELIVERY_STATE_ACKNOWLEDGED) break;
    absl::SleepFor(absl::Milliseconds(500));
  }
  ASSERT_EQ(s->state, v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_LE(s->attempts, 2);  // a fresh budget counts from the retry
  EXPECT_TRUE(Received(id));

  // Retrying what did not fail is refused, naming the state.
  CtlResult again =
      gateway().As("compliance-officer", {"delivery", "retry", id});
  EXPECT_EQ(again.code, 1);
  EXPECT_THAT(again.err, HasSubstr("ACKNOWLEDGED"));

  CtlResult audited = gateway().As(
      "compliance-officer", {"audit", "query", "--action", "delivery_retried"});
  ASSERT_EQ(audited.code, 0) << audited.err;
  EXPECT_THAT(audited.out, HasSubstr("compliance-officer (COMPLIANCE)"));
  EXPECT_THAT(audited.out, HasSubstr(kClinic));
}

// kill -9 of the gateway while it sends and pushes, several times: every
// permitted message reaches the receiver at least once and is stored there
// exactly once, every receipt a therapist got has its message, and none
// stays pending after the last restart.
TEST_F(PushDeliveryProcessTest, GatewayKilledMidPushLosesNoMessage) {
  constexpr int kCycles = 5;
  constexpr int kMaxSendsPerCycle = 40;
  StartGateway("push-crash");
  StartReceiver();
  const std::string patient = NewPatientId();
  RecordConsent(patient, kClinic, "treatment_summary");
  const std::vector<std::string> send = NoteArgs(
      "send", patient, kClinic, "dr-okafor", {"treatment_summary=stable"});

  std::mt19937 random(std::random_device{}());
  std::set<std::string> receipts;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    // Killed 300-900 ms into the cycle, with sends and pushes under way.
    const int kill_after_ms =
        std::uniform_int_distribution<int>(300, 900)(random);
    std::thread killer([this, kill_after_ms] {
      absl::SleepFor(absl::Milliseconds(kill_after_ms));
      gateway_->Kill();
    });
    for (int i = 0; i < kMaxSendsPerCycle; ++i) {
      CtlResult r = gateway().As("dr-rivera", send);
      if (r.code != 0) break;  // the gateway is down: its outcome is unknown
      receipts.insert(FieldValue(r.out, "disclosure"));
    }
    killer.join();
    gateway_->Launch();
  }

  // After the last restart, everything gets through (bounded wait).
  StoredMessages stored;
  const absl::Time deadline = absl::Now() + kWait;
  bool all_acknowledged = false;
  while (!all_acknowledged && absl::Now() < deadline) {
    stored = ReadMessagesTo(gateway_->DbPath(), kClinic);
    all_acknowledged = true;
    for (const auto& [id, state] : stored.state_by_message) {
      if (state != v1::DELIVERY_STATE_ACKNOWLEDGED) all_acknowledged = false;
    }
    if (!all_acknowledged) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(all_acknowledged);
  ASSERT_FALSE(receipts.empty());
  for (const std::string& disclosure : receipts) {
    EXPECT_TRUE(stored.disclosures.count(disclosure) == 1)
        << "receipt " << disclosure << " has no message";
  }
  // Each stored message is in the receiver's folder, once (files are named
  // by message id); the folder holds nothing else.
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(out_dir_)) {
    if (entry.path().string().ends_with(".message.json")) ++files;
  }
  for (const auto& [id, state] : stored.state_by_message) {
    EXPECT_TRUE(Received(id)) << id;
  }
  EXPECT_EQ(files, stored.state_by_message.size());
  const std::string log = Slurp(gateway_->dir() + "/receiver.log");
  size_t duplicates = 0;
  for (size_t at = log.find("duplicate, stored before");
       at != std::string::npos;
       at = log.find("duplicate, stored before", at + 1)) {
    ++duplicates;
  }
  std::cout << "push crash: " << kCycles << " kills, " << receipts.size()
            << " receipts, " << stored.state_by_message.size()
            << " messages stored once by the receiver, " << duplicates
            << " deliveries again after a kill\n";
}

// FHIR: the gateway posts to the HTTPS stub of services/push; the bundle it
// received is saved to $CAREGATE_PUSH_CAPTURE_DIR (when set) for the FHIR
// validator (validate_gateway_bundle_test.sh).
TEST_F(PushDeliveryProcessTest, FhirEndpointGetsTheBundle) {
  StartFhirGateway("push-fhir", "");
  ASSERT_NE(fhir_stub_, nullptr);
  push::testing::FhirStub& stub = *fhir_stub_;

  std::string consent;
  const std::string id = SendToClinic(NewPatientId(), &consent);
  ASSERT_FALSE(id.empty());
  auto s = WaitForState(id, [](const StoredState& s) {
    return s.state == v1::DELIVERY_STATE_DELIVERED;
  });
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->attempts, 1);
  const auto received = stub.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].content_type, "application/fhir+json");
  EXPECT_EQ(received[0].client_identity,
            "spiffe://caregate.local/gateway-delivery");
  const auto bundle = nlohmann::json::parse(received[0].body);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "message");
  EXPECT_EQ(bundle["entry"][0]["resource"]["resourceType"], "MessageHeader");
  if (const char* dir = std::getenv("CAREGATE_PUSH_CAPTURE_DIR")) {
    std::ofstream out(fs::path(dir) / ("gateway-pushed-" + id + ".json"));
    out << received[0].body;
    EXPECT_TRUE(out.good());
  }
}

// The FHIR endpoint answers 503 three times: the fourth attempt delivers,
// and each wait stays under the backoff's ceiling, which doubles (400 ms,
// 800 ms, 1.6 s; full jitter draws below it).
TEST_F(PushDeliveryProcessTest, FhirEndpointFailingThreeTimesGetsTheFourth) {
  StartFhirGateway("push-fhir-retry",
                   "delivery_policy {\n"
                   "  initial_backoff { nanos: 400000000 }\n"
                   "  max_backoff { seconds: 10 }\n"
                   "}");
  ASSERT_NE(fhir_stub_, nullptr);
  using Reply = push::testing::FhirStub::Reply;
  fhir_stub_->Script({Reply{503, false}, Reply{503, false}, Reply{503, false}});
  std::string consent;
  const std::string id = SendToClinic(NewPatientId(), &consent);
  ASSERT_FALSE(id.empty());
  auto s = WaitForState(id, [](const StoredState& s) {
    return s.state == v1::DELIVERY_STATE_DELIVERED;
  });
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->attempts, 4);
  EXPECT_EQ(s->last_error, "");
  const auto received = fhir_stub_->received();
  ASSERT_EQ(received.size(), 4u);
  // Each wait: the draw (at most the ceiling), plus the dispatcher's look
  // (every 100 ms) and the outcome's commit; at least the 20 ms floor.
  constexpr absl::Duration kSlack = absl::Milliseconds(600);
  for (size_t i = 1; i < received.size(); ++i) {
    const absl::Duration ceiling = absl::Milliseconds(400) * (1 << (i - 1));
    const absl::Duration gap = received[i].at - received[i - 1].at;
    EXPECT_GE(gap, absl::Milliseconds(20)) << "wait " << i;
    EXPECT_LE(gap, ceiling + kSlack) << "wait " << i;
  }
}

}  // namespace
}  // namespace caregate::testing
