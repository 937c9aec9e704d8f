// The SQLite store: runs the conformance suite on it, plus what is specific
// to SQLite (files, pragmas, schema versions, open errors, damaged rows).
#include "services/store/sqlite_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "services/store/sqlite_rows.h"
#include "services/store/sqlite_schema.h"
#include "services/store/store_conformance_test.h"
#include "tests/testing/status_matchers.h"

namespace caregate::store_testing {
namespace {

using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::string DbPath(const std::string& dir) { return dir + "/caregate.db"; }

INSTANTIATE_TEST_SUITE_P(
    Sqlite, StoreConformanceTest,
    ::testing::Values(StoreBackend{
        "sqlite",
        [](const std::string& dir) { return OpenSqliteStore(DbPath(dir)); }}),
    [](const ::testing::TestParamInfo<StoreBackend>& info) {
      return info.param.name;
    });

// Runs `sql` on its own connection and returns column `column` of every
// row (NULL as "").
std::vector<std::string> RawColumn(const std::string& path,
                                   const std::string& sql, int column) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::vector<std::string> values;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text =
        reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
    values.emplace_back(text != nullptr ? text : "");
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return values;
}

// The first column of the first row of `sql` ("" when none).
std::string RawQuery(const std::string& path, const std::string& sql) {
  std::vector<std::string> values = RawColumn(path, sql, 0);
  return values.empty() ? "" : values.front();
}

// SQLite's plan for `sql` on the database at `path`, one step per line.
std::string QueryPlan(const std::string& path, const std::string& sql) {
  return absl::StrJoin(RawColumn(path, "EXPLAIN QUERY PLAN " + sql, 3), "\n");
}

int Mode(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open(const std::string& path) {
    auto store = OpenSqliteStore(path);
    EXPECT_THAT(store, IsOk());
    return store.ok() ? *std::move(store) : nullptr;
  }
  std::string path() const { return DbPath(dir_.path()); }

  TempDir dir_;
};

TEST_F(SqliteStoreTest, DatabaseIsWalAtTheLatestSchemaVersion) {
  {
    std::unique_ptr<Store> store = Open(path());
    ASSERT_NE(store, nullptr);
  }
  {
    std::unique_ptr<Store> reopened = Open(path());
    ASSERT_NE(reopened, nullptr);
  }
  EXPECT_EQ(RawQuery(path(), "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawQuery(path(), "PRAGMA user_version"),
            std::to_string(sqlite::LatestSchemaVersion()));
}

TEST_F(SqliteStoreTest,
       SecondStoreOnTheSameDatabaseIsRefusedUntilTheFirstCloses) {
  std::unique_ptr<Store> first = Open(path());
  ASSERT_NE(first, nullptr);
  EXPECT_THAT(OpenSqliteStore(path()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("in use by another caregated process")));
  first.reset();
  EXPECT_NE(Open(path()), nullptr);
}

TEST_F(SqliteStoreTest, CreatesMissingDirectoriesAndFilePrivately) {
  const std::string nested = dir_.path() + "/a/b/caregate.db";
  std::unique_ptr<Store> store = Open(nested);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Mode(dir_.path() + "/a"), 0700);
  EXPECT_EQ(Mode(dir_.path() + "/a/b"), 0700);
  EXPECT_EQ(Mode(nested), 0600);
}

TEST_F(SqliteStoreTest, DatabaseOfANewerSchemaIsRefused) {
  { ASSERT_NE(Open(path()), nullptr); }
  const int newer = sqlite::LatestSchemaVersion() + 1;
  RawQuery(path(), absl::StrCat("PRAGMA user_version = ", newer));
  EXPECT_THAT(
      OpenSqliteStore(path()),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("newer"), HasSubstr(std::to_string(newer)))));
}

