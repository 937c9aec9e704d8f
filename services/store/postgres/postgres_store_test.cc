// The PostgreSQL store: runs the conformance suite on it (each test on a
// fresh database of the test cluster), plus what is specific to PostgreSQL
// (schema versions and concurrent migration, reconnection, multi-host
// conninfo, failed statements inside a transaction).
#include "services/store/postgres/postgres_store.h"

#include <latch>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "services/store/postgres/pg_rows.h"
#include "services/store/postgres/pg_schema.h"
#include "services/store/postgres/pg_write_transaction.h"
#include "services/store/store_conformance_test.h"
#include "tests/testing/postgres_test_database.h"
#include "tests/testing/status_matchers.h"

namespace caregate::store_testing {
namespace {

using ::caregate::testing::CreateTestDatabase;
using ::caregate::testing::DropTestDatabase;
using ::caregate::testing::ExecSql;
using ::caregate::testing::IsOk;
using ::caregate::testing::QueryText;
using ::caregate::testing::StatusIs;
using ::caregate::testing::TestDatabase;
using ::testing::_;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// The database of each conformance test, by its directory.
class Databases {
 public:
  absl::StatusOr<std::string> ConninfoFor(const std::string& dir) {
    absl::MutexLock lock(&mu_);
    if (auto it = by_dir_.find(dir); it != by_dir_.end()) {
      return it->second.conninfo;
    }
    absl::StatusOr<TestDatabase> db = CreateTestDatabase();
    if (!db.ok()) return db.status();
    by_dir_[dir] = *db;
    return db->conninfo;
  }
  void Drop(const std::string& dir) {
    absl::MutexLock lock(&mu_);
    auto it = by_dir_.find(dir);
    if (it == by_dir_.end()) return;
    CG_EXPECT_OK(DropTestDatabase(it->second));
    by_dir_.erase(it);
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, TestDatabase> by_dir_ ABSL_GUARDED_BY(mu_);
};

Databases& TestDatabases() {
  static Databases databases;
  return databases;
}

StoreBackend PostgresBackend() {
  StoreBackend backend(
      "postgres",
      [](const std::string& dir) -> absl::StatusOr<std::unique_ptr<Store>> {
        absl::StatusOr<std::string> conninfo = TestDatabases().ConninfoFor(dir);
        if (!conninfo.ok()) return conninfo.status();
        return OpenPostgresStore(*conninfo);
      });
  backend.shared = true;
  backend.lock_log_head = [](WriteTransaction& txn) {
    return dynamic_cast<pg::PgWriteTransaction&>(txn).LockLogHead();
  };
  backend.cleanup = [](const std::string& dir) { TestDatabases().Drop(dir); };
  return backend;
}

INSTANTIATE_TEST_SUITE_P(
    Postgres, StoreConformanceTest, ::testing::Values(PostgresBackend()),
    [](const ::testing::TestParamInfo<StoreBackend>& info) {
      return info.param.name;
    });

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestDatabase> db = CreateTestDatabase();
    CG_ASSERT_OK(db);
    db_ = *db;
  }
  void TearDown() override { CG_EXPECT_OK(DropTestDatabase(db_)); }

  std::unique_ptr<Store> Open() {
    auto store = OpenPostgresStore(db_.conninfo);
    EXPECT_THAT(store, IsOk());
    return store.ok() ? *std::move(store) : nullptr;
  }
  std::string Query(const std::string& sql) {
    auto text = QueryText(db_.conninfo, sql);
    EXPECT_THAT(text, IsOk());
    return text.value_or("error");
  }
  // Ends every other session on the test database (the store's).
  void TerminateStoreSessions() {
    CG_ASSERT_OK(
        ExecSql(db_.conninfo,
                absl::StrCat("SELECT pg_terminate_backend(pid, 10000) FROM "
                             "pg_stat_activity WHERE datname = '",
                             db_.name, "' AND pid <> pg_backend_pid()")));
  }
  void WriteMessage(Store& store, const std::string& id) {
    auto txn = store.BeginWrite();
    CG_ASSERT_OK(txn);
    CG_ASSERT_OK((*txn)->InsertMessage(SampleMessage(id, "org-a", 1, {})));
    CG_ASSERT_OK((*txn)->Commit());
  }

