#include "services/transparency/note_keys.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/absl_compat.h"
#include "services/common/status_macros.h"
#include "services/crypto/encoding.h"
#include "services/crypto/sha256.h"

namespace caregate::tlog {
namespace {

constexpr size_t kEd25519KeySize = 32;
constexpr size_t kEd25519SignatureSize = 64;
constexpr size_t kTimestampSize = 8;

bool IsSupported(uint8_t type) {
  return type == static_cast<uint8_t>(NoteKeyType::kEd25519) ||
         type == static_cast<uint8_t>(NoteKeyType::kCosignatureV1);
}

absl::StatusOr<uint32_t> ParseKeyIdHex(std::string_view hex) {
  if (hex.size() != 8) {
    return absl::InvalidArgumentError(
        "verifier key: key ID is not 8 hex digits");
  }
  uint32_t id = 0;
  for (char c : hex) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return absl::InvalidArgumentError(
          "verifier key: key ID is not lowercase hex");
    }
    id = id << 4 | static_cast<uint32_t>(digit);
  }
  return id;
}

std::string BigEndian64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(value >> (56 - 8 * i));
  return out;
}

uint64_t ReadBigEndian64(std::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value = value << 8 | static_cast<uint8_t>(bytes[i]);
  return value;
}

}  // namespace

uint32_t NoteKeyId(std::string_view name, NoteKeyType type,
                   std::string_view public_key) {
  std::string input(name);
  input += '\n';
  input += static_cast<char>(type);
  input.append(public_key);
  const Sha256Digest digest = Sha256(input);
  return uint32_t{digest[0]} << 24 | uint32_t{digest[1]} << 16 |
         uint32_t{digest[2]} << 8 | uint32_t{digest[3]};
}

std::string FormatVerifierKey(std::string_view name, NoteKeyType type,
                              std::string_view public_key) {
  std::string key(1, static_cast<char>(type));
  key.append(public_key);
  return absl::StrFormat("%s+%08x+%s", AsAbsl(name),
                         NoteKeyId(name, type, public_key), Base64Encode(key));
}

std::string CosignatureMessage(int64_t timestamp, std::string_view text) {
  return absl::StrCat("cosignature/v1\ntime ", timestamp, "\n", AsAbsl(text));
}

absl::StatusOr<std::unique_ptr<NoteVerifier>> NoteVerifier::FromVerifierKey(
    std::string_view verifier_key) {
  const size_t first = verifier_key.find('+');
  const size_t second = first == std::string_view::npos
                            ? std::string_view::npos
                            : verifier_key.find('+', first + 1);
  if (second == std::string_view::npos) {
    return absl::InvalidArgumentError(
        "verifier key is not <name>+<key ID>+<base64 key>");
  }
  const std::string_view name = verifier_key.substr(0, first);
  absl::Status name_ok = CheckKeyName(name);
  if (!name_ok.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("verifier key: ", name_ok.message()));
  }
  CG_ASSIGN_OR_RETURN(uint32_t key_id, ParseKeyIdHex(verifier_key.substr(
                                           first + 1, second - first - 1)));
  std::optional<std::string> key =
      Base64Decode(verifier_key.substr(second + 1));
  if (!key.has_value() || key->empty()) {
    return absl::InvalidArgumentError("verifier key: key is not base64");
  }
  const uint8_t type = static_cast<uint8_t>((*key)[0]);
  if (!IsSupported(type)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "verifier key: unsupported signature type 0x%02x (want 0x01 Ed25519 "
        "or 0x04 cosignature/v1)",
        type));
  }
  const std::string public_key = key->substr(1);
  if (public_key.size() != kEd25519KeySize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "verifier key: Ed25519 key is ", public_key.size(), " bytes, want 32"));
  }
  const auto key_type = static_cast<NoteKeyType>(type);
  if (NoteKeyId(name, key_type, public_key) != key_id) {
    return absl::InvalidArgumentError(
        "verifier key: key ID does not match the name, type and key");
  }
  CG_ASSIGN_OR_RETURN(std::unique_ptr<Ed25519Verifier> ed25519,
                      Ed25519Verifier::FromRaw(public_key));
  std::unique_ptr<NoteVerifier> verifier(new NoteVerifier());
  verifier->name_ = std::string(name);
  verifier->key_id_ = key_id;
  verifier->type_ = key_type;
  verifier->verifier_key_ = std::string(verifier_key);
  verifier->key_ = std::move(ed25519);
  return verifier;
}

