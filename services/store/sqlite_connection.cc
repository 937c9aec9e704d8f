#include "services/store/sqlite_connection.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/store/sqlite_batching_vfs.h"

namespace caregate::sqlite {
namespace {

absl::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE ||
          rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return absl::StatusCode::kAlreadyExists;
      }
      return absl::StatusCode::kInternal;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
      return absl::StatusCode::kUnavailable;
    case SQLITE_NOMEM:
      return absl::StatusCode::kResourceExhausted;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::string_view View(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// sqlite3_bind_* treats a null pointer as SQL NULL; an empty value is not.
const char* NonNull(std::string_view s) {
  return s.data() != nullptr ? s.data() : "";
}

}  // namespace

absl::Status SqliteError(std::string_view op, int rc, sqlite3* db) {
  // The connection's message is specific ("UNIQUE constraint failed: t.c")
  // but only describes `rc` if it was the connection's last error.
  const char* detail = (db != nullptr && sqlite3_extended_errcode(db) == rc)
                           ? sqlite3_errmsg(db)
                           : sqlite3_errstr(rc);
  return absl::Status(CodeFor(rc), absl::StrCat(View(op), ": ", detail));
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : op_(other.op_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      db_(other.db_),
      bind_rc_(other.bind_rc_) {}

SqliteStatement::~SqliteStatement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void SqliteStatement::CheckBind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void SqliteStatement::BindInt64(int index, int64_t value) {
  CheckBind(sqlite3_bind_int64(stmt_, index, value));
}

void SqliteStatement::BindText(int index, std::string_view value) {
  CheckBind(sqlite3_bind_text64(stmt_, index, NonNull(value), value.size(),
                                SQLITE_TRANSIENT, SQLITE_UTF8));
}

void SqliteStatement::BindBlob(int index, std::string_view value) {
  CheckBind(sqlite3_bind_blob64(stmt_, index, NonNull(value), value.size(),
                                SQLITE_TRANSIENT));
}

void SqliteStatement::BindNull(int index) {
  CheckBind(sqlite3_bind_null(stmt_, index));
}

absl::StatusOr<bool> SqliteStatement::Step() {
  if (bind_rc_ != SQLITE_OK) return SqliteError(op_, bind_rc_, db_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(op_, rc, db_);
}

absl::Status SqliteStatement::Run() { return Step().status(); }

int64_t SqliteStatement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string SqliteStatement::ColumnText(int column) const {
  return std::string(ColumnTextView(column));
}

std::string SqliteStatement::ColumnBlob(int column) const {
  return std::string(ColumnBlobView(column));
}

std::string_view SqliteStatement::ColumnTextView(int column) const {
  const auto* text =
      reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string_view(text, sqlite3_column_bytes(stmt_, column));
}

std::string_view SqliteStatement::ColumnBlobView(int column) const {
  const auto* blob =
      static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  if (blob == nullptr) return {};
  return std::string_view(blob, sqlite3_column_bytes(stmt_, column));
}

bool SqliteStatement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

absl::StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(
    const std::string& path, int flags, int busy_timeout_ms) {
  absl::StatusOr<const char*> vfs = BatchingVfsName();
  if (!vfs.ok()) return vfs.status();
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, *vfs);
  if (rc != SQLITE_OK) {
    absl::Status status = SqliteError("open database", rc, db);
    sqlite3_close(db);
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return std::unique_ptr<SqliteConnection>(new SqliteConnection(db));
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

absl::StatusOr<SqliteStatement> SqliteConnection::Prepare(
    std::string_view op, std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(op, rc, db_);
    it = cache_.emplace(std::string(sql), stmt).first;
  }
  return SqliteStatement(op, it->second, db_);
}

absl::Status SqliteConnection::Exec(std::string_view op,
                                    const std::string& sql) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(op, rc, db_);
  return absl::OkStatus();
}

absl::StatusOr<std::string> SqliteConnection::QueryText(
    std::string_view op, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(op, rc, db_);
  std::string text;
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    if (p != nullptr) text.assign(p, sqlite3_column_bytes(stmt, 0));
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_OK;
  }
  absl::Status status =
      rc == SQLITE_OK ? absl::OkStatus() : SqliteError(op, rc, db_);
  sqlite3_finalize(stmt);
  if (!status.ok()) return status;
  return text;
}

}  // namespace caregate::sqlite
