#include "services/receiver/receiver_flags.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate::care_receiver {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ReceiverFlagsTest, ParsesEveryFlagInBothForms) {
  auto parsed = ParseReceiverFlags(
      {"--listen", "127.0.0.1:9443", "--tls-cert=r.crt", "--tls-key", "r.key",
       "--ca", "ca.crt", "--pubkey=gw.pub.pem", "--out", "inbox", "--ack",
       "--client-uri", "spiffe://caregate.local/gateway-delivery"});
  CG_ASSERT_OK(parsed);
  const ReceiverOptions& o = parsed->options;
  EXPECT_FALSE(parsed->help);
  EXPECT_EQ(o.listen, "127.0.0.1:9443");
  EXPECT_EQ(o.tls_cert_file, "r.crt");
  EXPECT_EQ(o.tls_key_file, "r.key");
  EXPECT_EQ(o.ca_file, "ca.crt");
  EXPECT_EQ(o.pubkey_file, "gw.pub.pem");
  EXPECT_EQ(o.out_dir, "inbox");
  EXPECT_TRUE(o.acknowledge);
  EXPECT_EQ(o.client_uri, "spiffe://caregate.local/gateway-delivery");
}

TEST(ReceiverFlagsTest, AckDefaultsToFalseAndTakesAnExplicitValue) {
  auto none = ParseReceiverFlags({});
  CG_ASSERT_OK(none);
  EXPECT_FALSE(none->options.acknowledge);
  auto off = ParseReceiverFlags({"--ack=false"});
  CG_ASSERT_OK(off);
  EXPECT_FALSE(off->options.acknowledge);
  EXPECT_THAT(ParseReceiverFlags({"--ack=yes"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--ack takes true or false")));
}

TEST(ReceiverFlagsTest, RefusesWhatItDoesNotKnow) {
  EXPECT_THAT(ParseReceiverFlags({"--tls_cert", "x"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown flag --tls_cert")));
  EXPECT_THAT(ParseReceiverFlags({"--out"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--out needs a value")));
  EXPECT_THAT(ParseReceiverFlags({"inbox"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unexpected argument \"inbox\"")));
}

TEST(ReceiverFlagsTest, HelpExplainsEveryFlag) {
  auto parsed = ParseReceiverFlags({"--out", "x", "--help"});
  CG_ASSERT_OK(parsed);
  EXPECT_TRUE(parsed->help);
  const std::string usage = ReceiverUsage();
  for (const char* flag :
       {"--listen HOST:PORT\n", "--tls-cert FILE\n", "--tls-key FILE\n",
        "--ca FILE\n", "--pubkey FILE\n", "--out DIR\n", "--ack\n",
        "--client-uri URI\n", "--help\n"}) {
    EXPECT_THAT(usage, HasSubstr(flag)) << flag;
  }
  EXPECT_THAT(usage, HasSubstr("example"));
}

}  // namespace
}  // namespace caregate::care_receiver
