// A replica that cannot reach its PostgreSQL database answers
// grpc.health.v1 NOT_SERVING and refuses calls with UNAVAILABLE; once the
// database is back it serves again.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/replicas/replica_calls.h"
#include "tests/replicas/replica_set.h"

namespace caregate::replicas {
namespace {

using HealthStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

constexpr absl::Duration kWait = absl::Seconds(20);

// The health status replica `r` answers (UNKNOWN when the call fails).
HealthStatus Health(ReplicaSet& replicas, int r) {
  auto stub = grpc::health::v1::Health::NewStub(
      replicas.Channel(r, "compliance-officer"));
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status s = stub->Check(
      Ctx(5).get(), grpc::health::v1::HealthCheckRequest(), &response);
  return s.ok() ? response.status()
                : grpc::health::v1::HealthCheckResponse::UNKNOWN;
}

// Polls (every 100 ms, up to kWait) until replica `r` answers `want`.
bool AwaitHealth(ReplicaSet& replicas, int r, HealthStatus want) {
  const absl::Time deadline = absl::Now() + kWait;
  while (absl::Now() < deadline) {
    if (Health(replicas, r) == want) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

TEST(ReplicaHealthTest, NotServingWhileTheDatabaseIsUnreachable) {
  absl::StatusOr<std::unique_ptr<ReplicaSet>> set = ReplicaSet::Create(1);
  ASSERT_TRUE(set.ok()) << set.status();
  ReplicaSet& replicas = **set;
  ASSERT_TRUE(replicas.StartAll(absl::Seconds(60)).ok());
  const auto therapist = replicas.Channel(0, "dr-rivera");
  v1::Consent consent;
  grpc::Status s =
      RecordConsent(therapist, PtConsent("p-health"), "consent-1", &consent);
  ASSERT_TRUE(s.ok()) << s.error_message();

  absl::StatusOr<std::string> server = testing::TestServerConninfo();
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string admin = *server + " dbname=postgres";
  const std::string name = replicas.database().name;
  // No new connection to the database, and the replica's are ended.
  ASSERT_TRUE(
      testing::ExecSql(admin, absl::StrCat("ALTER DATABASE \"", name,
                                           "\" ALLOW_CONNECTIONS false"))
          .ok());
  ASSERT_TRUE(testing::ExecSql(
                  admin, absl::StrCat("SELECT pg_terminate_backend(pid) FROM "
                                      "pg_stat_activity WHERE datname = '",
                                      name, "'"))
                  .ok());
  EXPECT_TRUE(AwaitHealth(replicas, 0,
                          grpc::health::v1::HealthCheckResponse::NOT_SERVING));
  v1::SendDisclosureResponse sent;
  s = Send(therapist, PtNote("p-health", "send-down", "while down"), &sent);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();

  ASSERT_TRUE(testing::ExecSql(admin, absl::StrCat("ALTER DATABASE \"", name,
                                                   "\" ALLOW_CONNECTIONS true"))
                  .ok());
  EXPECT_TRUE(
      AwaitHealth(replicas, 0, grpc::health::v1::HealthCheckResponse::SERVING));
  s = Send(therapist, PtNote("p-health", "send-up", "after"), &sent);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

}  // namespace
}  // namespace caregate::replicas