TEST_F(SqliteStoreTest, MigrationToVersion2CountsTheLogAlreadyThere) {
  {
    std::unique_ptr<Store> store = Open(path());
    ASSERT_NE(store, nullptr);
    auto txn = store->BeginWrite();
    ASSERT_TRUE(txn.ok()) << txn.status();
    AuditEvent denied = SampleAuditEvent(1);
    denied.action = v1::AUDIT_ACTION_DISCLOSURE_DENIED;
    denied.reasons = {v1::DENIAL_REASON_CATEGORY_WITHHELD};
    AuditEvent refused = SampleAuditEvent(2);
    refused.action = v1::AUDIT_ACTION_ACCESS_DENIED;
    refused.actor_principal_id = "clinic-1";
    DisclosureRow disclosure = SampleDisclosure("d-1", "req-1");
    disclosure.outcome = v1::DECISION_OUTCOME_PERMITTED;
    CG_ASSERT_OK((*txn)->AppendAuditEvent(denied));
    CG_ASSERT_OK((*txn)->AppendAuditEvent(refused));
    CG_ASSERT_OK((*txn)->InsertDisclosure(disclosure));
    CG_ASSERT_OK((*txn)->Commit());
  }
  // Back to version 2, as written before the day counts (3), the push
  // delivery columns (4), the Merkle tree (5) and delivery retries (6)
  // existed.
  for (const char* sql :
       {"DROP INDEX messages_by_state",
        "ALTER TABLE messages DROP COLUMN retried_at_us",
        "DROP TABLE tree_nodes", "ALTER TABLE checkpoints DROP COLUMN note",
        "ALTER TABLE checkpoints DROP COLUMN tree_root",
        "DROP TABLE audit_day_counts", "DROP INDEX audit_by_action_time",
        "DROP INDEX disclosures_by_time", "DROP INDEX messages_due",
        "ALTER TABLE messages DROP COLUMN delivery_attempts",
        "ALTER TABLE messages DROP COLUMN next_attempt_at_us",
        "ALTER TABLE messages DROP COLUMN last_delivery_error",
        "ALTER TABLE messages DROP COLUMN delivered_at_us",
        "PRAGMA user_version = 2"}) {
    RawQuery(path(), sql);
  }
  std::unique_ptr<Store> store = Open(path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(RawQuery(path(), "PRAGMA user_version"),
            std::to_string(sqlite::LatestSchemaVersion()));
  absl::StatusOr<AuditSummary> s =
      store->SummarizeAuditEvents(absl::InfinitePast(), absl::InfiniteFuture());
  ASSERT_THAT(s, IsOk());
  ASSERT_EQ(s->actions.size(), 2u);
  EXPECT_EQ(s->actions[0].action, v1::AUDIT_ACTION_DISCLOSURE_DENIED);
  EXPECT_EQ(s->actions[1].action, v1::AUDIT_ACTION_ACCESS_DENIED);
  ASSERT_EQ(s->denials_by_reason.size(), 1u);
  EXPECT_EQ(s->denials_by_reason[0].reason,
            v1::DENIAL_REASON_CATEGORY_WITHHELD);
  ASSERT_EQ(s->access_denied_by_principal.size(), 1u);
  EXPECT_EQ(s->access_denied_by_principal[0].principal_id, "clinic-1");
  ASSERT_EQ(s->disclosures_by_month.size(), 1u);
  EXPECT_EQ(s->disclosures_by_month[0].count, 1);
}

TEST_F(SqliteStoreTest, FailedMigrationIsRolledBack) {
  // A table in the way makes migration 1 fail part-way.
  RawQuery(path(), "CREATE TABLE checkpoints (x INTEGER)");
  EXPECT_THAT(OpenSqliteStore(path()),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("migrate schema to version 1")));
  EXPECT_EQ(RawQuery(path(), "PRAGMA user_version"), "0");
  EXPECT_EQ(RawQuery(path(),
                     "SELECT count(*) FROM sqlite_schema "
                     "WHERE name = 'consents'"),
            "0");
}

TEST_F(SqliteStoreTest, ParentThatIsAFileIsUnavailable) {
  const std::string file = dir_.path() + "/not-a-dir";
  std::ofstream(file) << "x";
  EXPECT_THAT(OpenSqliteStore(file + "/caregate.db"),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("create data directory")));
}

TEST_F(SqliteStoreTest, PathThatIsADirectoryIsUnavailable) {
  std::filesystem::create_directory(path());
  EXPECT_THAT(OpenSqliteStore(path()), StatusIs(absl::StatusCode::kUnavailable,
                                                HasSubstr("open database")));
}

TEST_F(SqliteStoreTest, FileThatIsNotADatabaseIsDataLoss) {
  std::ofstream(path()) << std::string(4096, 'z');
  EXPECT_THAT(OpenSqliteStore(path()),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("journal mode")));
}

TEST_F(SqliteStoreTest, DamagedHashIsDataLoss) {
  std::unique_ptr<Store> store = Open(path());
  ASSERT_NE(store, nullptr);
  auto txn = store->BeginWrite();
  CG_ASSERT_OK(txn);
  CG_ASSERT_OK((*txn)->AppendAuditEvent(SampleAuditEvent(1)));
  CG_ASSERT_OK((*txn)->Commit());
  txn->reset();
  RawQuery(path(), "UPDATE audit_events SET hash = x'0102'");
  EXPECT_THAT(store->GetChainHead(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("audit hash")));
  EXPECT_THAT(
      store->ScanAuditEvents(1, 1, [](const AuditEvent&) { return true; }),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("2 bytes")));
}

