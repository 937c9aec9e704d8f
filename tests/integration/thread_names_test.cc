// The gateway's own long-lived threads carry names, so an operator's
// `top -H` or `ps -L` and a profile show which one is busy.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
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

// Whether every name in `wanted` names one of this process's threads.
bool AllNamed(const std::set<std::string>& wanted) {
  const std::set<std::string> names = ThreadNames();
  return std::includes(names.begin(), names.end(), wanted.begin(),
                       wanted.end());
}

TEST(ThreadNamesTest, TheLedgerAndStoreThreadsAreNamed) {
  GatewayHarness gateway;
  const std::set<std::string> wanted = {"ledger-writer", "ledger-sync",
                                        "wal-checkpoint", "conn-acceptor",
                                        "refusal-audit"};
  // A thread names itself once it runs, which on a busy machine may be a
  // moment after the gateway started it.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!AllNamed(wanted) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_THAT(ThreadNames(), IsSupersetOf(wanted));
}

}  // namespace
}  // namespace caregate