  TestDatabase db_;
};

TEST_F(PostgresStoreTest, SchemaIsAtTheLatestVersionWithAnEmptyLogHead) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Query("SELECT max(version) FROM schema_version"),
            absl::StrCat(pg::LatestSchemaVersion()));
  EXPECT_EQ(Query("SELECT count(*) FROM log_head WHERE seq = 0"), "1");
  EXPECT_THAT(store->GetChainHead(), IsOkAndNullopt());
  store.reset();
  // Opening again changes nothing.
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Query("SELECT count(*) FROM schema_version"),
            absl::StrCat(pg::LatestSchemaVersion()));
}

// A revocation withholds the messages of its consent. Found through
// messages_by_state instead, every queued message would be read on the
// writer's connection (as the planner chose without statistics: 7,700
// rows for the 7 of one consent in a benchmark's database).
TEST_F(PostgresStoreTest, WithholdingReadsOnlyTheConsentsMessages) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  // A queue the planner has no statistics of yet, as after a busy start.
  auto txn = store->BeginWrite();
  CG_ASSERT_OK(txn);
  for (int i = 0; i < 5000; ++i) {
    CG_ASSERT_OK((*txn)->InsertMessage(
        SampleMessage(absl::StrCat("msg-", i), "org-a", i + 1,
                      {absl::StrCat("cns-", i % 700)})));
  }
  CG_ASSERT_OK((*txn)->Commit());
  const std::string plan = Query(absl::StrCat(
      "PREPARE withhold (int, int, int, text) AS ", pg::kWithholdMessagesSql,
      "; EXPLAIN (FORMAT JSON) EXECUTE withhold (3, 1, 4, 'cns-1')"));
  EXPECT_THAT(plan, HasSubstr("messages_pkey")) << plan;
  EXPECT_THAT(plan, HasSubstr("message_consents_pkey")) << plan;
  EXPECT_THAT(plan, Not(HasSubstr("messages_by_state"))) << plan;
}

TEST_F(PostgresStoreTest, NewerSchemaIsRefused) {
  ASSERT_NE(Open(), nullptr);
  CG_ASSERT_OK(ExecSql(db_.conninfo,
                       "INSERT INTO schema_version (version) VALUES (99)"));
  EXPECT_THAT(OpenPostgresStore(db_.conninfo),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("schema version 99 is newer")));
}

TEST_F(PostgresStoreTest, StoresStartingTogetherMigrateOnce) {
  constexpr int kStores = 4;
  std::latch start(kStores);
  std::vector<absl::Status> results(kStores);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = OpenPostgresStore(db_.conninfo).status();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& s : results) CG_EXPECT_OK(s);
  EXPECT_EQ(Query("SELECT count(*) FROM schema_version"),
            absl::StrCat(pg::LatestSchemaVersion()));
  EXPECT_EQ(Query("SELECT count(*) FROM log_head"), "1");
}

TEST_F(PostgresStoreTest, UnreachableOrMissingDatabaseIsUnavailable) {
  EXPECT_THAT(OpenPostgresStore("host=127.0.0.1 port=1 connect_timeout=5"),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("database unavailable")));
  EXPECT_THAT(
      OpenPostgresStore(db_.conninfo + "_missing"),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("does not exist")));
}

TEST_F(PostgresStoreTest, WriterReconnectsAfterLosingItsConnection) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  WriteMessage(*store, "m-1");
  TerminateStoreSessions();
  WriteMessage(*store, "m-2");  // BeginWrite() found the writer dead
  for (const char* id : {"m-1", "m-2"}) {
    auto message = store->GetMessage(id);
    CG_ASSERT_OK(message);
    EXPECT_TRUE(message->has_value()) << id;
  }
}

TEST_F(PostgresStoreTest, LossDuringATransactionIsUnavailableAndKeepsNothing) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  {
    auto txn = store->BeginWrite();
    CG_ASSERT_OK(txn);
    CG_ASSERT_OK((*txn)->InsertMessage(SampleMessage("m-1", "org-a", 1, {})));
    TerminateStoreSessions();
    EXPECT_THAT(
        (*txn)->InsertMessage(SampleMessage("m-2", "org-a", 2, {})),
        StatusIs(absl::StatusCode::kUnavailable, HasSubstr("insert message")));
    EXPECT_THAT((*txn)->Commit(), StatusIs(absl::StatusCode::kUnavailable, _));
  }
  EXPECT_THAT(store->GetMessage("m-1"), IsOkAndNullopt());
  WriteMessage(*store, "m-3");
}

TEST_F(PostgresStoreTest, ReadsReconnectAfterLosingTheirConnections) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  WriteMessage(*store, "m-1");
  CG_ASSERT_OK(store->GetMessage("m-1"));  // a pooled connection exists now
  TerminateStoreSessions();
  auto message = store->GetMessage("m-1");
  CG_ASSERT_OK(message);
  EXPECT_TRUE(message->has_value());
}

