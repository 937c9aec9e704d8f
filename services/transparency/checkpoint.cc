#include "services/transparency/checkpoint.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/absl_compat.h"
#include "services/common/status_macros.h"
#include "services/crypto/encoding.h"
#include "services/transparency/signed_note.h"

namespace caregate::tlog {
namespace {

// A line of a note text: CheckNoteText on line + "\n", and non-empty.
absl::Status CheckLine(std::string_view line, std::string_view what) {
  const absl::string_view label = AsAbsl(what);
  if (line.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(label, " is empty"));
  }
  if (line.find('\n') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, " contains a newline"));
  }
  absl::Status status = CheckNoteText(absl::StrCat(AsAbsl(line), "\n"));
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": ", status.message()));
  }
  return absl::OkStatus();
}

}  // namespace

std::optional<int64_t> ParseTreeSize(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > static_cast<uint64_t>(kMaxTreeSize)) return std::nullopt;
  return static_cast<int64_t>(value);
}

absl::StatusOr<std::string> FormatCheckpoint(const Checkpoint& checkpoint) {
  CG_RETURN_IF_ERROR(CheckLine(checkpoint.origin, "checkpoint origin"));
  if (checkpoint.size < 0 || checkpoint.size > kMaxTreeSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint tree size ", checkpoint.size, " is out of range"));
  }
  std::string text =
      absl::StrCat(checkpoint.origin, "\n", checkpoint.size, "\n",
                   Base64Encode(HashBytes(checkpoint.root)), "\n");
  for (const std::string& extension : checkpoint.extensions) {
    CG_RETURN_IF_ERROR(CheckLine(extension, "checkpoint extension line"));
    absl::StrAppend(&text, extension, "\n");
  }
  return text;
}

absl::StatusOr<Checkpoint> ParseCheckpoint(std::string_view text) {
  CG_RETURN_IF_ERROR(CheckNoteText(text));
  text.remove_suffix(1);  // the final "\n"
  std::vector<absl::string_view> lines = absl::StrSplit(AsAbsl(text), '\n');
  if (lines.size() < 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint has ", lines.size(), " lines, want at least 3"));
  }
  Checkpoint checkpoint;
  if (lines[0].empty()) {
    return absl::InvalidArgumentError("checkpoint origin (line 1) is empty");
  }
  checkpoint.origin = std::string(lines[0]);
  std::optional<int64_t> size =
      ParseTreeSize(std::string_view(lines[1].data(), lines[1].size()));
  if (!size.has_value()) {
    return absl::InvalidArgumentError(
        "checkpoint tree size (line 2) is not a decimal without sign or "
        "leading zeros, at most 2^62");
  }
  checkpoint.size = *size;
  std::optional<std::string> root =
      Base64Decode(std::string_view(lines[2].data(), lines[2].size()));
  if (!root.has_value() || root->size() != 32) {
    return absl::InvalidArgumentError(
        "checkpoint root hash (line 3) is not the base64 of 32 bytes");
  }
  CG_ASSIGN_OR_RETURN(checkpoint.root, HashFromBytes(*root, "root hash"));
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("checkpoint extension line ", i + 1, " is empty"));
    }
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

}  // namespace caregate::tlog
