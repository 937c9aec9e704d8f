// An unauthenticated peer must not wedge the gateway with connections
// (issue 10, item 1): a flood larger than the gateway's file limit leaves it
// serving again within 10 s of the flood ending, and a connection that never
// starts TLS is closed within seconds. The real caregated, as a child process
// with RLIMIT_NOFILE lowered to 1024.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/flood/flood_support.h"
#include "tests/testing/status_matchers.h"

namespace caregate::flood {
namespace {

using ::testing::HasSubstr;

constexpr rlim_t kGatewayFileLimit = 1024;

using ConnectionFloodTest = DevGatewayTest;

TEST_F(ConnectionFloodTest, ServesAgainWithinTenSecondsOfAFloodOfIdleSockets) {
  const int flood_size = static_cast<int>(kGatewayFileLimit) * 6 / 5;
  CG_ASSERT_OK(RaiseOwnFileLimit(flood_size + 256));
  crash::SpawnOptions options;
  options.max_open_files = kGatewayFileLimit;
  CG_ASSERT_OK(gateway_->Spawn(options));
  CG_ASSERT_OK(gateway_->WaitServing(absl::Seconds(30)));

  absl::StatusOr<IdleConnections> flood =
      IdleConnections::Open(setup().port(), flood_size, absl::Seconds(3));
  CG_ASSERT_OK(flood);
  std::cout << "flood: " << flood->connected() << " connected, "
            << flood->failed() << " failed, " << flood->pending()
            << " pending of " << flood_size << "\n";
  // The attack reached the gateway: more connections than it may have files.
  EXPECT_GT(flood->connected(), static_cast<int>(kGatewayFileLimit));
  // Held a moment (the attack's duration; no state is awaited), then gone.
  absl::SleepFor(absl::Milliseconds(500));
  flood->CloseAll();

  // A real mTLS call (grpc.health.v1 Check as compliance-officer), retried
  // on one channel as a client would.
  const absl::Time ended = absl::Now();
  CG_ASSERT_OK(gateway_->WaitServing(absl::Seconds(10)));
  const absl::Duration recovery = absl::Now() - ended;
  std::cout << "serving again " << absl::FormatDuration(recovery)
            << " after the flood ended\n";
  RecordProperty("ms_to_serve_again",
                 static_cast<int>(absl::ToInt64Milliseconds(recovery)));
  EXPECT_TRUE(gateway_->running());
  // It refused the excess at its cap rather than running out of files.
  const std::string log = GatewayLog();
  EXPECT_THAT(log, HasSubstr("connection limit"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("Too many open files")));
  CG_EXPECT_OK(gateway_->Stop(absl::Seconds(20)));
}

TEST_F(ConnectionFloodTest, ClosesAConnectionThatNeverStartsTls) {
  CG_ASSERT_OK(gateway_->Spawn());
  CG_ASSERT_OK(gateway_->WaitServing(absl::Seconds(30)));
  absl::StatusOr<IdleConnections> idle =
      IdleConnections::Open(setup().port(), 1, absl::Seconds(3));
  CG_ASSERT_OK(idle);
  ASSERT_EQ(idle->connected(), 1);
  const absl::Time start = absl::Now();
  absl::StatusOr<absl::Duration> closed_after =
      idle->AwaitClosedByPeer(0, absl::Seconds(15));
  CG_ASSERT_OK(closed_after);
  std::cout << "idle connection closed by the gateway after "
            << absl::FormatDuration(absl::Now() - start) << "\n";
  // The default handshake timeout is 5 s: closed by that timer, not at once
  // (a refusal) and not minutes later (gRPC's own default is 120 s).
  EXPECT_GE(*closed_after, absl::Seconds(4));
  EXPECT_LE(*closed_after, absl::Seconds(8));
  CG_EXPECT_OK(gateway_->WaitServing(absl::Seconds(5)));
  CG_EXPECT_OK(gateway_->Stop(absl::Seconds(20)));
}

}  // namespace
}  // namespace caregate::flood
