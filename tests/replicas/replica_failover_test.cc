// PostgreSQL primary failover under load (ADR 5, section 8). The test starts
// its own primary and a synchronous streaming standby (postgres_cluster.h);
// two caregated replicas reach them through one multi-host conninfo with
// target_session_attrs=read-write. While sender threads send through both
// replicas, the primary gets SIGKILL (every postgres process: a machine
// failure) and, a moment later, the standby is promoted. Senders retry a
// failed send with the same request id until it succeeds or time runs out.
//
// Then: every receipt a sender got is in the promoted server, each request
// once; the audit log is one chain (VerifyAuditLog through each replica, and
// the stored events verified from seq 1 to the head row); each replica
// committed sends after the promotion by itself (no restart). The test prints
// how long sends failed: from the first failed attempt to the first success
// after it.
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/store/postgres/postgres_store.h"
#include "tests/replicas/replica_calls.h"
#include "tests/replicas/replica_set.h"
#include "tests/testing/postgres_cluster.h"
#include "tests/testing/postgres_test_database.h"

namespace caregate::replicas {
namespace {

using testing::PostgresCluster;

constexpr int kReplicas = 2;
constexpr int kSenders = 4;  // sender s sends through replica s % kReplicas
constexpr int kSendsPerSender = 40;
// The primary dies once this many sends (of all senders) have a receipt.
constexpr int kSendsBeforeKill = 30;
// From the kill to `pg_ctl promote`: the HA tooling's detection time.
constexpr absl::Duration kDownTime = absl::Seconds(1);
// For all the sends, retries included.
constexpr absl::Duration kLoadLimit = absl::Seconds(40);
constexpr absl::Duration kRetryPause = absl::Milliseconds(50);
constexpr int kCallSeconds = 5;
constexpr char kStandbyName[] = "caregate_standby";
constexpr char kDatabase[] = "caregate";

std::string Patient(int sender) { return absl::StrCat("p-failover-", sender); }
std::string RequestId(int sender, int i) {
  return absl::StrCat("f-", sender, "-", i);
}

struct Receipt {
  std::string disclosure_id;
  int64_t audit_seq = 0;
  absl::Time at;  // when the sender got it
  int replica = 0;
};

// What the senders saw; shared by them and the main thread.
struct Load {
  absl::Mutex mu;
  std::map<std::string, Receipt> receipts ABSL_GUARDED_BY(mu);  // request id
  std::vector<std::string> errors ABSL_GUARDED_BY(mu);
  std::map<int, int> failed_by_code ABSL_GUARDED_BY(mu);  // gRPC code
  std::optional<absl::Time> first_failure ABSL_GUARDED_BY(mu);
  std::string first_failure_message ABSL_GUARDED_BY(mu);
  std::optional<absl::Time> first_success_after_failure ABSL_GUARDED_BY(mu);
};

bool Retryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::ABORTED ||
         code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

// Sends kSendsPerSender notes in order, each retried with its request id
// until it gets a receipt; stops at `deadline`.
void RunSender(const ReplicaSet& replicas, int sender, absl::Time deadline,
               Load& load) {
  const int replica = sender % kReplicas;
  const auto stub =
      v1::DisclosureService::NewStub(replicas.Channel(replica, "dr-rivera"));
  for (int i = 0; i < kSendsPerSender; ++i) {
    const v1::SendDisclosureRequest note = PtNote(
        Patient(sender), RequestId(sender, i), absl::StrCat("exercise ", i));
    for (;;) {
      v1::SendDisclosureResponse response;
      const grpc::Status s =
          stub->SendDisclosure(Ctx(kCallSeconds).get(), note, &response);
      const absl::Time now = absl::Now();
      {
        absl::MutexLock lock(&load.mu);
        if (s.ok()) {
          if (load.first_failure && !load.first_success_after_failure) {
            load.first_success_after_failure = now;
          }
          load.receipts[note.request_id()] = {
              response.receipt().disclosure_id(),
              response.receipt().audit_seq(), now, replica};
          break;
        }
        if (!load.first_failure) {
          load.first_failure = now;
          load.first_failure_message =
              absl::StrCat(note.request_id(), " on replica ", replica, ": ",
                           s.error_message());
        }
        ++load.failed_by_code[s.error_code()];
        if (!Retryable(s.error_code()) || now > deadline) {
          load.errors.push_back(absl::StrCat(
              note.request_id(), " on replica ", replica, ": code ",
              s.error_code(), " ", s.error_message(),
              now > deadline ? " (out of time)" : " (not retryable)"));
          return;
        }
      }
      absl::SleepFor(kRetryPause);
    }
  }
}

// Whether replica `r` answers grpc.health.v1 SERVING within `wait` (its
// store probe runs once a second).
bool AwaitServing(const ReplicaSet& replicas, int r, absl::Duration wait) {
  auto stub = grpc::health::v1::Health::NewStub(
      replicas.Channel(r, "compliance-officer"));
  const absl::Time deadline = absl::Now() + wait;
  while (absl::Now() < deadline) {
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status s =
        stub->Check(Ctx(kCallSeconds).get(),
                    grpc::health::v1::HealthCheckRequest(), &response);
    if (s.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

std::string Ms(absl::Duration d) {
  return absl::StrCat(absl::ToInt64Milliseconds(d), " ms");
}

class ReplicaFailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Commits wait for the standby's flush. The standby's own setting keeps
    // it from waiting for a standby of its own once promoted (no second
    // standby here; the HA tooling would lower it the same way).
    auto primary = PostgresCluster::Start(
        {.settings = {{"synchronous_standby_names",
                       absl::StrCat("'", kStandbyName, "'")}}});
    ASSERT_TRUE(primary.ok()) << primary.status();
    primary_ = *std::move(primary);
    auto standby = PostgresCluster::StartStandby(
        *primary_, kStandbyName,
        {.settings = {{"synchronous_standby_names", "''"}}});
    ASSERT_TRUE(standby.ok()) << standby.status();
    standby_ = *std::move(standby);
    ASSERT_EQ(testing::QueryText(primary_->Conninfo() + " dbname=postgres",
                                 "SELECT sync_state FROM pg_stat_replication")
                  .value_or("error"),
              "sync");
    ASSERT_TRUE(testing::ExecSql(primary_->Conninfo() + " dbname=postgres",
                                 absl::StrCat("CREATE DATABASE ", kDatabase))
                    .ok());

    ReplicaOptions options;
    options.conninfo =
        absl::StrCat("host=127.0.0.1,127.0.0.1 port=", primary_->port(), ",",
                     standby_->port(), " user=postgres dbname=", kDatabase,
                     " target_session_attrs=read-write connect_timeout=5");
    auto set = ReplicaSet::Create(kReplicas, options);
    ASSERT_TRUE(set.ok()) << set.status();
    replicas_ = *std::move(set);
    absl::Status started = replicas_->StartAll(absl::Seconds(60));
    ASSERT_TRUE(started.ok()) << started;
    for (int s = 0; s < kSenders; ++s) {
      v1::Consent consent;
      grpc::Status status = RecordConsent(
          replicas_->Channel(s % kReplicas, "dr-rivera"), PtConsent(Patient(s)),
          absl::StrCat("consent-", s), &consent);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
  }

  // The promoted server, superuser, the replicas' database.
  std::string PromotedConninfo() const {
    return absl::StrCat(standby_->Conninfo(), " dbname=", kDatabase);
  }
  std::string Query(const std::string& sql) const {
    return testing::QueryText(PromotedConninfo(), sql).value_or("error");
  }

  // Destroyed last to first: the replicas stop before the servers.
  std::unique_ptr<PostgresCluster> primary_;
  std::unique_ptr<PostgresCluster> standby_;
  std::unique_ptr<ReplicaSet> replicas_;
};

TEST_F(ReplicaFailoverTest, PromotedStandbyKeepsEveryReceipt) {
  Load load;
  const absl::Time deadline = absl::Now() + kLoadLimit;
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] { RunSender(*replicas_, s, deadline, load); });
  }
  {
    absl::MutexLock lock(&load.mu);
    const auto enough = [&load]() ABSL_SHARED_LOCKS_REQUIRED(load.mu) {
      return static_cast<int>(load.receipts.size()) >= kSendsBeforeKill;
    };
    load.mu.AwaitWithDeadline(absl::Condition(&enough), deadline);
  }
  const absl::Time killed_at = absl::Now();
  const absl::Status killed = primary_->Kill();
  absl::SleepFor(kDownTime);
  const absl::Time promote_at = absl::Now();
  const absl::Status promoted = standby_->Promote();
  const absl::Time promoted_at = absl::Now();
  for (std::thread& t : senders) t.join();
  ASSERT_TRUE(killed.ok()) << killed;
  ASSERT_TRUE(promoted.ok()) << promoted;