TEST_F(SqliteStoreTest, ErrorsNameTheOperationNotTheRow) {
  std::unique_ptr<Store> store = Open(path());
  ASSERT_NE(store, nullptr);
  DisclosureRow first = SampleDisclosure("d-1", "req-secret");
  first.patient_id = "pat-secret";
  DisclosureRow second = first;
  second.disclosure_id = "d-2";
  auto txn = store->BeginWrite();
  CG_ASSERT_OK(txn);
  CG_ASSERT_OK((*txn)->InsertDisclosure(first));
  EXPECT_THAT((*txn)->InsertDisclosure(second),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       AllOf(HasSubstr("insert disclosure"),
                             Not(HasSubstr("secret")))));
}

TEST_F(SqliteStoreTest, MoreReadersThanPooledConnectionsAllSucceed) {
  std::unique_ptr<Store> store = Open(path());
  ASSERT_NE(store, nullptr);
  {
    auto txn = store->BeginWrite();
    CG_ASSERT_OK(txn);
    CG_ASSERT_OK((*txn)->AppendAuditEvent(SampleAuditEvent(1)));
    CG_ASSERT_OK((*txn)->Commit());
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 9; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto head = store->GetChainHead();
        ASSERT_THAT(head, IsOk());
        ASSERT_TRUE(head->has_value());
        EXPECT_EQ((*head)->seq, 1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
}

// A revocation withholds the messages of its consent. Found through
// messages_by_state instead, every queued message would be read on the
// single writer thread: 18 ms per revocation with 25,000 queued in the send
// benchmark, more as an unacknowledged inbox grows.
TEST_F(SqliteStoreTest, WithholdingReadsOnlyTheConsentsMessages) {
  ASSERT_NE(Open(path()), nullptr);
  const std::string plan = QueryPlan(path(), sqlite::kWithholdMessagesSql);
  EXPECT_THAT(plan, ::testing::HasSubstr("(message_id=?)")) << plan;
  EXPECT_THAT(plan, ::testing::HasSubstr("(consent_id=?)")) << plan;
  EXPECT_THAT(plan, ::testing::Not(::testing::HasSubstr("messages_by_state")))
      << plan;
}

// The push dispatcher's poll reads one recipient's queued messages, not
// every recipient's.
TEST_F(SqliteStoreTest, DueMessagesAreReadThroughTheRecipientsIndex) {
  ASSERT_NE(Open(path()), nullptr);
  const std::string plan = QueryPlan(path(), sqlite::kListDueMessagesSql);
  EXPECT_THAT(plan, ::testing::HasSubstr(
                        "messages_due (recipient_org_id=? AND state=?)"))
      << plan;
}

// The names of this process's open files that SQLite made as temporary
// files ("etilqs_" is the prefix of every one).
std::vector<std::string> OpenSqliteTempFiles() {
  std::vector<std::string> names;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    const std::string target =
        std::filesystem::read_symlink(fd.path(), error).string();
    if (!error && target.find("etilqs_") != std::string::npos) {
      names.push_back(target);
    }
  }
  return names;
}

// Every command runs in a savepoint, and SQLite keeps the before-image of
// each page it changes there. Written to a temporary file, that statement
// journal cost two write() calls per page, more than the WAL itself.
TEST_F(SqliteStoreTest, SavepointJournalStaysInMemory) {
  std::unique_ptr<Store> store = Open(path());
  ASSERT_NE(store, nullptr);
  // Events of many patients: appending more of them later changes pages of
  // the by-patient index all over the database.
  auto event_of_some_patient = [](int64_t seq) {
    AuditEvent e = SampleAuditEvent(seq);
    e.patient_id = absl::StrCat("pat-", (seq * 7919) % 2000);
    return e;
  };
  {
    auto txn = store->BeginWrite();
    CG_ASSERT_OK(txn);
    for (int64_t seq = 1; seq <= 4000; ++seq) {
      CG_ASSERT_OK((*txn)->AppendAuditEvent(event_of_some_patient(seq)));
    }
    CG_ASSERT_OK((*txn)->Commit());
  }
  auto txn = store->BeginWrite();
  CG_ASSERT_OK(txn);
  CG_ASSERT_OK((*txn)->Savepoint());
  // Far more than SQLite's 64 KiB before a statement journal spills to disk.
  for (int64_t seq = 4001; seq <= 5000; ++seq) {
    CG_ASSERT_OK((*txn)->AppendAuditEvent(event_of_some_patient(seq)));
  }
  EXPECT_THAT(OpenSqliteTempFiles(), ::testing::IsEmpty());
  CG_ASSERT_OK((*txn)->ReleaseSavepoint());
  CG_ASSERT_OK((*txn)->Commit());
}

}  // namespace
}  // namespace caregate::store_testing
