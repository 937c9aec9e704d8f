#include "services/ctl/connection.h"

#include <stdlib.h>

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/pki/dev_pki.h"
#include "tests/testing/status_matchers.h"

namespace caregate::ctl {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

// A dev setup listening on 127.0.0.1:9555, shared by the tests here.
class ConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir() + "/connection_test_" +
                           std::to_string(::getpid()));
    std::filesystem::remove_all(*dir_);
    pki::DevInitOptions options;
    options.dir = *dir_;
    options.listen = "127.0.0.1:9555";
    ASSERT_TRUE(pki::RunDevInit(options).ok());
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    unsetenv("CAREGATE_PROFILE");
    unsetenv("CAREGATE_GATEWAY");
  }
  void TearDown() override { SetUp(); }

  static std::string Profile(const std::string& principal) {
    return *dir_ + "/pki/" + principal;
  }
  static std::string* dir_;
};

std::string* ConnectionTest::dir_ = nullptr;

TEST_F(ConnectionTest, ProfilePaths) {
  EXPECT_EQ(ProfileDir("dev/pki/dr-rivera"), "dev");
  EXPECT_EQ(ProfileDir("dev/pki/dr-rivera.crt"), "dev");
  EXPECT_EQ(ProfileDir("pki/dr-rivera"), ".");
  EXPECT_EQ(ProfileDir(""), "");
  ConnectionFlags flags;
  EXPECT_EQ(PublicKeyPath(flags, ""), "");
  EXPECT_EQ(PublicKeyPath(flags, "k.pem"), "k.pem");
  flags.profile = "dev/pki/dr-rivera";
  EXPECT_EQ(PublicKeyPath(flags, ""), "dev/keys/audit-signing.pub.pem");
}

TEST_F(ConnectionTest, ProfileGivesCredentialsAndTheConfiguredAddress) {
  ConnectionFlags flags;
  flags.profile = Profile("dr-rivera");
  absl::StatusOr<Connection> c = Connect(flags);
  CG_ASSERT_OK(c);
  EXPECT_EQ(c->target, "127.0.0.1:9555");
  EXPECT_EQ(c->profile_dir, *dir_);
  EXPECT_NE(c->channel, nullptr);
  EXPECT_EQ(c->timeout, absl::Seconds(10));
}

TEST_F(ConnectionTest, EnvironmentAndFlagsTakePrecedence) {
  setenv("CAREGATE_PROFILE", Profile("dr-novak").c_str(), 1);
  ConnectionFlags flags;
  EXPECT_EQ(EffectiveProfile(flags), Profile("dr-novak"));
  setenv("CAREGATE_GATEWAY", "localhost:1234", 1);
  EXPECT_EQ(Connect(flags)->target, "localhost:1234");
  flags.gateway = "127.0.0.1:4321";
  flags.timeout = "3s";
  absl::StatusOr<Connection> c = Connect(flags);
  CG_ASSERT_OK(c);
  EXPECT_EQ(c->target, "127.0.0.1:4321");
  EXPECT_EQ(c->timeout, absl::Seconds(3));
}

TEST_F(ConnectionTest, ExplicitFilesWithoutProfileDefaultTheAddress) {
  ConnectionFlags flags;
  flags.cert = Profile("dr-rivera") + ".crt";
  flags.key = Profile("dr-rivera") + ".key";
  flags.ca = *dir_ + "/pki/ca.crt";
  absl::StatusOr<Connection> c = Connect(flags);
  CG_ASSERT_OK(c);
  EXPECT_EQ(c->target, "127.0.0.1:7443");
}

TEST_F(ConnectionTest, CommandLineProblemsAreInvalidArgument) {
  EXPECT_THAT(Connect(ConnectionFlags()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no credentials")));
  ConnectionFlags flags;
  flags.profile = Profile("dr-rivera");
  flags.timeout = "forever";
  EXPECT_THAT(Connect(flags), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("--timeout")));
}

TEST_F(ConnectionTest, BadFilesAreFailedPreconditionNamingTheFile) {
  ConnectionFlags flags;
  flags.profile = Profile("nobody");
  EXPECT_THAT(Connect(flags),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("bad certificate: cannot read " +
                                 Profile("nobody") + ".crt")));
  flags.profile = Profile("dr-rivera");
  flags.key = Profile("dr-novak") + ".key";
  EXPECT_THAT(Connect(flags),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("does not match its certificate")));
  flags.key = Profile("dr-rivera") + ".crt";
  EXPECT_THAT(Connect(flags), StatusIs(absl::StatusCode::kFailedPrecondition,
                                       HasSubstr("is not a PEM private key")));
}

TEST_F(ConnectionTest, DescribesFailedCallsInOneLine) {
  Connection c;
  c.target = "127.0.0.1:1";
  EXPECT_EQ(DescribeRpcError(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                          "failed to connect\nto all"),
                             c),
            "cannot reach the gateway at 127.0.0.1:1 (is caregated running?)");
  EXPECT_EQ(DescribeRpcError(
                grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                             "role ROLE_CLINIC may not call SendDisclosure"),
                c),
            "permission denied: role ROLE_CLINIC may not call SendDisclosure");
  EXPECT_EQ(DescribeRpcError(
                grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, ""), c),
            "the gateway at 127.0.0.1:1 did not answer within 10s");
}

}  // namespace
}  // namespace caregate::ctl
