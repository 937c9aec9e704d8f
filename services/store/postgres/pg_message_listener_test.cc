// PgMessageListener against a real server (the test cluster): a message
// inserted through the store wakes the listener with its recipient, only
// once the transaction commits; a lost connection is re-established and
// reported.
#include "services/store/postgres/pg_message_listener.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/store/postgres/postgres_store.h"
#include "services/store/store_conformance_test.h"
#include "tests/testing/postgres_test_database.h"
#include "tests/testing/status_matchers.h"

namespace caregate::pg {
namespace {

using ::caregate::testing::CreateTestDatabase;
using ::caregate::testing::DropTestDatabase;
using ::caregate::testing::ExecSql;
using ::caregate::testing::TestDatabase;
using ::testing::ElementsAre;

class PgMessageListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestDatabase> db = CreateTestDatabase();
    CG_ASSERT_OK(db);
    db_ = *db;
    auto store = OpenPostgresStore(db_.conninfo);
    CG_ASSERT_OK(store);
    store_ = *std::move(store);
    listener_ = PgMessageListener::Start({db_.conninfo,
                                          [this](const std::string& org) {
                                            absl::MutexLock lock(&mu_);
                                            orgs_.push_back(org);
                                          },
                                          [this] {
                                            absl::MutexLock lock(&mu_);
                                            ++reconnects_;
                                          },
                                          absl::Milliseconds(50)});
    ASSERT_TRUE(listener_->WaitListening(absl::Seconds(30)));
  }
  void TearDown() override {
    listener_.reset();
    store_.reset();
    CG_EXPECT_OK(DropTestDatabase(db_));
  }

  // Waits (at most 10 s) until `n` wake-ups arrived; returns them.
  std::vector<std::string> WaitForOrgs(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return orgs_.size() >= n;
    };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(10));
    return orgs_;
  }

  TestDatabase db_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<PgMessageListener> listener_;
  absl::Mutex mu_;
  std::vector<std::string> orgs_ ABSL_GUARDED_BY(mu_);
  int reconnects_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST_F(PgMessageListenerTest, CommittedMessageWakesItsRecipientOnly) {
  {
    // Never committed (dropped): nobody is told.
    auto txn = store_->BeginWrite();
    CG_ASSERT_OK(txn);
    CG_ASSERT_OK((*txn)->InsertMessage(
        store_testing::SampleMessage("m-0", "org-rolled-back", 1, {})));
  }
  auto txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  CG_ASSERT_OK((*txn)->InsertMessage(
      store_testing::SampleMessage("m-1", "org-a", 1, {})));
  CG_ASSERT_OK((*txn)->InsertMessage(
      store_testing::SampleMessage("m-2", "org-b", 2, {})));
  CG_ASSERT_OK((*txn)->Commit());
  EXPECT_THAT(WaitForOrgs(2), ElementsAre("org-a", "org-b"));
}

TEST_F(PgMessageListenerTest, LostConnectionIsReestablishedAndReported) {
  {
    absl::MutexLock lock(&mu_);
    EXPECT_EQ(reconnects_, 1);  // the first connection
  }
  // End the listener's session (and the store's).
  CG_ASSERT_OK(ExecSql(
      db_.conninfo, absl::StrCat("SELECT pg_terminate_backend(pid, 10000) FROM "
                                 "pg_stat_activity WHERE datname = '",
                                 db_.name, "' AND pid <> pg_backend_pid()")));
  {
    absl::MutexLock lock(&mu_);
    auto again = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return reconnects_ >= 2;
    };
    EXPECT_TRUE(
        mu_.AwaitWithTimeout(absl::Condition(&again), absl::Seconds(10)));
  }
  auto txn = store_->BeginWrite();
  CG_ASSERT_OK(txn);
  CG_ASSERT_OK((*txn)->InsertMessage(
      store_testing::SampleMessage("m-3", "org-c", 3, {})));
  CG_ASSERT_OK((*txn)->Commit());
  EXPECT_THAT(WaitForOrgs(1), ElementsAre("org-c"));
}

}  // namespace
}  // namespace caregate::pg
