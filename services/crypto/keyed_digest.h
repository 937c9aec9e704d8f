// HMAC-SHA256 with a key of its own: digests of stored content that nobody
// outside needs to recompute (a denied disclosure's content, a request's
// idempotency fingerprint). Unlike a plain SHA-256, a keyed digest of a short
// body ("F52.31", "yes") cannot be recovered by guessing candidates without
// the key. The signed message's content_sha256 stays a plain SHA-256: a
// clinic recomputes it (docs/message-signature.md).
//
// Thread-safe: immutable after creation. Errors never contain key material.
#ifndef CAREGATE_SERVICES_CRYPTO_KEYED_DIGEST_H_
#define CAREGATE_SERVICES_CRYPTO_KEYED_DIGEST_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace caregate {

class KeyedDigest {
 public:
  static constexpr size_t kKeySize = 32;

  // `key` is 32 raw bytes; INVALID_ARGUMENT otherwise.
  static absl::StatusOr<std::unique_ptr<KeyedDigest>> Create(
      std::string_view key);
  // A key file of 64 hex characters (whitespace around ignored), read as
  // DataCipher::FromKeyFile reads its key file.
  static absl::StatusOr<std::unique_ptr<KeyedDigest>> FromKeyFile(
      const std::string& path);
  // For deployments configured before digest keys existed: a key derived
  // from another 32-byte hex key file (the data key) with HKDF-SHA256 and
  // `label` as its info, so it is still a key of its own (knowing the digest
  // key reveals nothing of the data key).
  static absl::StatusOr<std::unique_ptr<KeyedDigest>> DerivedFromKeyFile(
      const std::string& path, std::string_view label);

  ~KeyedDigest();  // wipes the key
  KeyedDigest(const KeyedDigest&) = delete;
  KeyedDigest& operator=(const KeyedDigest&) = delete;

  // HMAC-SHA256(key, data), raw 32 bytes.
  std::array<uint8_t, 32> Digest(std::string_view data) const;
  // The same, as a 32-byte string.
  std::string DigestBytes(std::string_view data) const;
  // The same, lowercase hex (64 characters).
  std::string DigestHex(std::string_view data) const;

 private:
  explicit KeyedDigest(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CRYPTO_KEYED_DIGEST_H_
