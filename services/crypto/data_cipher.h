// AES-256-GCM sealing of data at rest (OpenSSL EVP).
//
// Sealed form: 12-byte random nonce || ciphertext || 16-byte tag. The key id
// is kept by the caller beside each ciphertext, for rotation. Random nonces
// bound one key's safe use to about 2^32 seals (NIST SP 800-38D); rotate
// before that.
//
// Thread-safe: immutable after creation, every call uses its own
// EVP_CIPHER_CTX. Errors never contain key material.
#ifndef CAREGATE_SERVICES_CRYPTO_DATA_CIPHER_H_
#define CAREGATE_SERVICES_CRYPTO_DATA_CIPHER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace caregate {

// Thread-safe.
class DataCipher {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;

  // `key` is 32 raw bytes; INVALID_ARGUMENT otherwise.
  static absl::StatusOr<std::unique_ptr<DataCipher>> Create(
      std::string_view key, std::string key_id);
  // Reads a key file holding 64 hex characters (surrounding whitespace
  // ignored); the error names the file, never the key. NOT_FOUND when the
  // file is missing, FAILED_PRECONDITION when unreadable, INVALID_ARGUMENT
  // when its contents are not a 32-byte hex key.
  static absl::StatusOr<std::unique_ptr<DataCipher>> FromKeyFile(
      const std::string& path, std::string key_id);

  ~DataCipher();  // wipes the key
  DataCipher(const DataCipher&) = delete;
  DataCipher& operator=(const DataCipher&) = delete;

  // Encrypts `plaintext`, authenticating `associated_data` too. Returns
  // kNonceSize + plaintext.size() + kTagSize bytes. Aborts the process if
  // OpenSSL fails internally (out of memory, no entropy).
  std::string Seal(std::string_view plaintext,
                   std::string_view associated_data) const;
  // DATA_LOSS when the sealed bytes or associated data were altered or the
  // key is wrong; INVALID_ARGUMENT when `sealed` is too short.
  absl::StatusOr<std::string> Open(std::string_view sealed,
                                   std::string_view associated_data) const;

  const std::string& key_id() const { return key_id_; }

 private:
  DataCipher(std::string key, std::string key_id);
  std::string key_;
  std::string key_id_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CRYPTO_DATA_CIPHER_H_
