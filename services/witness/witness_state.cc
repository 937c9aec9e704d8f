#include "services/witness/witness_state.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/absl_compat.h"
#include "services/crypto/encoding.h"
#include "services/transparency/signed_note.h"

namespace caregate::witness {
namespace {

constexpr std::string_view kHeader = "caregate-witness-state v1";
constexpr std::string_view kName = "name ";
constexpr std::string_view kCheckpoint = "checkpoint ";

absl::Status LineError(size_t line, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("state line ", line, ": ", what));
}

absl::StatusOr<CosignedCheckpoint> ParseRecord(std::string_view base64,
                                               size_t line) {
  std::optional<std::string> note = Base64Decode(base64);
  if (!note.has_value()) return LineError(line, "checkpoint is not base64");
  absl::StatusOr<tlog::SignedNote> parsed = tlog::ParseSignedNote(*note);
  if (!parsed.ok()) return LineError(line, parsed.status().message());
  absl::StatusOr<tlog::Checkpoint> checkpoint =
      tlog::ParseCheckpoint(parsed->text);
  if (!checkpoint.ok()) return LineError(line, checkpoint.status().message());
  return CosignedCheckpoint{*std::move(checkpoint), *std::move(note)};
}

}  // namespace

std::string FormatWitnessState(const WitnessState& state) {
  std::string out =
      absl::StrCat(AsAbsl(kHeader), "\n", AsAbsl(kName), state.name, "\n");
  for (const auto& [origin, record] : state.origins) {
    absl::StrAppend(&out, AsAbsl(kCheckpoint), Base64Encode(record.note), "\n");
  }
  return out;
}

absl::StatusOr<WitnessState> ParseWitnessState(std::string_view contents) {
  if (contents.empty() || contents.back() != '\n') {
    return absl::DataLossError("state does not end in a newline");
  }
  contents.remove_suffix(1);
  std::vector<absl::string_view> lines = absl::StrSplit(AsAbsl(contents), '\n');
  if (lines[0] != AsAbsl(kHeader)) {
    return LineError(1, absl::StrCat("not \"", AsAbsl(kHeader), "\""));
  }
  if (lines.size() < 2 || !absl::StartsWith(lines[1], AsAbsl(kName))) {
    return LineError(2, "no \"name <key name>\" line");
  }
  WitnessState state;
  state.name = std::string(lines[1].substr(kName.size()));
  for (size_t i = 2; i < lines.size(); ++i) {
    if (!absl::StartsWith(lines[i], AsAbsl(kCheckpoint))) {
      return LineError(i + 1, "not a \"checkpoint <base64>\" line");
    }
    const absl::string_view base64 = lines[i].substr(kCheckpoint.size());
    absl::StatusOr<CosignedCheckpoint> record =
        ParseRecord(std::string_view(base64.data(), base64.size()), i + 1);
    if (!record.ok()) return record.status();
    const std::string origin = record->checkpoint.origin;
    if (!state.origins.emplace(origin, *std::move(record)).second) {
      return LineError(i + 1, absl::StrCat("origin \"", origin, "\" twice"));
    }
  }
  return state;
}

}  // namespace caregate::witness