bool NoteVerifier::Verify(std::string_view text, std::string_view signature,
                          std::optional<int64_t>* timestamp) const {
  if (type_ == NoteKeyType::kEd25519) {
    return signature.size() == kEd25519SignatureSize &&
           key_->Verify(text, signature);
  }
  if (signature.size() != kTimestampSize + kEd25519SignatureSize) return false;
  const uint64_t time = ReadBigEndian64(signature);
  if (time > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return false;
  }
  const int64_t seconds = static_cast<int64_t>(time);
  if (!key_->Verify(CosignatureMessage(seconds, text),
                    signature.substr(kTimestampSize))) {
    return false;
  }
  if (timestamp != nullptr) *timestamp = seconds;
  return true;
}

absl::StatusOr<std::unique_ptr<NoteSigner>> NoteSigner::Create(
    std::string name, NoteKeyType type,
    std::shared_ptr<const Ed25519Signer> key) {
  CG_RETURN_IF_ERROR(CheckKeyName(name));
  if (key == nullptr) return absl::InvalidArgumentError("note signer: no key");
  if (!IsSupported(static_cast<uint8_t>(type))) {
    return absl::InvalidArgumentError("note signer: unsupported type");
  }
  std::unique_ptr<NoteSigner> signer(new NoteSigner());
  signer->key_id_ = NoteKeyId(name, type, key->raw_public_key());
  signer->verifier_key_ = FormatVerifierKey(name, type, key->raw_public_key());
  signer->name_ = std::move(name);
  signer->type_ = type;
  signer->key_ = std::move(key);
  return signer;
}

absl::StatusOr<NoteSignature> NoteSigner::Sign(std::string_view text,
                                               absl::Time now) const {
  CG_RETURN_IF_ERROR(CheckNoteText(text));
  NoteSignature signature{name_, key_id_, ""};
  if (type_ == NoteKeyType::kEd25519) {
    signature.signature = key_->Sign(text);
    return signature;
  }
  const int64_t seconds = absl::ToUnixSeconds(now);
  if (seconds < 1) {
    return absl::InvalidArgumentError(
        "cosignature time must be after the Unix epoch");
  }
  signature.signature = BigEndian64(static_cast<uint64_t>(seconds)) +
                        key_->Sign(CosignatureMessage(seconds, text));
  return signature;
}

absl::StatusOr<std::vector<VerifiedSignature>> VerifyNote(
    const SignedNote& note, absl::Span<const NoteVerifier* const> trusted) {
  std::vector<VerifiedSignature> verified;
  for (const NoteSignature& signature : note.signatures) {
    for (const NoteVerifier* verifier : trusted) {
      if (verifier->name() != signature.key_name ||
          verifier->key_id() != signature.key_id) {
        continue;
      }
      std::optional<int64_t> timestamp;
      if (!verifier->Verify(note.text, signature.signature, &timestamp)) {
        return absl::UnauthenticatedError(
            absl::StrFormat("signature by %s (key ID %08x) does not verify",
                            signature.key_name, signature.key_id));
      }
      verified.push_back({signature, verifier, timestamp});
      break;
    }
  }
  if (verified.empty()) {
    std::string names;
    for (const NoteVerifier* verifier : trusted) {
      absl::StrAppend(&names, names.empty() ? "" : ", ", verifier->name());
    }
    return absl::UnauthenticatedError(
        absl::StrCat("no signature by a trusted key (", names, ")"));
  }
  return verified;
}

}  // namespace caregate::tlog
