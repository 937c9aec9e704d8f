#include "services/receiver/received_store.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace caregate::care_receiver {
namespace {

namespace fs = std::filesystem;
using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class ReceivedStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<ReceivedStore> Open() {
    auto store = ReceivedStore::Open(dir_.string());
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  std::string Read(const std::string& name) const {
    std::ifstream in(dir_ / name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  ::caregate::testing::TempDir root_{"received"};
  fs::path dir_ = root_ / "inbox";
};

TEST_F(ReceivedStoreTest, StoresAMessageOnceAndReportsLaterDeliveries) {
  auto store = Open();
  auto first = store->StoreOnce("m-1", "{\"messageId\":\"m-1\"}", "{\"b\":1}");
  CG_ASSERT_OK(first);
  EXPECT_FALSE(first->duplicate);
  auto again = store->StoreOnce("m-1", "{\"changed\":true}", "{\"b\":2}");
  CG_ASSERT_OK(again);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->received_at, first->received_at);
  EXPECT_THAT(Files(),
              UnorderedElementsAre("m-1.message.json", "m-1.bundle.json"));
  EXPECT_EQ(Read("m-1.message.json"), "{\"messageId\":\"m-1\"}");
  EXPECT_EQ(Read("m-1.bundle.json"), "{\"b\":1}");
  EXPECT_EQ(store->size(), 1u);
}

TEST_F(ReceivedStoreTest, FilesAreOwnerOnlyInAnOwnerOnlyDirectory) {
  auto store = Open();
  CG_ASSERT_OK(store->StoreOnce("m-1", "{}", "{}"));
  struct stat st;
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((dir_ / "m-1.message.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(ReceivedStoreTest, DeduplicationSurvivesAReopen) {
  absl::Time received_at;
  {
    auto store = Open();
    auto stored = store->StoreOnce("m-1", "{}", "{}");
    CG_ASSERT_OK(stored);
    received_at = stored->received_at;
  }
  auto reopened = Open();
  EXPECT_EQ(reopened->size(), 1u);
  auto again = reopened->StoreOnce("m-1", "{\"new\":1}", "{}");
  CG_ASSERT_OK(again);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->received_at, received_at);
  EXPECT_EQ(Read("m-1.message.json"), "{}");
}

TEST_F(ReceivedStoreTest, CrashLeftoversAreCleanedOrRewritten) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / ".m-2.message.json.tmp-0011") << "half";
  std::ofstream(dir_ / "m-3.bundle.json") << "bundle without its message";
  auto store = Open();
  EXPECT_EQ(store->size(), 0u);
  EXPECT_THAT(Files(), UnorderedElementsAre("m-3.bundle.json"));
  auto stored = store->StoreOnce("m-3", "{\"m\":3}", "{\"b\":3}");
  CG_ASSERT_OK(stored);
  EXPECT_FALSE(stored->duplicate);
  EXPECT_EQ(Read("m-3.bundle.json"), "{\"b\":3}");
}

TEST_F(ReceivedStoreTest, RefusesIdsThatAreNotSafeFileNames) {
  auto store = Open();
  for (const char* id : {"", "../escape", ".hidden", "a/b", "-dash"}) {
    EXPECT_THAT(
        store->StoreOnce(id, "{}", "{}"),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("message_id")))
        << id;
  }
  EXPECT_TRUE(Files().empty());
  EXPECT_FALSE(fs::exists(root_ / "escape.message.json"));
}

TEST_F(ReceivedStoreTest, ConcurrentDeliveriesOfOneMessageStoreItOnce) {
  auto store = Open();
  constexpr int kThreads = 8;
  std::atomic<int> firsts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&store, &firsts] {
      auto stored = store->StoreOnce("m-race", "{}", "{}");
      ASSERT_TRUE(stored.ok());
      if (!stored->duplicate) ++firsts;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(firsts.load(), 1);
  EXPECT_EQ(Files().size(), 2u);
}

TEST_F(ReceivedStoreTest, WriteFailureLeavesTheMessageUnstored) {
  auto store = Open();
  fs::remove_all(dir_);
  EXPECT_THAT(store->StoreOnce("m-1", "{}", "{}"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("m-1")));
  fs::create_directories(dir_);
  auto stored = store->StoreOnce("m-1", "{}", "{}");
  CG_ASSERT_OK(stored);
  EXPECT_FALSE(stored->duplicate);
}

}  // namespace
}  // namespace caregate::care_receiver
