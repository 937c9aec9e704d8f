#include "services/transparency/signed_note.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/absl_compat.h"
#include "services/common/status_macros.h"
#include "services/crypto/encoding.h"

namespace caregate::tlog {
namespace {

// Decodes the UTF-8 sequence at `*pos` and advances past it; -1 for an
// invalid one (overlong, surrogate, beyond U+10FFFF, truncated).
int32_t NextCodePoint(std::string_view s, size_t* pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t lead = byte(*pos);
  int length;
  int32_t cp;
  int32_t min;
  if (lead < 0x80) {
    *pos += 1;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (*pos + length > s.size()) return -1;
  for (int i = 1; i < length; ++i) {
    const uint8_t b = byte(*pos + i);
    if ((b & 0xC0) != 0x80) return -1;
    cp = cp << 6 | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *pos += length;
  return cp;
}

// Unicode White_Space (what Go's unicode.IsSpace reports).
bool IsUnicodeSpace(int32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Valid UTF-8 with no control character below U+0020 except "\n".
absl::Status CheckNoteCharacters(std::string_view s, std::string_view what) {
  for (size_t pos = 0; pos < s.size();) {
    const size_t at = pos;
    const int32_t cp = NextCodePoint(s, &pos);
    if (cp < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(AsAbsl(what), ": invalid UTF-8 at byte ", at));
    }
    if (cp < 0x20 && cp != '\n') {
      return absl::InvalidArgumentError(
          absl::StrCat(AsAbsl(what), ": control character 0x",
                       absl::Hex(cp, absl::kZeroPad2), " at byte ", at));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckKeyName(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("key name is empty");
  for (size_t pos = 0; pos < name.size();) {
    const int32_t cp = NextCodePoint(name, &pos);
    if (cp < 0) {
      return absl::InvalidArgumentError("key name is not valid UTF-8");
    }
    if (cp == '+' || IsUnicodeSpace(cp) || cp < 0x20) {
      return absl::InvalidArgumentError(
          absl::StrCat("key name \"", AsAbsl(name),
                       "\" contains a space, a control character or '+'"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckNoteText(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError(
        "note text must be non-empty and end in a newline");
  }
  return CheckNoteCharacters(text, "note text");
}

absl::StatusOr<NoteSignature> ParseSignatureLine(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (line.substr(0, kSignatureLinePrefix.size()) != kSignatureLinePrefix) {
    return absl::InvalidArgumentError(
        "signature line does not start with an em dash (U+2014) and a space");
  }
  line.remove_prefix(kSignatureLinePrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return absl::InvalidArgumentError(
        "signature line has no space between key name and signature");
  }
  NoteSignature signature;
  signature.key_name = std::string(line.substr(0, space));
  CG_RETURN_IF_ERROR(CheckKeyName(signature.key_name));
  std::optional<std::string> bytes = Base64Decode(line.substr(space + 1));
  if (!bytes.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signature by ", signature.key_name, " is not valid base64"));
  }
  if (bytes->size() < 5) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signature by ", signature.key_name, " is shorter than 5 bytes"));
  }
  const auto* b = reinterpret_cast<const uint8_t*>(bytes->data());
  signature.key_id = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 |
                     uint32_t{b[2]} << 8 | uint32_t{b[3]};
  signature.signature = bytes->substr(4);
  return signature;
}

absl::StatusOr<std::vector<NoteSignature>> ParseSignatureLines(
    std::string_view lines) {
  if (lines.empty() || lines.back() != '\n') {
    return absl::InvalidArgumentError(
        "signature lines must be non-empty and end in a newline");
  }
  CG_RETURN_IF_ERROR(CheckNoteCharacters(lines, "signature lines"));
  lines.remove_suffix(1);
  std::vector<NoteSignature> signatures;
  for (absl::string_view line : absl::StrSplit(AsAbsl(lines), '\n')) {
    if (signatures.size() == kMaxNoteSignatures) {
      return absl::InvalidArgumentError(
          absl::StrCat("more than ", kMaxNoteSignatures, " signature lines"));
    }
    absl::StatusOr<NoteSignature> signature =
        ParseSignatureLine(std::string_view(line.data(), line.size()));
    if (!signature.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("signature line ", signatures.size() + 1, ": ",
                       signature.status().message()));
    }
    signatures.push_back(*std::move(signature));
  }
  return signatures;
}

absl::StatusOr<SignedNote> ParseSignedNote(std::string_view note) {
  CG_RETURN_IF_ERROR(CheckNoteCharacters(note, "note"));
  if (note.empty() || note.back() != '\n') {
    return absl::InvalidArgumentError("note does not end in a newline");
  }
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return absl::InvalidArgumentError(
        "note has no blank line before its signatures");
  }
  SignedNote parsed;
  parsed.text = std::string(note.substr(0, split + 1));
  const std::string_view lines = note.substr(split + 2);
  if (lines.empty()) return absl::InvalidArgumentError("note has no signature");
  CG_ASSIGN_OR_RETURN(parsed.signatures, ParseSignatureLines(lines));
  return parsed;
}

std::string FormatSignatureLine(const NoteSignature& signature) {
  std::string bytes(4, '\0');
  for (int i = 0; i < 4; ++i) {
    bytes[i] = static_cast<char>(signature.key_id >> (24 - 8 * i));
  }
  bytes += signature.signature;
  return absl::StrCat(AsAbsl(kSignatureLinePrefix), signature.key_name, " ",
                      Base64Encode(bytes), "\n");
}

std::string FormatSignedNote(const SignedNote& note) {
  std::string out = note.text + "\n";
  for (const NoteSignature& signature : note.signatures) {
    out += FormatSignatureLine(signature);
  }
  return out;
}

}  // namespace caregate::tlog
