// Push delivery across replicas on one PostgreSQL database (issue 13): the
// PT clinic core-pelvic-pt takes pushes at one caregate-receiver (--ack).
// Every replica runs a push dispatcher over the same outbox; leases
// (Store::ClaimDueMessages) keep two replicas from pushing one message, and
// a message whose replica dies mid-push is pushed by another once the lease
// ends. State is read from the database; the receiver's log says how often
// each message arrived. Bounded: every wait has a deadline.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/crash/child_process.h"
#include "tests/crash/gateway_process.h"
#include "tests/replicas/replica_calls.h"
#include "tests/replicas/replica_set.h"
#include "tests/testing/postgres_test_database.h"

namespace caregate::replicas {
namespace {

namespace fs = std::filesystem;

constexpr absl::Duration kWait = absl::Seconds(60);
constexpr int kAcknowledged = 2;  // caregate.v1.DELIVERY_STATE_ACKNOWLEDGED

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int Occurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// True once `done` holds, checked every 20 ms until `timeout`.
bool WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return done();
}

class ReplicaPushTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (receiver_pid_ > 0) {
      kill(receiver_pid_, SIGCONT);
      kill(receiver_pid_, SIGKILL);
      crash::WaitChild(receiver_pid_, absl::Seconds(30)).IgnoreError();
    }
    replicas_.reset();
  }

  // `n` replicas (not started) whose core-pelvic-pt takes pushes on a free
  // port, with `extra_config` appended to their configs.
  void CreateReplicas(int n, const std::string& extra_config) {
    absl::StatusOr<int> port = crash::PickFreePort();
    ASSERT_TRUE(port.ok()) << port.status();
    receiver_port_ = *port;
    ReplicaOptions options;
    options.dev_init_args = {
        "--push", absl::StrCat("core-pelvic-pt=127.0.0.1:", receiver_port_)};
    options.extra_config = extra_config;
    absl::StatusOr<std::unique_ptr<ReplicaSet>> set =
        ReplicaSet::Create(n, options);
    ASSERT_TRUE(set.ok()) << set.status();
    replicas_ = *std::move(set);
  }

  void StartReceiver() {
    const std::string dir = replicas_->setup().dir();
    out_dir_ = dir + "/pt-inbox";
    receiver_log_ = dir + "/receiver.log";
    absl::StatusOr<pid_t> pid = crash::SpawnChild(
        {CAREGATE_RECEIVER_BIN, "--listen",
         absl::StrCat("127.0.0.1:", receiver_port_), "--tls-cert",
         dir + "/pki/receiver.crt", "--tls-key", dir + "/pki/receiver.key",
         "--ca", dir + "/pki/ca.crt", "--pubkey",
         dir + "/keys/audit-signing.pub.pem", "--out", out_dir_, "--ack"},
        receiver_log_);
    ASSERT_TRUE(pid.ok()) << pid.status();
    receiver_pid_ = *pid;
    ASSERT_TRUE(WaitFor(
        [&] {
          return Slurp(receiver_log_).find("listening on") != std::string::npos;
        },
        absl::Seconds(30)))
        << Slurp(receiver_log_);
  }

  // SIGTERM, and waits: its log is flushed.
  void StopReceiver() {
    ASSERT_EQ(kill(receiver_pid_, SIGTERM), 0);
    ASSERT_TRUE(crash::WaitChild(receiver_pid_, absl::Seconds(30)).ok());
    receiver_pid_ = -1;
  }

  std::string Sql(const std::string& sql) {
    absl::StatusOr<std::string> text =
        testing::QueryText(replicas_->database().conninfo, sql);
    EXPECT_TRUE(text.ok()) << text.status();
    return text.value_or("");
  }

  int AcknowledgedMessages() {
    int n = -1;
    return absl::SimpleAtoi(
               Sql(absl::StrCat("SELECT count(*) FROM messages WHERE state = ",
                                kAcknowledged)),
               &n)
               ? n
               : -1;
  }

  std::shared_ptr<grpc::Channel> Therapist(int r) {
    return replicas_->Channel(r, "dr-rivera");
  }

  std::unique_ptr<ReplicaSet> replicas_;
  int receiver_port_ = 0;
  pid_t receiver_pid_ = -1;
  std::string out_dir_;
  std::string receiver_log_;
};

