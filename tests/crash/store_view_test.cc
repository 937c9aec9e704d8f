#include "tests/crash/store_view.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/store/sqlite_store.h"
#include "tests/testing/status_matchers.h"

namespace caregate::crash {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;

// Rows in the gateway's real schema (see services/store/sqlite_schema.cc).
std::string EventSql(int seq, int action, const std::string& subject) {
  return "INSERT INTO audit_events VALUES (" + std::to_string(seq) +
         ", 0, 'dr-rivera', 1, 'sunrise-therapy', " + std::to_string(action) +
         ", '', '', '', 0, '', '', 0, '', '', 'r" + std::to_string(seq) +
         "', '" + subject + "', '', x'00', x'0" + std::to_string(seq) + "');";
}

std::string DisclosureSql(const std::string& id, const std::string& request,
                          int seq) {
  return "INSERT INTO disclosures (disclosure_id, practice_org_id, "
         "sender_principal_id, request_id, patient_id, recipient_org_id, "
         "recipient_provider_id, purpose, outcome, categories, consent_ids, "
         "content_sha256, audit_seq, message_id, created_at_us, decision) "
         "VALUES ('" +
         id + "', 'sunrise-therapy', 'dr-rivera', '" + request +
         "', 'p', 'core-pelvic-pt', 'pt-moreau', 1, 1, '', '', 'sha', " +
         std::to_string(seq) + ", 'msg-" + id + "', 0, x'');";
}

std::string MessageSql(const std::string& id, const std::string& disclosure,
                       int seq) {
  return "INSERT INTO messages (message_id, disclosure_id, recipient_org_id, "
         "seq, consent_ids, state, created_at_us, key_id, sealed_envelope) "
         "VALUES ('" +
         id + "', '" + disclosure + "', 'core-pelvic-pt', " +
         std::to_string(seq) + ", '', 1, 0, 'k', x'00');";
}

class StoreViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter = 0;
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("caregate_store_view_" + std::to_string(getpid()) + "_" +
            std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    auto store = OpenSqliteStore(path());  // Creates the schema.
    CG_ASSERT_OK(store);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path() const { return dir_ + "/caregate.db"; }
  void Exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error == nullptr ? "" : error;
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  std::string dir_;
};

TEST_F(StoreViewTest, ReadsRowsOfAConsistentFile) {
  Exec(EventSql(1, 3, "dsc-a") + DisclosureSql("dsc-a", "req-a", 1) +
       MessageSql("msg-dsc-a", "dsc-a", 1) + EventSql(2, 8, ""));
  absl::StatusOr<StoreView> view = ReadStore(path(), /*read_only=*/true);
  CG_ASSERT_OK(view);
  EXPECT_THAT(view->event_hashes, ElementsAre(Pair(1, std::string("\x01", 1)),
                                              Pair(2, std::string("\x02", 1))));
  const std::vector<StoredDisclosure>& rows =
      view->disclosures[std::make_pair("dr-rivera", "req-a")];
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_EQ(rows[0].message_id, "msg-dsc-a");
  EXPECT_EQ(view->messages["msg-dsc-a"].seq, 1);
  EXPECT_THAT(view->messages_without_event, IsEmpty());
  EXPECT_THAT(view->duplicate_rows, IsEmpty());
  absl::StatusOr<std::pair<int64_t, std::string>> head =
      ReadStoreHead(path(), /*read_only=*/true);
  CG_ASSERT_OK(head);
  EXPECT_EQ(head->first, 2);
}

TEST_F(StoreViewTest, FindsMessagesWithoutTheirEvent) {
  Exec(EventSql(1, 3, "dsc-a") + DisclosureSql("dsc-a", "req-a", 1) +
       MessageSql("msg-a", "dsc-a", 1) +  // Fine.
       MessageSql("msg-b", "dsc-b", 7) +  // No event at seq 7.
       MessageSql("msg-c", "dsc-c", 1) +  // Event 1 is another's.
       EventSql(2, 8, "") + MessageSql("msg-d", "dsc-d", 2));  // Not 3/4.
  absl::StatusOr<StoreView> view = ReadStore(path(), /*read_only=*/true);
  CG_ASSERT_OK(view);
  EXPECT_THAT(view->messages_without_event,
              ElementsAre(HasSubstr("message msg-b (seq 7)"),
                          HasSubstr("message msg-c (seq 1)"),
                          HasSubstr("message msg-d (seq 2)")));
}

TEST_F(StoreViewTest, FindsTwoMessagesOfOneDisclosure) {
  Exec(EventSql(1, 3, "dsc-a") + MessageSql("msg-a", "dsc-a", 1) +
       MessageSql("msg-a2", "dsc-a", 1));
  absl::StatusOr<StoreView> view = ReadStore(path(), /*read_only=*/true);
  CG_ASSERT_OK(view);
  EXPECT_THAT(view->duplicate_rows,
              ElementsAre("disclosure dsc-a has 2 messages"));
}

TEST_F(StoreViewTest, MissingFileIsUnavailable) {
  EXPECT_THAT(ReadStore(dir_ + "/absent.db", /*read_only=*/true),
              testing::StatusIs(absl::StatusCode::kUnavailable,
                                HasSubstr("absent.db")));
}

}  // namespace
}  // namespace caregate::crash
