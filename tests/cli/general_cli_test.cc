// caregatectl's conventions against a real gateway: health, --help with
// examples for every command, exit code 2 with usage for a bad command line,
// and one-line errors for an unreachable gateway, a bad certificate and a
// refused role.
#include "gmock/gmock.h"
#include "grpc/health/v1/health.pb.h"
#include "gtest/gtest.h"
#include "tests/cli/cli_fixtures.h"

namespace caregate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

using GeneralCliTest = CliTest;

TEST_F(GeneralCliTest, HealthReportsServing) {
  CtlResult r = gateway().As("gateway-admin", {"health"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "SERVING (gateway " + gateway().address() + ")\n");
  CtlResult json = gateway().As("dr-rivera", {"health", "--json"});
  std::vector<::grpc::health::v1::HealthCheckResponse> h =
      ParseJsonLines<::grpc::health::v1::HealthCheckResponse>(json.out);
  ASSERT_THAT(h, SizeIs(1));
  EXPECT_EQ(h[0].status(), ::grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(GeneralCliTest, ProfileFromTheEnvironmentFindsTheGateway) {
  CtlResult r =
      RunCtl({"health"}, {{"CAREGATE_PROFILE", gateway().Profile("dr-novak")}});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(gateway().address()));
}

TEST_F(GeneralCliTest, ExplicitCertificateFlagsWork) {
  const std::string pki = gateway().dir() + "/pki/";
  CtlResult r =
      RunCtl({"health", "--gateway", gateway().address(), "--cert",
              pki + "compliance-officer.crt", "--key",
              pki + "compliance-officer.key", "--ca", pki + "ca.crt"});
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(GeneralCliTest, EveryCommandHasHelpWithExamples) {
  const std::vector<std::vector<std::string>> commands = {
      {"health"},
      {"consent", "record"},
      {"consent", "revoke"},
      {"consent", "get"},
      {"consent", "list"},
      {"check"},
      {"send"},
      {"disclosure", "get"},
      {"inbox", "list"},
      {"inbox", "watch"},
      {"inbox", "show"},
      {"inbox", "ack"},
      {"audit", "query"},
      {"audit", "verify"},
      {"audit", "checkpoint"},
      {"audit", "accounting"},
      {"audit", "export"},
      {"audit", "verify-offline"},
      {"dev-init"}};
  for (std::vector<std::string> args : commands) {
    std::string name = args[0] + (args.size() > 1 ? " " + args[1] : "");
    SCOPED_TRACE(name);
    args.push_back("--help");
    CtlResult r = RunCtl(args);
    EXPECT_EQ(r.code, 0);
    EXPECT_THAT(r.out, HasSubstr("usage: caregatectl " + name));
    EXPECT_THAT(r.out, HasSubstr("example"));
    EXPECT_THAT(r.out, HasSubstr("  caregatectl " + name));
    EXPECT_THAT(r.err, IsEmpty());
  }
  for (const char* group : {"consent", "disclosure", "inbox", "audit"}) {
    CtlResult r = RunCtl({group, "--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_THAT(r.out, HasSubstr(std::string("usage: caregatectl ") + group +
                                 " COMMAND"));
  }
  CtlResult r = RunCtl({"help", "consent", "record"});
  EXPECT_THAT(r.out, HasSubstr("usage: caregatectl consent record"));
}

TEST_F(GeneralCliTest, BadFlagExits2WithUsage) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"send", "--colour", "blue"},
           {"consent", "list", "--patient"},
           {"inbox", "ack"},
           {"audit", "query", "--action", "shredded"},
           {"health", "--wait", "soon"}}) {
    SCOPED_TRACE(args[0] + " " + args[1]);
    CtlResult r = gateway().As("dr-rivera", args);
    EXPECT_EQ(r.code, 2);
    EXPECT_THAT(r.err, HasSubstr("\n\nusage: caregatectl "));
    EXPECT_THAT(r.out, IsEmpty());
  }
  CtlResult r = RunCtl({"consent", "frobnicate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("caregatectl consent: unknown command "
                               "\"frobnicate\""));
  r = RunCtl({"inbox", "list"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("no credentials: pass --profile"));
}

TEST_F(GeneralCliTest, UnreachableGatewayIsOneLine) {
  CtlResult r = gateway().As("dr-rivera", {"consent", "list", "--patient",
                                           "p-1", "--gateway", "127.0.0.1:1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "caregatectl consent list: cannot reach the gateway at "
            "127.0.0.1:1 (is caregated running?)\n");
  EXPECT_THAT(r.out, IsEmpty());
}

TEST_F(GeneralCliTest, BadCertificateIsOneLine) {
  const std::string not_pem = gateway().WriteFile("not-a-cert.crt", "hello");
  CtlResult r = gateway().As("dr-rivera", {"health", "--cert", not_pem});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "caregatectl health: bad certificate: " + not_pem +
                       " is not a PEM certificate\n");
  const std::string pki = gateway().dir() + "/pki/";
  r = gateway().As("dr-rivera", {"health", "--key", pki + "dr-novak.key"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("does not match its certificate"));
  r = gateway().As("dr-rivera", {"health", "--ca", pki + "dr-rivera.crt"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "caregatectl health: TLS handshake with the gateway at " +
                       gateway().address() +
                       " failed: check --ca, --cert and --key\n");
  r = gateway().As("dr-rivera", {"health", "--cert", "/nonexistent.crt"});
  EXPECT_EQ(r.err,
            "caregatectl health: bad certificate: cannot read "
            "/nonexistent.crt\n");
}

TEST_F(GeneralCliTest, PermissionDeniedNamesTheRole) {
  CtlResult r = gateway().As(
      "core-pelvic-pt-inbox",
      NoteArgs("send", NewPatientId(), "core-pelvic-pt", "pt-lindqvist",
               {"homework_adherence=Private body text"}));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("caregatectl send: permission denied: role "
                               "ROLE_CLINIC may not call"));
  EXPECT_THAT(Lines(r.err), SizeIs(1));
  EXPECT_THAT(r.err, Not(HasSubstr("Private body text")));
}

}  // namespace
}  // namespace caregate::testing
