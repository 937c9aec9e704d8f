#include "tests/crash/store_view.h"

#include <sqlite3.h>

#include <functional>
#include <memory>

#include "absl/strings/str_cat.h"

namespace caregate::crash {
namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

absl::StatusOr<Db> Open(const std::string& path, bool read_only) {
  sqlite3* raw = nullptr;
  const int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return absl::UnavailableError(
        absl::StrCat("open ", path, ": ", sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

std::string Text(sqlite3_stmt* s, int col) {
  const unsigned char* text = sqlite3_column_text(s, col);
  return text == nullptr ? "" : reinterpret_cast<const char*>(text);
}

std::string Blob(sqlite3_stmt* s, int col) {
  const void* data = sqlite3_column_blob(s, col);
  return data == nullptr ? ""
                         : std::string(static_cast<const char*>(data),
                                       sqlite3_column_bytes(s, col));
}

// Runs `sql`, calling `row` for each result row.
absl::Status Query(sqlite3* db, const char* sql,
                   const std::function<void(sqlite3_stmt*)>& row) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw,
                                                             sqlite3_finalize);
  if (rc != SQLITE_OK) {
    return absl::UnavailableError(
        absl::StrCat("prepare `", sql, "`: ", sqlite3_errmsg(db)));
  }
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) row(stmt.get());
  if (rc != SQLITE_DONE) {
    return absl::UnavailableError(
        absl::StrCat("step `", sql, "`: ", sqlite3_errmsg(db)));
  }
  return absl::OkStatus();
}

absl::Status ReadRows(sqlite3* db, StoreView& view) {
  absl::Status s = Query(
      db, "SELECT seq, hash FROM audit_events ORDER BY seq", [&](auto* r) {
        view.event_hashes.emplace_back(sqlite3_column_int64(r, 0), Blob(r, 1));
      });
  if (s.ok()) {
    s = Query(db, "SELECT seq, head_hash FROM checkpoints ORDER BY row_id",
              [&](auto* r) {
                view.checkpoints.emplace_back(sqlite3_column_int64(r, 0),
                                              Blob(r, 1));
              });
  }
  if (s.ok()) {
    s = Query(
        db,
        "SELECT sender_principal_id, request_id, disclosure_id, "
        "audit_seq, message_id, content_sha256 FROM disclosures",
        [&](auto* r) {
          view.disclosures[{Text(r, 0), Text(r, 1)}].push_back(
              {Text(r, 2), sqlite3_column_int64(r, 3), Text(r, 4), Text(r, 5)});
        });
  }
  if (s.ok()) {
    s = Query(db, "SELECT message_id, disclosure_id, seq, state FROM messages",
              [&](auto* r) {
                view.messages[Text(r, 0)] = {Text(r, 1),
                                             sqlite3_column_int64(r, 2),
                                             sqlite3_column_int(r, 3)};
              });
  }
  if (s.ok()) {
    s = Query(db, "SELECT consent_id, revoked_at_us IS NOT NULL FROM consents",
              [&](auto* r) {
                view.consents_revoked[Text(r, 0)] = sqlite3_column_int(r, 1);
              });
  }
  return s;
}

// Actions 3 and 4: AUDIT_ACTION_DISCLOSURE_PERMITTED and _REDACTED.
absl::Status ReadInvariants(sqlite3* db, StoreView& view) {
  absl::Status s =
      Query(db,
            "SELECT m.message_id, m.seq FROM messages m "
            "LEFT JOIN audit_events a ON a.seq = m.seq "
            "WHERE a.seq IS NULL OR a.action NOT IN (3, 4) "
            "OR a.subject_id != m.disclosure_id",
            [&](auto* r) {
              view.messages_without_event.push_back(absl::StrCat(
                  "message ", Text(r, 0), " (seq ", sqlite3_column_int64(r, 1),
                  ") has no matching disclosure audit event"));
            });
  if (s.ok()) {
    s = Query(db,
              "SELECT sender_principal_id, request_id, COUNT(*) FROM "
              "disclosures GROUP BY 1, 2 HAVING COUNT(*) > 1",
              [&](auto* r) {
                view.duplicate_rows.push_back(absl::StrCat(
                    "request ", Text(r, 0), "/", Text(r, 1), " has ",
                    sqlite3_column_int(r, 2), " disclosure rows"));
              });
  }
  if (s.ok()) {
    s = Query(db,
              "SELECT disclosure_id, COUNT(*) FROM messages GROUP BY 1 "
              "HAVING COUNT(*) > 1",
              [&](auto* r) {
                view.duplicate_rows.push_back(
                    absl::StrCat("disclosure ", Text(r, 0), " has ",
                                 sqlite3_column_int(r, 1), " messages"));
              });
  }
  return s;
}

}  // namespace

absl::StatusOr<StoreView> ReadStore(const std::string& db_path,
                                    bool read_only) {
  absl::StatusOr<Db> db = Open(db_path, read_only);
  if (!db.ok()) return db.status();
  StoreView view;
  absl::Status s = Query(db->get(), "BEGIN", [](auto*) {});
  if (s.ok()) s = ReadRows(db->get(), view);
  if (s.ok()) s = ReadInvariants(db->get(), view);
  Query(db->get(), "COMMIT", [](auto*) {}).IgnoreError();
  if (!s.ok()) return s;
  return view;
}

absl::StatusOr<std::pair<int64_t, std::string>> ReadStoreHead(
    const std::string& db_path, bool read_only) {
  absl::StatusOr<Db> db = Open(db_path, read_only);
  if (!db.ok()) return db.status();
  std::pair<int64_t, std::string> head{0, ""};
  absl::Status s = Query(
      db->get(), "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
      [&](auto* r) {
        head = {sqlite3_column_int64(r, 0), Blob(r, 1)};
      });
  if (!s.ok()) return s;
  return head;
}

}  // namespace caregate::crash
