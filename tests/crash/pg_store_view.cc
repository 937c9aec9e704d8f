#include "tests/crash/pg_store_view.h"

#include <libpq-fe.h>

#include <functional>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace caregate::crash {
namespace {

struct FinishConn {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using Conn = std::unique_ptr<PGconn, FinishConn>;

// One result row: its columns as text (bytea columns are selected with
// encode(..., 'hex') and decoded by Bytes).
class Row {
 public:
  Row(PGresult* result, int row) : result_(result), row_(row) {}
  std::string Text(int col) const {
    return PQgetisnull(result_, row_, col) ? ""
                                           : PQgetvalue(result_, row_, col);
  }
  int64_t Int(int col) const {
    int64_t value = 0;
    return absl::SimpleAtoi(Text(col), &value) ? value : -1;
  }
  bool Bool(int col) const { return Text(col) == "t"; }
  std::string Bytes(int col) const {
    const std::string hex = Text(col);
    std::string bytes;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      int value = 0;
      if (!absl::SimpleHexAtoi(hex.substr(i, 2), &value)) return "<bad hex>";
      bytes.push_back(static_cast<char>(value));
    }
    return bytes;
  }

 private:
  PGresult* const result_;
  const int row_;
};

absl::StatusOr<Conn> Connect(const std::string& conninfo) {
  Conn conn(PQconnectdb(conninfo.c_str()));
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("connect to the replicas' database: ",
                     conn ? PQerrorMessage(conn.get()) : "out of memory"));
  }
  return conn;
}

// Runs `sql`, calling `row` for each result row.
absl::Status Query(PGconn* conn, const std::string& sql,
                   const std::function<void(const Row&)>& row) {
  std::unique_ptr<PGresult, void (*)(PGresult*)> result(
      PQexec(conn, sql.c_str()), PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    return absl::UnavailableError(
        absl::StrCat("`", sql, "`: ", PQerrorMessage(conn)));
  }
  for (int i = 0; i < PQntuples(result.get()); ++i) row(Row(result.get(), i));
  return absl::OkStatus();
}

absl::Status ReadRows(PGconn* conn, StoreView& view) {
  absl::Status s = Query(
      conn, "SELECT seq, encode(hash, 'hex') FROM audit_events ORDER BY seq",
      [&](const Row& r) {
        view.event_hashes.emplace_back(r.Int(0), r.Bytes(1));
      });
  if (s.ok()) {
    s = Query(conn,
              "SELECT seq, encode(head_hash, 'hex') FROM checkpoints "
              "ORDER BY row_id",
              [&](const Row& r) {
                view.checkpoints.emplace_back(r.Int(0), r.Bytes(1));
              });
  }
  if (s.ok()) {
    s = Query(conn,
              "SELECT sender_principal_id, request_id, disclosure_id, "
              "audit_seq, message_id, content_sha256 FROM disclosures",
              [&](const Row& r) {
                view.disclosures[{r.Text(0), r.Text(1)}].push_back(
                    {r.Text(2), r.Int(3), r.Text(4), r.Text(5)});
              });
  }
  if (s.ok()) {
    s = Query(conn,
              "SELECT message_id, disclosure_id, seq, state FROM messages",
              [&](const Row& r) {
                view.messages[r.Text(0)] = {r.Text(1), r.Int(2),
                                            static_cast<int>(r.Int(3))};
              });
  }
  if (s.ok()) {
    s = Query(
        conn, "SELECT consent_id, revoked_at_us IS NOT NULL FROM consents",
        [&](const Row& r) { view.consents_revoked[r.Text(0)] = r.Bool(1); });
  }
  return s;
}

