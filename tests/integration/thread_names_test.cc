// The gateway's own long-lived threads carry names, so an operator's
// `top -H` or `ps -L` and a profile show which one is busy.
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/clinic_fixtures.h"

namespace caregate {
namespace {

using ::caregate::testing::GatewayHarness;
using ::testing::IsSupersetOf;

// The names of this process's threads, from /proc.
std::set<std::string> ThreadNames() {
  std::set<std::string> names;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    if (std::getline(comm, name)) names.insert(name);
  }
  return names;
}

TEST(ThreadNamesTest, TheLedgerAndStoreThreadsAreNamed) {
  GatewayHarness gateway;
  EXPECT_THAT(ThreadNames(),
              IsSupersetOf({"ledger-writer", "ledger-sync", "wal-checkpoint",
                            "conn-acceptor", "refusal-audit"}));
}

}  // namespace
}  // namespace caregate