TEST_F(PostgresStoreTest, MultiHostConninfoFindsTheWritableServer) {
  // The test server's socket directory and port, after a server that is down.
  const std::string server = Query(
      "SELECT current_setting('unix_socket_directories') || ' ' || "
      "current_setting('port')");
  const size_t space = server.find(' ');
  ASSERT_NE(space, std::string::npos);
  const std::string conninfo =
      absl::StrCat("host=127.0.0.1,", server.substr(0, space), " port=1,",
                   server.substr(space + 1), " user=postgres dbname=", db_.name,
                   " connect_timeout=5 target_session_attrs=read-write");
  auto store = OpenPostgresStore(conninfo);
  CG_ASSERT_OK(store);
  WriteMessage(**store, "m-1");
  auto message = (*store)->GetMessage("m-1");
  CG_ASSERT_OK(message);
  EXPECT_TRUE(message->has_value());
}

TEST_F(PostgresStoreTest, FailedStatementAbortsTheTransactionWithoutValues) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  ConsentRecord bad = SampleConsent("c-1", "req-1");
  bad.patient_id = "Jane \xff";  // not UTF-8: the server refuses the text
  auto txn = store->BeginWrite();
  CG_ASSERT_OK(txn);
  EXPECT_THAT((*txn)->InsertConsent(bad),
              StatusIs(absl::StatusCode::kInternal,
                       AllOf(HasSubstr("insert consent: database error "
                                       "(SQLSTATE 22021)"),
                             Not(HasSubstr("Jane")))));
  EXPECT_THAT((*txn)->InsertConsent(SampleConsent("c-2", "req-2")),
              StatusIs(absl::StatusCode::kAborted,
                       HasSubstr("aborted by an earlier error")));
  EXPECT_THAT((*txn)->Commit(), StatusIs(absl::StatusCode::kAborted, _));
}

TEST_F(PostgresStoreTest, FailedStatementInASavepointIsRolledBackAlone) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  ConsentRecord bad = SampleConsent("c-1", "req-1");
  bad.patient_id = "\xff";
  {
    auto txn = store->BeginWrite();
    CG_ASSERT_OK(txn);
    CG_ASSERT_OK((*txn)->InsertConsent(SampleConsent("c-0", "req-0")));
    CG_ASSERT_OK((*txn)->Savepoint());
    // Deferred in the savepoint: the error comes with the release.
    CG_ASSERT_OK((*txn)->InsertConsent(bad));
    EXPECT_THAT(
        (*txn)->ReleaseSavepoint(),
        StatusIs(absl::StatusCode::kInternal, HasSubstr("insert consent")));
    EXPECT_THAT((*txn)->ReleaseSavepoint(),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         HasSubstr("roll back to the savepoint first")));
    CG_ASSERT_OK((*txn)->RollbackToSavepoint());
    CG_ASSERT_OK((*txn)->InsertConsent(SampleConsent("c-2", "req-2")));
    CG_ASSERT_OK((*txn)->Commit());
  }
  std::vector<std::string> ids;
  CG_ASSERT_OK(store->ForEachConsent(
      [&](ConsentRecord c) { ids.push_back(c.consent_id); }));
  EXPECT_THAT(ids, ::testing::ElementsAre("c-0", "c-2"));
}

TEST_F(PostgresStoreTest, ScansPageThroughManyRows) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  constexpr int kEvents = 1234;  // more than two pages
  {
    auto txn = store->BeginWrite();
    CG_ASSERT_OK(txn);
    for (int seq = 1; seq <= kEvents; ++seq) {
      CG_ASSERT_OK((*txn)->AppendAuditEvent(SampleAuditEvent(seq)));
      CG_ASSERT_OK((*txn)->InsertConsent(
          SampleConsent(absl::StrCat("c-", seq), absl::StrCat("r-", seq))));
    }
    CG_ASSERT_OK((*txn)->Commit());
  }
  int64_t expected = 1;
  CG_ASSERT_OK(store->ScanAuditEvents(1, kEvents, [&](const AuditEvent& e) {
    EXPECT_EQ(e.seq, expected++);
    return true;
  }));
  EXPECT_EQ(expected, kEvents + 1);
  int consents = 0;
  CG_ASSERT_OK(store->ForEachConsent([&](ConsentRecord c) {
    EXPECT_EQ(c.consent_id, absl::StrCat("c-", ++consents));
  }));
  EXPECT_EQ(consents, kEvents);
}

}  // namespace
}  // namespace caregate::store_testing
