#include "tests/testing/audit_db_edits.h"

#include <sqlite3.h>

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "services/audit/audit_chain.h"
#include "services/crypto/ed25519.h"
#include "services/store/sqlite_store.h"
#include "tests/testing/test_keys.h"

namespace caregate::testing {

// Runs `sql` on the database at `path`; fails the test on error.
void Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr),
            SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << message;
}

// One integer read with `sql`; -1 when it returns no row.
int64_t SqlInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  int64_t value = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
          SQLITE_OK &&
      sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    value = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

// The stored events from seq `from` on, decoded by the store itself.
std::vector<AuditEvent> ReadEvents(const std::string& path, int64_t from) {
  std::vector<AuditEvent> events;
  auto store = OpenSqliteStore(path);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return events;
  absl::Status s = (*store)->ScanAuditEvents(
      from, std::numeric_limits<int64_t>::max(), [&](const AuditEvent& e) {
        events.push_back(e);
        return true;
      });
  EXPECT_TRUE(s.ok()) << s;
  return events;
}

// Appends `events` exactly as given (seq and hashes included).
void WriteEvents(const std::string& path,
                 const std::vector<AuditEvent>& events) {
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << store.status();
  auto txn = (*store)->BeginWrite();
  ASSERT_TRUE(txn.ok()) << txn.status();
  for (const AuditEvent& e : events) {
    absl::Status s = (*txn)->AppendAuditEvent(e);
    ASSERT_TRUE(s.ok()) << s;
  }
  absl::Status s = (*txn)->Commit();
  ASSERT_TRUE(s.ok()) << s;
}

// Replaces the signature of the checkpoint of seq `seq` with a signature by
// another key over the same body.
void ForgeCheckpointSignature(const std::string& path, int64_t seq) {
  auto forger = Ed25519Signer::FromPem(NewEd25519KeyPair().private_pem);
  ASSERT_TRUE(forger.ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr),
            SQLITE_OK);
  sqlite3_stmt* read = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT body FROM checkpoints WHERE seq = ?1", -1,
                         &read, nullptr),
      SQLITE_OK);
  sqlite3_bind_int64(read, 1, seq);
  ASSERT_EQ(sqlite3_step(read), SQLITE_ROW);
  const std::string body(
      reinterpret_cast<const char*>(sqlite3_column_text(read, 0)),
      sqlite3_column_bytes(read, 0));
  sqlite3_finalize(read);
  const std::string signature = (*forger)->Sign(body);
  sqlite3_stmt* write = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(
                db, "UPDATE checkpoints SET signature = ?1 WHERE seq = ?2", -1,
                &write, nullptr),
            SQLITE_OK);
  sqlite3_bind_blob(write, 1, signature.data(),
                    static_cast<int>(signature.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(write, 2, seq);
  EXPECT_EQ(sqlite3_step(write), SQLITE_DONE);
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_finalize(write);
  sqlite3_close(db);
}

void SwapEvents(const std::string& path, int64_t a, int64_t b) {
  std::vector<std::string> assignments;
  for (const char* column : kEventColumns) {
    assignments.push_back(absl::StrCat(column, " = (SELECT ", column,
                                       " FROM swap WHERE swap.seq = ", a + b,
                                       " - audit_events.seq)"));
  }
  Sql(path,
      absl::StrCat(
          "CREATE TEMP TABLE swap AS SELECT * FROM audit_events WHERE seq "
          "IN (",
          a, ", ", b, "); UPDATE audit_events SET ",
          absl::StrJoin(assignments, ", "), " WHERE seq IN (", a, ", ", b,
          ")"));
}

void InsertForgedEventAfter(const std::string& path, int64_t after) {
  const std::vector<AuditEvent> events = ReadEvents(path, after);
  ASSERT_FALSE(events.empty());
  const AuditEvent& anchor = events[0];
  ASSERT_EQ(anchor.seq, after);
  AuditEvent forged;
  forged.seq = after + 1;
  forged.time = anchor.time;
  forged.actor_principal_id = "dr-rivera";
  forged.actor_role = v1::ROLE_THERAPIST;
  forged.actor_org_id = "sunrise-therapy";
  forged.action = v1::AUDIT_ACTION_CONSENT_REVOKED;
  forged.practice_org_id = "sunrise-therapy";
  forged.patient_id = anchor.patient_id;
  forged.recipient_org_id = "core-pelvic-pt";
  forged.prev_hash = anchor.hash;
  forged.hash = ComputeEventHash(forged.prev_hash, forged);
  Sql(path,
      absl::StrCat("UPDATE audit_events SET seq = -seq WHERE seq > ", after,
                   "; UPDATE audit_events SET seq = 1 - seq WHERE seq "
                   "< 0"));
  WriteEvents(path, {forged});
}

}  // namespace caregate::testing
