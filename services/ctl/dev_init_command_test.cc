#include "services/ctl/dev_init_command.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/ctl/cli.h"
#include "tests/testing/temp_dir.h"

namespace caregate::ctl {
namespace {

namespace fs = std::filesystem;
using ::caregate::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result RunCtl(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  int code = RunCli(args, {out, err});
  return {code, out.str(), err.str()};
}

int CountLines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

TEST(DevInitCommandTest, HelpShowsUsageWithExample) {
  Result r = RunCtl({"dev-init", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("usage: caregatectl dev-init DIR"));
  EXPECT_THAT(r.out, HasSubstr("--listen HOST:PORT"));
  EXPECT_THAT(r.out, HasSubstr("--trust-domain DOMAIN"));
  EXPECT_THAT(r.out, HasSubstr("example:\n  caregatectl dev-init "));
}

TEST(DevInitCommandTest, WritesSetupAndPrintsNextStep) {
  TempDir tmp;
  fs::path dir = tmp / "dev";
  Result r = RunCtl({"dev-init", dir.string(), "--trust-domain", "td.test"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  EXPECT_TRUE(fs::exists(dir / "pki" / "dr-rivera.crt"));
  EXPECT_THAT(r.out, HasSubstr("\n  keys/data.key "));
  EXPECT_THAT(r.out, HasSubstr("caregated --config " +
                               (dir / "caregate.textproto").string() + "\n"));
  std::ifstream config(dir / "caregate.textproto");
  std::stringstream text;
  text << config.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("trust_domain: \"td.test\""));
}

TEST(DevInitCommandTest, ListenFlagReachesTheConfig) {
  TempDir tmp;
  fs::path dir = tmp / "dev";
  Result r = RunCtl({"dev-init", "--listen=127.0.0.1:9443", dir.string()});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  std::ifstream config(dir / "caregate.textproto");
  std::stringstream text;
  text << config.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("listen_address: \"127.0.0.1:9443\""));
}

TEST(DevInitCommandTest, ExistingSetupIsRefusedWithOneLine) {
  TempDir tmp;
  fs::path dir = tmp.path();
  ASSERT_EQ(RunCtl({"dev-init", dir.string()}).code, kExitOk);
  Result r = RunCtl({"dev-init", dir.string()});
  EXPECT_EQ(r.code, kExitFailed);
  EXPECT_THAT(r.err, HasSubstr("caregatectl dev-init: " +
                               (dir / "caregate.textproto").string() +
                               " already exists"));
  EXPECT_EQ(CountLines(r.err), 1);
  EXPECT_THAT(r.out, IsEmpty());
}

TEST(DevInitCommandTest, UnknownFlagIsAUsageError) {
  TempDir tmp;
  fs::path dir = tmp / "dev";
  Result r = RunCtl({"dev-init", dir.string(), "--force"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("unknown flag --force"));
  EXPECT_THAT(r.err, HasSubstr("usage: caregatectl dev-init"));
  EXPECT_FALSE(fs::exists(dir));
}

TEST(DevInitCommandTest, MissingOrExtraDirIsAUsageError) {
  Result r = RunCtl({"dev-init"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("missing DIR"));
  r = RunCtl({"dev-init", "a", "b"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("expected one DIR"));
}

TEST(DevInitCommandTest, BadFlagValueIsAUsageError) {
  TempDir tmp;
  fs::path dir = tmp / "dev";
  Result r = RunCtl({"dev-init", dir.string(), "--listen", "nohostport"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("listen address \"nohostport\""));
  EXPECT_FALSE(fs::exists(dir));
}

std::string ReadConfig(const fs::path& dir) {
  std::ifstream config(dir / "caregate.textproto");
  std::stringstream text;
  text << config.rdbuf();
  return text.str();
}

TEST(DevInitCommandTest, HelpExplainsPush) {
  Result r = RunCtl({"dev-init", "--help"});
  EXPECT_THAT(r.out, HasSubstr("--push ORG=HOST:PORT"));
  EXPECT_THAT(r.out, HasSubstr("ORG=https://URL names a FHIR server"));
}

TEST(DevInitCommandTest, PushFlagsGiveGrpcAndFhirBlocks) {
  TempDir tmp;
  fs::path dir = tmp / "dev";
  Result r = RunCtl({"dev-init", dir.string(), "--push",
                     "lakeside-obgyn=127.0.0.1:9443", "--push",
                     "core-pelvic-pt=https://127.0.0.1:9444/fhir"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const std::string text = ReadConfig(dir);
  EXPECT_THAT(text, HasSubstr("endpoint: \"127.0.0.1:9443\""));
  EXPECT_THAT(text, HasSubstr("base_url: \"https://127.0.0.1:9444/fhir\""));
  EXPECT_EQ(text.find("grpc {"), text.rfind("grpc {"));  // only one
  EXPECT_TRUE(fs::exists(dir / "pki" / "receiver.crt"));
  EXPECT_TRUE(fs::exists(dir / "pki" / "gateway-delivery.key"));
}

TEST(DevInitCommandTest, PushToUnknownOrgIsRefusedNamingTheFlag) {
  TempDir tmp;
  fs::path dir = tmp / "dev";
  Result r = RunCtl(
      {"dev-init", dir.string(), "--push", "nowhere-clinic=127.0.0.1:9443"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--push \"nowhere-clinic=127.0.0.1:9443\": "
                               "no organization \"nowhere-clinic\""));
  EXPECT_FALSE(fs::exists(dir));
}

TEST(DevInitCommandTest, PushToPracticeIsRefusedNamingTheFlag) {
  TempDir tmp;
  fs::path dir = tmp / "dev";
  Result r = RunCtl(
      {"dev-init", dir.string(), "--push", "sunrise-therapy=127.0.0.1:9443"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--push \"sunrise-therapy=127.0.0.1:9443\": "
                               "sunrise-therapy is not a partner clinic"));
  EXPECT_FALSE(fs::exists(dir));
}

TEST(DevInitCommandTest, MalformedOrRepeatedPushIsAUsageError) {
  TempDir tmp;
  fs::path dir = tmp / "dev";
  Result r = RunCtl({"dev-init", dir.string(), "--push", "lakeside-obgyn"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--push \"lakeside-obgyn\": expected "
                               "ORG=HOST:PORT"));
  r = RunCtl({"dev-init", dir.string(), "--push", "lakeside-obgyn=a:1",
              "--push", "lakeside-obgyn=b:2"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("lakeside-obgyn already has an endpoint"));
  EXPECT_FALSE(fs::exists(dir));
}

}  // namespace
}  // namespace caregate::ctl