// As store_view.cc: actions 3 and 4 are AUDIT_ACTION_DISCLOSURE_PERMITTED
// and _REDACTED.
absl::Status ReadInvariants(PGconn* conn, StoreView& view) {
  absl::Status s = Query(conn,
                         "SELECT m.message_id, m.seq FROM messages m "
                         "LEFT JOIN audit_events a ON a.seq = m.seq "
                         "WHERE a.seq IS NULL OR a.action NOT IN (3, 4) "
                         "OR a.subject_id <> m.disclosure_id",
                         [&](const Row& r) {
                           view.messages_without_event.push_back(absl::StrCat(
                               "message ", r.Text(0), " (seq ", r.Int(1),
                               ") has no matching disclosure audit event"));
                         });
  if (s.ok()) {
    s = Query(conn,
              "SELECT sender_principal_id, request_id, COUNT(*) FROM "
              "disclosures GROUP BY 1, 2 HAVING COUNT(*) > 1",
              [&](const Row& r) {
                view.duplicate_rows.push_back(
                    absl::StrCat("request ", r.Text(0), "/", r.Text(1), " has ",
                                 r.Int(2), " disclosure rows"));
              });
  }
  if (s.ok()) {
    s = Query(conn,
              "SELECT disclosure_id, COUNT(*) FROM messages GROUP BY 1 "
              "HAVING COUNT(*) > 1",
              [&](const Row& r) {
                view.duplicate_rows.push_back(absl::StrCat(
                    "disclosure ", r.Text(0), " has ", r.Int(1), " messages"));
              });
  }
  if (s.ok()) {
    // The head row every group locks must be the last event (ADR 5).
    s = Query(conn,
              "SELECT h.seq, COALESCE(a.seq, 0) FROM log_head h "
              "LEFT JOIN (SELECT seq, hash FROM audit_events "
              "ORDER BY seq DESC LIMIT 1) a ON true "
              "WHERE h.seq <> COALESCE(a.seq, 0) OR "
              "(a.seq IS NOT NULL AND h.hash <> a.hash)",
              [&](const Row& r) {
                view.head_problems.push_back(
                    absl::StrCat("log_head is at seq ", r.Int(0),
                                 ", the last audit event at ", r.Int(1)));
              });
  }
  return s;
}

}  // namespace

absl::StatusOr<StoreView> ReadPostgresStore(const std::string& conninfo) {
  absl::StatusOr<Conn> conn = Connect(conninfo);
  if (!conn.ok()) return conn.status();
  StoreView view;
  absl::Status s =
      Query(conn->get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            [](const Row&) {});
  if (s.ok()) s = ReadRows(conn->get(), view);
  if (s.ok()) s = ReadInvariants(conn->get(), view);
  Query(conn->get(), "COMMIT", [](const Row&) {}).IgnoreError();
  if (!s.ok()) return s;
  return view;
}

absl::StatusOr<std::pair<int64_t, std::string>> ReadPostgresHead(
    const std::string& conninfo) {
  absl::StatusOr<Conn> conn = Connect(conninfo);
  if (!conn.ok()) return conn.status();
  std::pair<int64_t, std::string> head{0, ""};
  absl::Status s = Query(conn->get(),
                         "SELECT seq, encode(hash, 'hex') FROM audit_events "
                         "ORDER BY seq DESC LIMIT 1",
                         [&](const Row& r) {
                           head = {r.Int(0), r.Bytes(1)};
                         });
  if (!s.ok()) return s;
  return head;
}

absl::StatusOr<std::string> DropNewestPostgresMessage(
    const std::string& conninfo) {
  absl::StatusOr<Conn> conn = Connect(conninfo);
  if (!conn.ok()) return conn.status();
  std::string message_id;
  absl::Status s =
      Query(conn->get(),
            "DELETE FROM messages WHERE message_id = (SELECT message_id FROM "
            "messages ORDER BY seq DESC LIMIT 1) RETURNING message_id",
            [&](const Row& r) { message_id = r.Text(0); });
  if (!s.ok()) return s;
  if (message_id.empty()) return absl::NotFoundError("no message to drop");
  return message_id;
}

}  // namespace caregate::crash
