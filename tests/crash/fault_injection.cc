#include "tests/crash/fault_injection.h"

#include <sqlite3.h>

#include "absl/strings/str_cat.h"

namespace caregate::crash {

absl::StatusOr<std::string> DropNewestMessage(const std::string& db_path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) !=
      SQLITE_OK) {
    sqlite3_close_v2(db);
    return absl::UnavailableError(absl::StrCat("open ", db_path));
  }
  std::string message_id;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(
      db,
      "DELETE FROM messages WHERE row_id = (SELECT MAX(row_id) FROM messages) "
      "RETURNING message_id",
      -1, &stmt, nullptr);
  if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    message_id = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    rc = sqlite3_step(stmt);
  }
  const std::string error = sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close_v2(db);
  if (rc != SQLITE_DONE) {
    return absl::UnavailableError(absl::StrCat("drop newest message: ", error));
  }
  if (message_id.empty()) return absl::NotFoundError("no message to drop");
  return message_id;
}

}  // namespace caregate::crash
