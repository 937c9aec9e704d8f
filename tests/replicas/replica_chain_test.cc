// Three caregated replicas on one PostgreSQL database, sending at once over
// real mTLS gRPC: every send commits, and the audit log stays one linear
// chain (each group locks the log head before it appends, ADR 5).
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/replicas/replica_calls.h"
#include "tests/replicas/replica_set.h"

namespace caregate::replicas {
namespace {

constexpr int kReplicas = 3;
constexpr int kSendsPerReplica = 200;
constexpr int kClientsPerReplica = 4;
constexpr absl::Duration kLoadLimit = absl::Seconds(60);

TEST(ReplicaChainTest, ConcurrentSendsOnThreeReplicasMakeOneChain) {
  absl::StatusOr<std::unique_ptr<ReplicaSet>> set =
      ReplicaSet::Create(kReplicas);
  ASSERT_TRUE(set.ok()) << set.status();
  ReplicaSet& replicas = **set;
  absl::Status started = replicas.StartAll(absl::Seconds(60));
  ASSERT_TRUE(started.ok()) << started;

  // One patient per replica, its consent recorded through that replica.
  for (int r = 0; r < kReplicas; ++r) {
    v1::Consent consent;
    grpc::Status s = RecordConsent(replicas.Channel(r, "dr-rivera"),
                                   PtConsent(absl::StrCat("p-chain-", r)),
                                   absl::StrCat("consent-", r), &consent);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  absl::Mutex mu;
  std::vector<std::string> failures;
  std::multiset<int64_t> seqs;
  std::atomic<int> sent{0};
  const absl::Time deadline = absl::Now() + kLoadLimit;
  std::vector<std::thread> clients;
  for (int r = 0; r < kReplicas; ++r) {
    for (int c = 0; c < kClientsPerReplica; ++c) {
      clients.emplace_back([&, r, c] {
        const auto channel = replicas.Channel(r, "dr-rivera");
        for (int i = c; i < kSendsPerReplica; i += kClientsPerReplica) {
          if (absl::Now() > deadline) {
            absl::MutexLock lock(&mu);
            failures.push_back("out of time");
            return;
          }
          v1::SendDisclosureResponse response;
          const grpc::Status s = Send(
              channel,
              PtNote(absl::StrCat("p-chain-", r), absl::StrCat("s-", r, "-", i),
                     absl::StrCat("note ", i)),
              &response);
          absl::MutexLock lock(&mu);
          if (!s.ok()) {
            failures.push_back(absl::StrCat("replica ", r, " send ", i, ": ",
                                            s.error_message()));
            continue;
          }
          seqs.insert(response.receipt().audit_seq());
          ++sent;
        }
      });
    }
  }
  for (std::thread& t : clients) t.join();
  ASSERT_THAT(failures, ::testing::IsEmpty());
  EXPECT_EQ(sent.load(), kReplicas * kSendsPerReplica);
  EXPECT_EQ(std::set<int64_t>(seqs.begin(), seqs.end()).size(), seqs.size())
      << "two receipts carry one audit seq";

  // Every replica verifies the log (through its own committed head).
  for (int r = 0; r < kReplicas; ++r) {
    v1::VerifyAuditLogResponse verified;
    grpc::Status s =
        VerifyAuditLog(replicas.Channel(r, "compliance-officer"), &verified);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(verified.ok()) << "replica " << r << ": " << verified.problem();
  }

  // The whole stored log: one chain from seq 1, no gap or duplicate, ending
  // at the head row.
  const int64_t events =
      ExpectStoredLogIsOneChain(replicas.database().conninfo);
  // The 600 sends and 3 consents at least, on one chain.
  EXPECT_GE(events, kReplicas * kSendsPerReplica + kReplicas);
}

}  // namespace
}  // namespace caregate::replicas