  absl::MutexLock lock(&load.mu);
  EXPECT_THAT(load.errors, ::testing::IsEmpty());
  ASSERT_EQ(static_cast<int>(load.receipts.size()), kSenders * kSendsPerSender);
  // The kill was felt, and every replica committed once the promotion began
  // (nothing can commit between the kill and then).
  ASSERT_TRUE(load.first_failure.has_value()) << "no send ever failed";
  ASSERT_TRUE(load.first_success_after_failure.has_value());
  int before_kill = 0;
  int after_promotion[kReplicas] = {};
  for (const auto& entry : load.receipts) {
    if (entry.second.at < killed_at) ++before_kill;
    if (entry.second.at > promote_at) ++after_promotion[entry.second.replica];
  }
  EXPECT_GE(before_kill, kSendsBeforeKill);
  for (int r = 0; r < kReplicas; ++r) {
    EXPECT_GT(after_promotion[r], 0) << "replica " << r << " did not recover";
    EXPECT_TRUE(AwaitServing(*replicas_, r, absl::Seconds(5)))
        << "replica " << r << " not SERVING after the failover";
  }
  std::string codes;
  for (const auto& [code, count] : load.failed_by_code) {
    absl::StrAppend(&codes, codes.empty() ? "" : ", ", count, " x code ", code);
  }
  // Times from the kill.
  const auto since_kill = [killed_at](absl::Time t) {
    return Ms(t - killed_at);
  };
  std::cout << "failover: sends failed for "
            << Ms(*load.first_success_after_failure - *load.first_failure)
            << " (first failure to first success after promotion); "
            << load.receipts.size() << " receipts, " << before_kill
            << " before the kill; from the kill: first failure "
            << since_kill(*load.first_failure) << ", promote "
            << since_kill(promote_at) << " to " << since_kill(promoted_at)
            << ", first success "
            << since_kill(*load.first_success_after_failure)
            << "; failed attempts: " << codes
            << "; first: " << load.first_failure_message << std::endl;

