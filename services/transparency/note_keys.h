// Keys for signed notes: verifier-key strings, key IDs, Ed25519 note
// signatures and C2SP tlog-cosignature/v1 (timestamped Ed25519) signatures.
//
//   key ID       = first 4 bytes of SHA-256(key name || 0x0A || type || key)
//   verifier key = "<key name>+<8 lowercase hex of the key ID>+"
//                  "<base64(type || 32-byte Ed25519 public key)>"
//
// Signature types:
//   0x01  Ed25519 over exactly the note text; 64 signature bytes.
//   0x04  cosignature/v1: the 8-byte big-endian POSIX timestamp followed by
//         the 64-byte Ed25519 signature over
//         "cosignature/v1\ntime <timestamp in decimal>\n" || note text.
//         Defined for checkpoints (tlog-cosignature); the timestamp is part
//         of what is signed.
//
// NoteSigner and NoteVerifier are immutable after creation and thread-safe.
// Errors: INVALID_ARGUMENT for malformed keys and texts; VerifyNote's are
// listed with it.
#ifndef CAREGATE_SERVICES_TRANSPARENCY_NOTE_KEYS_H_
#define CAREGATE_SERVICES_TRANSPARENCY_NOTE_KEYS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "services/crypto/ed25519.h"
#include "services/transparency/signed_note.h"

namespace caregate::tlog {

enum class NoteKeyType : uint8_t {
  kEd25519 = 0x01,
  kCosignatureV1 = 0x04,
};

// SHA-256(name || "\n" || type || public_key)[:4], big-endian.
uint32_t NoteKeyId(std::string_view name, NoteKeyType type,
                   std::string_view public_key);

// The verifier-key string of a 32-byte Ed25519 public key under `name` for
// signatures of `type`. `name` must pass CheckKeyName (not checked here).
std::string FormatVerifierKey(std::string_view name, NoteKeyType type,
                              std::string_view public_key);

// The message a cosignature/v1 signs: "cosignature/v1\ntime <t>\n" + text.
std::string CosignatureMessage(int64_t timestamp, std::string_view text);

// Verifies note signatures of one key.
class NoteVerifier {
 public:
  // From a verifier key string. INVALID_ARGUMENT when it is malformed, its
  // type is not 0x01 or 0x04, its key is not 32 bytes, or its key ID is not
  // the one computed from its name, type and key.
  static absl::StatusOr<std::unique_ptr<NoteVerifier>> FromVerifierKey(
      std::string_view verifier_key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  NoteKeyType type() const { return type_; }
  const std::string& verifier_key() const { return verifier_key_; }

  // True when `signature` (the bytes after the key ID) is this key's valid
  // signature of `text`. For cosignature/v1, sets *timestamp (when not null)
  // to the signed POSIX time; a timestamp above 2^63-1 never verifies.
  bool Verify(std::string_view text, std::string_view signature,
              std::optional<int64_t>* timestamp) const;

 private:
  NoteVerifier() = default;
  std::string name_;
  uint32_t key_id_ = 0;
  NoteKeyType type_ = NoteKeyType::kEd25519;
  std::string verifier_key_;
  std::unique_ptr<Ed25519Verifier> key_;
};

// Signs notes with one Ed25519 key under one key name.
class NoteSigner {
 public:
  // INVALID_ARGUMENT when `name` is not a valid key name or `key` is null.
  // The key may be shared (e.g. with the message signer); a unique_ptr
  // converts.
  static absl::StatusOr<std::unique_ptr<NoteSigner>> Create(
      std::string name, NoteKeyType type,
      std::shared_ptr<const Ed25519Signer> key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  NoteKeyType type() const { return type_; }
  // The verifier key that checks this signer's signatures.
  const std::string& verifier_key() const { return verifier_key_; }

  // A signature of `text` (CheckNoteText must pass). For cosignature/v1 the
  // timestamp is `now` in whole seconds (rounded down), which must be after
  // 1970-01-01T00:00:01Z; Ed25519 signatures ignore `now`.
  absl::StatusOr<NoteSignature> Sign(std::string_view text,
                                     absl::Time now) const;

 private:
  NoteSigner() = default;
  std::string name_;
  uint32_t key_id_ = 0;
  NoteKeyType type_ = NoteKeyType::kEd25519;
  std::string verifier_key_;
  std::shared_ptr<const Ed25519Signer> key_;
};

// A signature line that a trusted key verified.
struct VerifiedSignature {
  NoteSignature signature;
  const NoteVerifier* verifier = nullptr;  // the trusted key (not owned)
  std::optional<int64_t> timestamp;        // cosignature/v1 only
};

// Checks `note` against `trusted` keys per signed-note: lines whose (key
// name, key ID) match no trusted key are ignored; a line that matches one
// must verify. Returns the verified signatures, in note order.
//   UNAUTHENTICATED "signature by NAME (key ID x) does not verify" when a
//     matching line fails (the whole note is rejected);
//   UNAUTHENTICATED "no signature by a trusted key (...)" when none matched.
absl::StatusOr<std::vector<VerifiedSignature>> VerifyNote(
    const SignedNote& note, absl::Span<const NoteVerifier* const> trusted);

}  // namespace caregate::tlog

#endif  // CAREGATE_SERVICES_TRANSPARENCY_NOTE_KEYS_H_
