#include "bench/load/load_options.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace caregate::bench {
namespace {

using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

LoadOptions Valid() {
  LoadOptions o;
  o.gateways = {"127.0.0.1:7443"};
  o.profile = "/tmp/dev/pki/dr-rivera";
  o.scenarios = {Scenario::kHealth};
  return o;
}

TEST(ParseScenariosTest, ParsesTheListInOrder) {
  auto scenarios = ParseScenarios("send, health,mixed,check,payload");
  ASSERT_TRUE(scenarios.ok());
  EXPECT_THAT(*scenarios,
              ElementsAre(Scenario::kSend, Scenario::kHealth, Scenario::kMixed,
                          Scenario::kCheck, Scenario::kPayload));
}

TEST(ParseScenariosTest, RefusesAnUnknownName) {
  EXPECT_THAT(ParseScenarios("health,chek"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--scenarios: unknown scenario \"chek\"")));
}

TEST(ParseScenariosTest, RefusesAnEmptyList) {
  EXPECT_THAT(ParseScenarios(""), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("--scenarios")));
}

TEST(IsLoopbackTargetTest, AcceptsLoopbackAddressesWithAPort) {
  EXPECT_TRUE(IsLoopbackTarget("127.0.0.1:7443"));
  EXPECT_TRUE(IsLoopbackTarget("127.1.2.3:1"));
  EXPECT_TRUE(IsLoopbackTarget("localhost:65535"));
  EXPECT_TRUE(IsLoopbackTarget("[::1]:7443"));
}

TEST(IsLoopbackTargetTest, RefusesOtherHostsAndBadPorts) {
  EXPECT_FALSE(IsLoopbackTarget("10.0.0.1:7443"));
  EXPECT_FALSE(IsLoopbackTarget("gateway.example.org:7443"));
  EXPECT_FALSE(IsLoopbackTarget("0.0.0.0:7443"));
  EXPECT_FALSE(IsLoopbackTarget("127.0.0.1.example.org:7443"));
  EXPECT_FALSE(IsLoopbackTarget("127.0.0.256:7443"));
  EXPECT_FALSE(IsLoopbackTarget("127.0.0.1"));
  EXPECT_FALSE(IsLoopbackTarget("127.0.0.1:0"));
  EXPECT_FALSE(IsLoopbackTarget("127.0.0.1:70000"));
  EXPECT_FALSE(IsLoopbackTarget("127.0.0.1:x"));
}

TEST(ValidateLoadOptionsTest, AcceptsTheDefaults) {
  EXPECT_THAT(ValidateLoadOptions(Valid()), IsOk());
}

TEST(ValidateLoadOptionsTest, RefusesARemoteGateway) {
  LoadOptions o = Valid();
  o.gateways = {"192.168.1.20:7443"};
  EXPECT_THAT(ValidateLoadOptions(o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--gateway: want a loopback")));
}

TEST(ValidateLoadOptionsTest, RefusesARemoteGatewayAmongReplicas) {
  LoadOptions o = Valid();
  o.gateways = ParseGateways("127.0.0.1:7443, 10.0.0.2:7444");
  EXPECT_THAT(ValidateLoadOptions(o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("got \"10.0.0.2:7444\"")));
}

TEST(ValidateLoadOptionsTest, AcceptsSeveralLoopbackReplicas) {
  LoadOptions o = Valid();
  o.gateways = ParseGateways("127.0.0.1:7443,127.0.0.1:7444");
  EXPECT_THAT(o.gateways, ElementsAre("127.0.0.1:7443", "127.0.0.1:7444"));
  EXPECT_THAT(ValidateLoadOptions(o), IsOk());
}

TEST(ValidateLoadOptionsTest, RefusesNoGatewayAndTooMany) {
  LoadOptions o = Valid();
  o.gateways.clear();
  EXPECT_THAT(ValidateLoadOptions(o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--gateway: want 1..8")));
  o.gateways.assign(kMaxGateways + 1, "127.0.0.1:7443");
  EXPECT_THAT(ValidateLoadOptions(o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--gateway: want 1..8")));
}

TEST(ParseGatewayPidsTest, ParsesAListAndNamesABadPart) {
  auto pids = ParseGatewayPids("101,202");
  ASSERT_TRUE(pids.ok());
  EXPECT_THAT(*pids, ElementsAre(101, 202));
  auto none = ParseGatewayPids("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_THAT(ParseGatewayPids("101,x"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--gateway_pid: want process ids")));
  EXPECT_THAT(ParseGatewayPids("0"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("got \"0\"")));
}

TEST(ValidateLoadOptionsTest, RefusesAMissingProfile) {
  LoadOptions o = Valid();
  o.profile.clear();
  EXPECT_THAT(ValidateLoadOptions(o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--profile: required")));
}

TEST(ValidateLoadOptionsTest, BoundsConcurrencyDurationAndConsents) {
  LoadOptions o = Valid();
  o.concurrency = 0;
  EXPECT_THAT(ValidateLoadOptions(o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--concurrency: want 1..1024")));
  o = Valid();
  o.concurrency = 1025;
  EXPECT_THAT(
      ValidateLoadOptions(o),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--concurrency")));
  o = Valid();
  o.duration = absl::Minutes(11);
  EXPECT_THAT(
      ValidateLoadOptions(o),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--duration")));
  o = Valid();
  o.duration = absl::ZeroDuration();
  EXPECT_THAT(
      ValidateLoadOptions(o),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--duration")));
  o = Valid();
  o.warmup = absl::Minutes(2);
  EXPECT_THAT(
      ValidateLoadOptions(o),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--warmup")));
  o = Valid();
  o.consents = kMaxConsents + 1;
  EXPECT_THAT(
      ValidateLoadOptions(o),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--consents")));
  o = Valid();
  o.connections = 0;
  EXPECT_THAT(
      ValidateLoadOptions(o),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--connections")));
  o = Valid();
  o.rate = -1;
  EXPECT_THAT(
      ValidateLoadOptions(o),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--rate")));
  o.rate = 500;
  EXPECT_TRUE(ValidateLoadOptions(o).ok());
}

TEST(ProfilePathsTest, UsesThePrefixAndTheCaBesideIt) {
  ProfileFiles files = ProfilePaths("/tmp/dev/pki/dr-rivera");
  EXPECT_EQ(files.cert, "/tmp/dev/pki/dr-rivera.crt");
  EXPECT_EQ(files.key, "/tmp/dev/pki/dr-rivera.key");
  EXPECT_EQ(files.ca, "/tmp/dev/pki/ca.crt");
}

TEST(ProfilePathsTest, ARelativeProfileUsesTheCurrentDirectory) {
  ProfileFiles files = ProfilePaths("dr-rivera");
  EXPECT_EQ(files.cert, "dr-rivera.crt");
  EXPECT_EQ(files.ca, "./ca.crt");
}

}  // namespace
}  // namespace caregate::bench