TEST_F(ReplicaPushTest, ThreeReplicasPushEveryMessageOnce) {
  constexpr int kReplicas = 3;
  constexpr int kSendsPerReplica = 20;
  CreateReplicas(kReplicas, "");
  StartReceiver();
  ASSERT_TRUE(replicas_->StartAll(absl::Seconds(60)).ok());
  const std::string patient = "p-push";
  v1::Consent consent;
  grpc::Status s =
      RecordConsent(Therapist(0), PtConsent(patient), "consent-push", &consent);
  ASSERT_TRUE(s.ok()) << s.error_message();

  std::atomic<int> sent = 0;
  std::vector<std::thread> senders;
  for (int r = 0; r < kReplicas; ++r) {
    senders.emplace_back([&, r] {
      auto channel = Therapist(r);
      for (int i = 0; i < kSendsPerReplica; ++i) {
        v1::SendDisclosureResponse out;
        grpc::Status status = Send(
            channel, PtNote(patient, absl::StrCat("push-", r, "-", i), "note"),
            &out);
        if (status.ok()) {
          ++sent;
        } else {
          ADD_FAILURE() << "send " << r << "-" << i << ": "
                        << status.error_code() << " " << status.error_message();
        }
      }
    });
  }
  for (std::thread& t : senders) t.join();
  ASSERT_EQ(sent.load(), kReplicas * kSendsPerReplica);

  EXPECT_TRUE(
      WaitFor([&] { return AcknowledgedMessages() == sent.load(); }, kWait))
      << AcknowledgedMessages() << " of " << sent.load()
      << " acknowledged; the others: "
      << Sql(absl::StrCat(
             "SELECT string_agg(concat_ws(' ', message_id, state, "
             "delivery_attempts, last_delivery_error, next_attempt_at_us, "
             "lease_owner, lease_until_us), '; ') FROM messages WHERE state "
             "<> ",
             kAcknowledged));
  // Each arrived once: no replica pushed a message another was pushing or
  // had pushed. (The receiver's log is complete once it has stopped.)
  StopReceiver();
  const std::string log = Slurp(receiver_log_);
  EXPECT_EQ(Occurrences(log, ": stored"), sent.load()) << log;
  EXPECT_EQ(Occurrences(log, "duplicate"), 0) << log;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(out_dir_)) {
    if (entry.path().string().ends_with(".message.json")) ++files;
  }
  EXPECT_EQ(files, sent.load());
  // And the pushing was shared: more than one replica pushed. (A replica's
  // log is complete once it has stopped.)
  for (int r = 0; r < kReplicas; ++r) {
    EXPECT_TRUE(replicas_->Stop(r, absl::Seconds(30)).ok());
  }
  int pushing = 0;
  for (int r = 0; r < kReplicas; ++r) {
    if (Occurrences(Slurp(replicas_->log_path(r)), "push of message") > 0) {
      ++pushing;
    }
  }
  EXPECT_GE(pushing, 2);
  EXPECT_EQ(Sql("SELECT count(*) FROM messages WHERE lease_owner IS NOT NULL"),
            "0");
}

TEST_F(ReplicaPushTest, MessageOfAReplicaKilledMidPushIsPushedByAnother) {
  // An attempt gives up after 2 s, so a lease lasts 7 s (gateway.cc).
  CreateReplicas(2, "delivery_policy { attempt_timeout { seconds: 2 } }");
  StartReceiver();
  // The receiver takes connections but answers nothing: every push hangs.
  ASSERT_EQ(kill(receiver_pid_, SIGSTOP), 0);
  ASSERT_TRUE(replicas_->StartAll(absl::Seconds(60)).ok());
  const std::string patient = "p-killed";
  v1::Consent consent;
  grpc::Status s = RecordConsent(Therapist(0), PtConsent(patient),
                                 "consent-killed", &consent);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::SendDisclosureResponse sent;
  s = Send(Therapist(0), PtNote(patient, "killed-1", "note"), &sent);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string message = Sql(
      absl::StrCat("SELECT message_id FROM messages WHERE disclosure_id = '",
                   sent.receipt().disclosure_id(), "'"));
  ASSERT_FALSE(message.empty());

  // The replica that claimed it is pushing it now: kill it mid-push.
  std::string owner;
  ASSERT_TRUE(WaitFor(
      [&] {
        owner = Sql(absl::StrCat(
            "SELECT lease_owner FROM messages WHERE message_id = '", message,
            "'"));
        return !owner.empty();
      },
      absl::Seconds(10)));
  const std::vector<std::string> parts = absl::StrSplit(owner, '/');
  ASSERT_EQ(parts.size(), 3u) << owner;
  int holder = -1;
  for (int r = 0; r < replicas_->size(); ++r) {
    if (absl::StrCat(replicas_->pid(r)) == parts[1]) holder = r;
  }
  ASSERT_GE(holder, 0) << "no replica has pid " << parts[1];
  replicas_->Kill(holder);
  const int survivor = 1 - holder;
  ASSERT_EQ(kill(receiver_pid_, SIGCONT), 0);

  // Once the dead replica's lease has run out, the survivor pushes it.
  EXPECT_TRUE(WaitFor(
      [&] {
        return Sql(absl::StrCat("SELECT state FROM messages WHERE message_id "
                                "= '",
                                message, "'")) == absl::StrCat(kAcknowledged);
      },
      kWait));
  EXPECT_TRUE(replicas_->Stop(survivor, absl::Seconds(30)).ok());
  EXPECT_THAT(Slurp(replicas_->log_path(survivor)),
              ::testing::HasSubstr(absl::StrCat("push of message ", message,
                                                " attempt 1: delivered")));
  EXPECT_TRUE(fs::exists(fs::path(out_dir_) / (message + ".message.json")));
}

}  // namespace
}  // namespace caregate::replicas
