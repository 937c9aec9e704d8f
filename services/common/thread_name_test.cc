#include "services/common/thread_name.h"

#include <pthread.h>

#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace caregate {
namespace {

std::string NameOfThreadNamed(std::string_view name) {
  std::string seen;
  std::thread([&] {
    SetCurrentThreadName(name);
    char buf[64] = {};
    pthread_getname_np(pthread_self(), buf, sizeof buf);
    seen = buf;
  }).join();
  return seen;
}

TEST(ThreadNameTest, NamesTheCallingThread) {
  EXPECT_EQ(NameOfThreadNamed("ledger-writer"), "ledger-writer");
}

TEST(ThreadNameTest, CutsALongNameToFifteenBytes) {
  EXPECT_EQ(NameOfThreadNamed("wal-checkpointer-thread"), "wal-checkpointe");
}

TEST(ThreadNameTest, LeavesOtherThreadsAlone) {
  char before[64] = {};
  pthread_getname_np(pthread_self(), before, sizeof before);
  NameOfThreadNamed("other");
  char after[64] = {};
  pthread_getname_np(pthread_self(), after, sizeof after);
  EXPECT_STREQ(before, after);
}

}  // namespace
}  // namespace caregate
