// C2SP signed-note: a text signed by one or more keys.
//
//   <text, one or more lines, each ending in "\n">
//   "\n"
//   "— <key name> <base64(4-byte big-endian key ID || signature)>\n"  (1+)
//
// The dash is U+2014 EM DASH (bytes E2 80 94) followed by a space. A note is
// valid UTF-8 without ASCII control characters other than newline; the text
// ends at the LAST blank line. Key names are non-empty and contain neither
// Unicode spaces nor '+'. This file parses and formats notes; note_keys.h
// signs and verifies them.
//
// Free functions; thread-safe. Parse errors are INVALID_ARGUMENT naming the
// problem (and the line, where there is one).
#ifndef CAREGATE_SERVICES_TRANSPARENCY_SIGNED_NOTE_H_
#define CAREGATE_SERVICES_TRANSPARENCY_SIGNED_NOTE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace caregate::tlog {

// "— ": U+2014 and a space, the start of every signature line.
inline constexpr std::string_view kSignatureLinePrefix = "\xE2\x80\x94 ";
// A note with more signatures than this is refused (the spec requires
// accepting at least 16).
inline constexpr size_t kMaxNoteSignatures = 100;

// One signature line, decoded.
struct NoteSignature {
  std::string key_name;
  uint32_t key_id = 0;
  std::string signature;  // the bytes after the key ID (at least one)

  friend bool operator==(const NoteSignature&, const NoteSignature&) = default;
};

struct SignedNote {
  std::string text;  // ends in "\n"; excludes the blank separator line
  std::vector<NoteSignature> signatures;  // in the order they appeared
};

// OK when `name` is a valid key name.
absl::Status CheckKeyName(std::string_view name);
// OK when `text` can be a note's text: non-empty, ends in "\n", valid UTF-8,
// no control character other than "\n".
absl::Status CheckNoteText(std::string_view text);

// Splits and decodes a signed note (at least one signature line, at most
// kMaxNoteSignatures).
absl::StatusOr<SignedNote> ParseSignedNote(std::string_view note);
// `text` + "\n" + one line per signature. The caller provides valid parts
// (e.g. from ParseSignedNote or NoteSigner).
std::string FormatSignedNote(const SignedNote& note);

// "— <name> <base64(key ID || signature)>\n".
std::string FormatSignatureLine(const NoteSignature& signature);
// One line, with or without its final "\n".
absl::StatusOr<NoteSignature> ParseSignatureLine(std::string_view line);
// One or more complete signature lines (each ending in "\n"), e.g. a
// witness's add-checkpoint response.
absl::StatusOr<std::vector<NoteSignature>> ParseSignatureLines(
    std::string_view lines);

}  // namespace caregate::tlog

#endif  // CAREGATE_SERVICES_TRANSPARENCY_SIGNED_NOTE_H_
