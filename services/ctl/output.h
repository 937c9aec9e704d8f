// How caregatectl prints: aligned tables and "key  value" blocks for people,
// the protobuf JSON mapping for programs (one object per line), enum values
// without their type prefix (TRAUMA_HISTORY), and the one-line error
// conventions. Enum input accepts both forms, case-insensitively.
//
// Thread-compatible; a Table belongs to one thread.
#ifndef CAREGATE_SERVICES_CTL_OUTPUT_H_
#define CAREGATE_SERVICES_CTL_OUTPUT_H_

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_field.h"
#include "services/ctl/cli.h"

namespace caregate::ctl {

// The value's name without its type prefix: TRAUMA_HISTORY for
// CATEGORY_TRAUMA_HISTORY; the number for a value the enum does not define.
std::string ShortEnumName(const google::protobuf::EnumDescriptor* type,
                          int value);

// Parses "TRAUMA_HISTORY", "trauma_history" or "CATEGORY_TRAUMA_HISTORY".
// INVALID_ARGUMENT naming `flag` and listing the accepted values for anything
// else, including UNSPECIFIED.
absl::StatusOr<int> ParseEnumName(const google::protobuf::EnumDescriptor* type,
                                  std::string_view text, std::string_view flag);

template <typename E>
std::string Short(E value) {
  return ShortEnumName(google::protobuf::GetEnumDescriptor<E>(),
                       static_cast<int>(value));
}

template <typename E>
absl::StatusOr<E> ParseEnum(std::string_view text, std::string_view flag) {
  absl::StatusOr<int> value =
      ParseEnumName(google::protobuf::GetEnumDescriptor<E>(), text, flag);
  if (!value.ok()) return value.status();
  return static_cast<E>(*value);
}

// Every value of every entry; entries may also be comma-separated lists.
template <typename E>
absl::StatusOr<std::vector<E>> ParseEnumList(
    const std::vector<std::string>& entries, std::string_view flag) {
  std::vector<E> values;
  for (const std::string& entry : entries) {
    for (absl::string_view part :
         absl::StrSplit(entry, ',', absl::SkipEmpty())) {
      absl::StatusOr<E> value =
          ParseEnum<E>(std::string_view(part.data(), part.size()), flag);
      if (!value.ok()) return value.status();
      values.push_back(*value);
    }
  }
  return values;
}

// Short names joined with ", "; "-" when empty.
template <typename E>
std::string JoinShort(const google::protobuf::RepeatedField<int>& values) {
  std::string out;
  for (int v : values) {
    if (!out.empty()) out += ", ";
    out += Short(static_cast<E>(v));
  }
  return out.empty() ? "-" : out;
}

// "-" for an empty string, else the string.
std::string OrDash(std::string_view text);

// `text` made safe to print on a terminal: every control character (C0,
// DEL and C1; newline and tab are kept when `multiline`) is shown as \xNN
// (C0, DEL) or \u{NN} (C1), and a byte that is not part of valid UTF-8 as
// \xNN, so nothing a sender wrote can move the cursor, clear the screen or
// draw a fake line. A backslash stays a backslash: escapes are for the eye,
// not a reversible encoding. Tables, field lists and message views print
// through it.
std::string Printable(std::string_view text, bool multiline = false);

// Rows under a header, each column padded to its widest cell (two spaces
// between columns, the last column unpadded).
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  void AddRow(std::vector<std::string> row);
  void Print(std::ostream& os) const;
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// "key  value" lines with the keys padded to the widest.
void PrintFields(const std::vector<std::pair<std::string, std::string>>& fields,
                 std::ostream& os);

// The protobuf JSON mapping of `message` on one line, then "\n".
void PrintJsonLine(const google::protobuf::Message& message, std::ostream& os);

// Writes `text` to `path` through `path`.tmp and a rename, so a reader sees
// the old file or the whole new one, never half. FAILED_PRECONDITION naming
// the file when it cannot be written.
absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& text);

// Writes "<program>: <message>" (made one line) to err and returns
// kExitUsage or kExitFailed.
int UsageError(std::string_view program, std::string_view message,
               CommandIo io);
int Failed(std::string_view program, std::string_view message, CommandIo io);
// Failed(), or UsageError() when `status` is INVALID_ARGUMENT.
int StatusError(std::string_view program, const absl::Status& status,
                CommandIo io);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_OUTPUT_H_