  // The server that remains is the promoted standby, and it holds every
  // receipt, each request once.
  EXPECT_EQ(Query("SELECT pg_is_in_recovery()::text"), "false");
  const std::string total = std::to_string(kSenders * kSendsPerSender);
  EXPECT_EQ(Query("SELECT count(*) FROM disclosures WHERE request_id LIKE "
                  "'f-%'"),
            total);
  EXPECT_EQ(Query("SELECT count(DISTINCT request_id) FROM disclosures WHERE "
                  "request_id LIKE 'f-%'"),
            total);
  EXPECT_EQ(Query("SELECT count(*) FROM messages m JOIN disclosures d USING "
                  "(message_id) WHERE d.request_id LIKE 'f-%'"),
            total);
  // One audit event per request id: no retry wrote a second one.
  EXPECT_EQ(Query("SELECT count(*) FROM audit_events WHERE request_id LIKE "
                  "'f-%'"),
            total);
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenPostgresStore(PromotedConninfo());
  ASSERT_TRUE(store.ok()) << store.status();
  for (const auto& [request_id, receipt] : load.receipts) {
    absl::StatusOr<std::optional<DisclosureRow>> row =
        (*store)->GetDisclosure(receipt.disclosure_id);
    ASSERT_TRUE(row.ok()) << row.status();
    ASSERT_TRUE(row->has_value())
        << request_id << ": receipt " << receipt.disclosure_id << " lost";
    EXPECT_EQ((*row)->request_id, request_id);
    EXPECT_EQ((*row)->audit_seq, receipt.audit_seq) << request_id;
  }

  // One chain: through each replica, and the stored log from seq 1 to the
  // head row.
  for (int r = 0; r < kReplicas; ++r) {
    v1::VerifyAuditLogResponse verified;
    grpc::Status s =
        VerifyAuditLog(replicas_->Channel(r, "compliance-officer"), &verified);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(verified.ok()) << "replica " << r << ": " << verified.problem();
  }
  EXPECT_GE(ExpectStoredLogIsOneChain(PromotedConninfo()),
            kSenders * kSendsPerSender);
}

}  // namespace
}  // namespace caregate::replicas
