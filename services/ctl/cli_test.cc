#include "services/ctl/cli.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::vector<std::string> g_last_args;

int RecordArgs(const std::vector<std::string>& args, CommandIo io) {
  g_last_args = args;
  io.out << "ran\n";
  return kExitOk;
}

int RefuseUsage(const std::vector<std::string>&, CommandIo io) {
  io.err << "caregatectl bad: wrong\n";
  return kExitUsage;
}

const std::vector<Command> kTestCommands = {
    {"echo", "records its arguments", "usage: caregatectl echo ARGS\n",
     RecordArgs},
    {"bad", "always a usage error", "usage: caregatectl bad\n", RefuseUsage},
};

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result RunCtl(const std::vector<Command>& commands,
              const std::vector<std::string>& args) {
  std::ostringstream out, err;
  int code = RunCli(commands, args, {out, err});
  return {code, out.str(), err.str()};
}

TEST(CliTest, HelpListsCommandsAndSucceeds) {
  for (const char* flag : {"--help", "-h", "help"}) {
    Result r = RunCtl(kTestCommands, {flag});
    EXPECT_EQ(r.code, kExitOk) << flag;
    EXPECT_THAT(r.out, HasSubstr("  echo   records its arguments\n"));
    EXPECT_THAT(r.out, HasSubstr("  bad    always a usage error\n"));
    EXPECT_THAT(r.err, IsEmpty());
  }
}

TEST(CliTest, RealTableListsDevInit) {
  Result r = RunCtl(AllCommands(), {"--help"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("dev-init"));
}

TEST(CliTest, CommandHelpPrintsUsage) {
  Result r = RunCtl(kTestCommands, {"echo", "x", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "usage: caregatectl echo ARGS\n");
  EXPECT_TRUE(g_last_args.empty());
  r = RunCtl(kTestCommands, {"help", "bad"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "usage: caregatectl bad\n");
}

TEST(CliTest, PassesArgumentsAfterTheName) {
  Result r = RunCtl(kTestCommands, {"echo", "a", "--", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_THAT(g_last_args, ::testing::ElementsAre("a", "--", "--help"));
}

TEST(CliTest, NoCommandIsAUsageError) {
  Result r = RunCtl(kTestCommands, {});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("missing command"));
  EXPECT_THAT(r.err, HasSubstr("usage: caregatectl COMMAND"));
}

TEST(CliTest, UnknownCommandIsAUsageError) {
  Result r = RunCtl(kTestCommands, {"frobnicate"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("unknown command \"frobnicate\""));
  EXPECT_THAT(r.out, IsEmpty());
}

TEST(CliTest, UnknownTopLevelFlagIsAUsageError) {
  Result r = RunCtl(kTestCommands, {"--verbose"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("unknown flag \"--verbose\""));
}

int RunGroup(const std::vector<std::string>& args, CommandIo io) {
  return RunCommandGroup("caregatectl grp", "A group of commands.",
                         kTestCommands, args, io);
}

const std::vector<Command> kWithGroup = {
    {"grp", "a group", "", RunGroup, /*group=*/true},
};

TEST(CliTest, GroupsDispatchToTheirSubcommands) {
  Result r = RunCtl(kWithGroup, {"grp", "echo", "a", "b"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(g_last_args, ::testing::ElementsAre("a", "b"));
  r = RunCtl(kWithGroup, {"grp", "echo", "--help"});
  EXPECT_EQ(r.out, "usage: caregatectl echo ARGS\n");
  r = RunCtl(kWithGroup, {"help", "grp", "bad"});
  EXPECT_EQ(r.out, "usage: caregatectl bad\n");
  r = RunCtl(kWithGroup, {"grp", "--help"});
  EXPECT_THAT(r.out, HasSubstr("usage: caregatectl grp COMMAND [ARGS...]\n\n"
                               "A group of commands.\n"));
  EXPECT_THAT(r.out, HasSubstr("  echo   records its arguments\n"));
}

TEST(CliTest, GroupErrorsAreUsageErrors) {
  Result r = RunCtl(kWithGroup, {"grp"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("caregatectl grp: missing command\n"));
  r = RunCtl(kWithGroup, {"grp", "nope"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("caregatectl grp: unknown command \"nope\""));
  r = RunCtl(kWithGroup, {"grp", "bad"});
  EXPECT_EQ(r.err, "caregatectl bad: wrong\n\nusage: caregatectl bad\n");
}

TEST(CliTest, CommandUsageErrorAppendsUsage) {
  Result r = RunCtl(kTestCommands, {"bad"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_EQ(r.err, "caregatectl bad: wrong\n\nusage: caregatectl bad\n");
  EXPECT_THAT(r.out, Not(HasSubstr("usage")));
}

}  // namespace
}  // namespace caregate::ctl
