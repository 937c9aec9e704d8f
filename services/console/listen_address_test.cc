#include "services/console/listen_address.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate::console {
namespace {

using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParseLoopbackListenTest, AcceptsLoopbackAddresses) {
  absl::StatusOr<LoopbackAddress> a = ParseLoopbackListen("127.0.0.1:8080");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(a->HostPort(8080), "127.0.0.1:8080");

  absl::StatusOr<LoopbackAddress> any_port = ParseLoopbackListen("127.0.0.1:0");
  ASSERT_THAT(any_port, IsOk());
  EXPECT_EQ(any_port->port, 0);
  EXPECT_EQ(any_port->HostPort(41234), "127.0.0.1:41234");

  EXPECT_THAT(ParseLoopbackListen("127.8.9.10:1"), IsOk());
  absl::StatusOr<LoopbackAddress> v6 = ParseLoopbackListen("[::1]:9000");
  ASSERT_THAT(v6, IsOk());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->HostPort(9000), "[::1]:9000");
}

TEST(ParseLoopbackListenTest, RefusesAnythingBeyondLoopback) {
  for (const char* address :
       {"0.0.0.0:0", "0.0.0.0:8080", "[::]:8080", "192.168.1.10:8080",
        "10.0.0.1:80", "[2001:db8::1]:80", "[::ffff:127.0.0.1]:80"}) {
    EXPECT_THAT(ParseLoopbackListen(address),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("is not a loopback address; the console "
                                   "serves on loopback only")))
        << address;
  }
  EXPECT_THAT(ParseLoopbackListen("localhost:8080"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not an IP address: localhost")));
}

TEST(ParseLoopbackListenTest, RefusesMalformedAddresses) {
  EXPECT_THAT(ParseLoopbackListen("127.0.0.1"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--listen: expected HOST:PORT")));
  EXPECT_THAT(ParseLoopbackListen(":8080"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected HOST:PORT")));
  EXPECT_THAT(ParseLoopbackListen("127.0.0.1:65536"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("bad port \"65536\"")));
  EXPECT_THAT(
      ParseLoopbackListen("127.0.0.1:http"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bad port")));
  EXPECT_THAT(ParseLoopbackListen("[::1:80"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected [IPV6]:PORT")));
}

}  // namespace
}  // namespace caregate::console
