// A thin RAII layer over one sqlite3 connection, used by the SQLite Store.
//
// SqliteConnection owns a sqlite3 handle and a cache of prepared statements
// keyed by SQL text; Prepare() hands out a SqliteStatement that borrows a
// cached statement and resets it (and clears its bindings) when destroyed, so
// a statement is compiled once per connection and then only bound, stepped
// and reset.
//
// Thread-safety: none. A connection (and every statement it hands out) is used
// by one thread at a time; the Store serializes access (one writer thread, a
// mutex-guarded pool of readers). At most one SqliteStatement per SQL text may
// be alive at a time on a connection.
//
// Errors: SqliteError() maps SQLite result codes to canonical codes:
// UNIQUE/PRIMARY KEY constraint -> ALREADY_EXISTS; BUSY, LOCKED, IOERR, FULL,
// READONLY, CANTOPEN, PERM -> UNAVAILABLE; CORRUPT, NOTADB -> DATA_LOSS;
// anything else (misuse, SQL errors, other constraints) -> INTERNAL. Messages
// name the operation and SQLite's own message (which names columns, never
// values), never row content.
#ifndef CAREGATE_SERVICES_STORE_SQLITE_CONNECTION_H_
#define CAREGATE_SERVICES_STORE_SQLITE_CONNECTION_H_

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace caregate::sqlite {

// The status for result code `rc` of an operation named `op` on `db` (which
// may be null). `rc` should be an extended result code.
absl::Status SqliteError(std::string_view op, int rc, sqlite3* db);

// A borrowed, bound prepared statement. Bind errors are remembered and
// returned by the next Step(). Column indexes start at 0, parameter indexes
// at 1.
class SqliteStatement {
 public:
  SqliteStatement(std::string_view op, sqlite3_stmt* stmt, sqlite3* db)
      : op_(op), stmt_(stmt), db_(db) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  ~SqliteStatement();

  void BindInt64(int index, int64_t value);
  void BindText(int index, std::string_view value);
  void BindBlob(int index, std::string_view value);
  void BindNull(int index);

  // True when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Steps a statement that returns no rows.
  absl::Status Run();

  int64_t ColumnInt64(int column) const;
  std::string ColumnText(int column) const;
  std::string ColumnBlob(int column) const;
  // The same bytes without a copy: valid until the next Step() (or the
  // statement's end). For readers that decode a row in place.
  std::string_view ColumnTextView(int column) const;
  std::string_view ColumnBlobView(int column) const;
  bool ColumnIsNull(int column) const;

  // The operation name given at Prepare(), for error messages.
  std::string_view op() const { return op_; }

 private:
  void CheckBind(int rc);

  std::string_view op_;
  sqlite3_stmt* stmt_;
  sqlite3* db_;
  int bind_rc_ = SQLITE_OK;
};

class SqliteConnection {
 public:
  // Opens `path` with sqlite3_open_v2 `flags` (SQLITE_OPEN_NOMUTEX is added)
  // through the batching VFS (sqlite_batching_vfs.h), extended result codes
  // on and the given busy timeout.
  static absl::StatusOr<std::unique_ptr<SqliteConnection>> Open(
      const std::string& path, int flags, int busy_timeout_ms);

  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection();  // finalizes cached statements, closes the handle

  // A cached statement for `sql`, compiled on first use. `op` must outlive the
  // statement (string literals do).
  absl::StatusOr<SqliteStatement> Prepare(std::string_view op,
                                          std::string_view sql);

  // Runs one or more statements that return no needed rows (not cached).
  absl::Status Exec(std::string_view op, const std::string& sql);

  // The first column of the first row of `sql` as text ("" when no row).
  absl::StatusOr<std::string> QueryText(std::string_view op,
                                        const std::string& sql);

  // True while a transaction is open on this connection.
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

  int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* handle() const { return db_; }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  // Lets the cache be searched with a std::string_view without a copy.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const {
      return std::hash<std::string_view>()(sql);
    }
  };

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>>
      cache_;
};

}  // namespace caregate::sqlite

#endif  // CAREGATE_SERVICES_STORE_SQLITE_CONNECTION_H_
