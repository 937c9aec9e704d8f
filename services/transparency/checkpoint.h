// C2SP tlog-checkpoint: the note text that commits to a log's tree head.
//
//   <origin>\n
//   <tree size, ASCII decimal, no sign, no leading zeros ("0" when empty)>\n
//   <base64 (RFC 4648 standard alphabet, padded) of the 32-byte root hash>\n
//   [<extension line>\n ...]   (optional, each non-empty)
//
// The checkpoint is then signed as a signed note (signed_note.h,
// note_keys.h). Free functions; thread-safe. Errors are INVALID_ARGUMENT
// naming the line at fault.
#ifndef CAREGATE_SERVICES_TRANSPARENCY_CHECKPOINT_H_
#define CAREGATE_SERVICES_TRANSPARENCY_CHECKPOINT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/transparency/merkle.h"

namespace caregate::tlog {

struct Checkpoint {
  std::string origin;
  int64_t size = 0;
  Hash256 root{};
  std::vector<std::string> extensions;  // extension lines, without "\n"

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// The note text of `checkpoint`. INVALID_ARGUMENT when the origin is empty
// or has a control character (a newline included) or invalid UTF-8, the size
// is outside [0, kMaxTreeSize], or an extension line is empty or has a
// control character.
absl::StatusOr<std::string> FormatCheckpoint(const Checkpoint& checkpoint);

// Parses a checkpoint note text (the signatures already split off, e.g.
// SignedNote::text). Strict: exactly the format above, a root that decodes
// to exactly 32 bytes, a size no larger than kMaxTreeSize.
absl::StatusOr<Checkpoint> ParseCheckpoint(std::string_view text);

// A decimal without sign or leading zeros, at most kMaxTreeSize: the tree
// size encoding shared by checkpoints and the witness protocol. nullopt
// otherwise.
std::optional<int64_t> ParseTreeSize(std::string_view text);

}  // namespace caregate::tlog

#endif  // CAREGATE_SERVICES_TRANSPARENCY_CHECKPOINT_H_
