#include "services/store/postgres/pg_status.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace caregate::pg {
namespace {

absl::string_view View(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

bool IsUnavailable(absl::string_view sqlstate) {
  return absl::StartsWith(sqlstate, "08") ||  // connection exception
         absl::StartsWith(sqlstate, "53") ||  // insufficient resources
         sqlstate == "57P01" ||               // admin_shutdown
         sqlstate == "57P02" ||               // crash_shutdown
         sqlstate == "57P03" ||               // cannot_connect_now
         sqlstate == "25006" ||               // read_only_sql_transaction
         sqlstate == "58030";                 // io_error
}

const char* Reason(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
      return "database unavailable";
    case absl::StatusCode::kAlreadyExists:
      return "duplicate key";
    case absl::StatusCode::kAborted:
      return "conflict with a concurrent transaction, retry";
    default:
      return "database error";
  }
}

}  // namespace

absl::StatusCode CodeForSqlState(std::string_view sqlstate) {
  const absl::string_view s = View(sqlstate);
  if (IsUnavailable(s)) return absl::StatusCode::kUnavailable;
  if (s == "23505") return absl::StatusCode::kAlreadyExists;
  if (s == "40001" || s == "40P01") return absl::StatusCode::kAborted;
  return absl::StatusCode::kInternal;
}

absl::Status StatusForSqlState(std::string_view op, std::string_view sqlstate,
                               std::string_view constraint) {
  const absl::StatusCode code = CodeForSqlState(sqlstate);
  std::string message =
      absl::StrCat(View(op), ": ", Reason(code), " (SQLSTATE ", View(sqlstate));
  if (!constraint.empty()) {
    absl::StrAppend(&message, ", constraint ", View(constraint));
  }
  message += ")";
  return absl::Status(code, message);
}

absl::Status ConnectionLost(std::string_view op, std::string_view detail) {
  absl::string_view text = absl::StripAsciiWhitespace(View(detail));
  return absl::UnavailableError(absl::StrCat(
      View(op),
      ": database unavailable: ", text.empty() ? "no connection" : text));
}

}  // namespace caregate::pg
