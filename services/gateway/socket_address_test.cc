#include "services/gateway/socket_address.h"

#include <netinet/in.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ResolveHostPortTest, NumericAddresses) {
  absl::StatusOr<std::vector<SocketAddress>> v4 =
      ResolveHostPort("127.0.0.1:7443");
  CG_ASSERT_OK(v4);
  ASSERT_EQ(v4->size(), 1u);
  EXPECT_EQ(v4->front().family(), AF_INET);
  EXPECT_EQ(v4->front().port(), 7443);
  EXPECT_EQ(v4->front().ToString(), "127.0.0.1:7443");
  EXPECT_FALSE(v4->front().IsWildcard());

  absl::StatusOr<std::vector<SocketAddress>> v6 = ResolveHostPort("[::1]:80");
  CG_ASSERT_OK(v6);
  EXPECT_EQ(v6->front().family(), AF_INET6);
  EXPECT_EQ(v6->front().ToString(), "[::1]:80");
}

TEST(ResolveHostPortTest, Wildcards) {
  EXPECT_TRUE(ResolveHostPort("0.0.0.0:0")->front().IsWildcard());
  EXPECT_TRUE(ResolveHostPort("[::]:7443")->front().IsWildcard());
  EXPECT_EQ(ResolveHostPort("[::]:7443")->front().port(), 7443);
}

TEST(ResolveHostPortTest, RejectsWhatIsNotHostPort) {
  EXPECT_THAT(ResolveHostPort("127.0.0.1"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\"127.0.0.1\": must be host:port")));
  for (const char* bad : {"127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536",
                          "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1: 80"}) {
    EXPECT_THAT(ResolveHostPort(bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("port must be 0-65535")))
        << bad;
  }
}

}  // namespace
}  // namespace caregate
