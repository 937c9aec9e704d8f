// Ed25519 signing and verification, keys in PEM files.
//
// OpenSSL parses the keys and verifies. Signing runs on libsodium, whose
// Ed25519 signs in half OpenSSL 3.0's time (20-26 against 44 us on the
// AMD EPYC of BENCHMARKS.md), and the gateway signs every message it
// delivers. Ed25519 signatures are deterministic (RFC 8032), so both
// libraries give the same bytes for the same key and message; a test holds
// them to that.
//
// Both classes are immutable after creation and thread-safe: the parsed
// key is built once and shared read-only, and every Verify call uses its own
// EVP_MD_CTX. Factories return INVALID_ARGUMENT for a malformed
// or non-Ed25519 key; the *File variants also NOT_FOUND for a missing file and
// FAILED_PRECONDITION for an unreadable one. Error messages name the file,
// never key material. PEM keys are never decrypted: an encrypted private key
// is rejected (no passphrase prompt).
#ifndef CAREGATE_SERVICES_CRYPTO_ED25519_H_
#define CAREGATE_SERVICES_CRYPTO_ED25519_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace caregate {

// Verifies Ed25519 signatures with one public key. Thread-safe.
class Ed25519Verifier {
 public:
  // From a PEM SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----").
  static absl::StatusOr<std::unique_ptr<Ed25519Verifier>> FromPem(
      std::string_view pem);
  static absl::StatusOr<std::unique_ptr<Ed25519Verifier>> FromPemFile(
      const std::string& path);
  // From the raw 32-byte public key.
  static absl::StatusOr<std::unique_ptr<Ed25519Verifier>> FromRaw(
      std::string_view raw_public_key);

  // True only when `signature` is a valid 64-byte signature of `message`.
  bool Verify(std::string_view message, std::string_view signature) const;
  const std::string& raw_public_key() const { return raw_public_key_; }
  // First 8 bytes of SHA-256(raw public key), lowercase hex (16 characters).
  const std::string& key_id() const { return key_id_; }

 private:
  Ed25519Verifier(std::shared_ptr<evp_pkey_st> key, std::string raw_public_key);
  std::shared_ptr<evp_pkey_st> key_;
  std::string raw_public_key_;
  std::string key_id_;
};

// Signs with one Ed25519 private key. Thread-safe.
class Ed25519Signer {
 public:
  // From a PEM PKCS#8 private key ("-----BEGIN PRIVATE KEY-----").
  static absl::StatusOr<std::unique_ptr<Ed25519Signer>> FromPem(
      std::string_view pem);
  static absl::StatusOr<std::unique_ptr<Ed25519Signer>> FromPemFile(
      const std::string& path);

  ~Ed25519Signer();  // wipes the private key
  Ed25519Signer(const Ed25519Signer&) = delete;
  Ed25519Signer& operator=(const Ed25519Signer&) = delete;

  // The raw 64-byte signature of `message` (deterministic, RFC 8032). Aborts
  // the process if libsodium fails (it cannot for a well-formed key).
  std::string Sign(std::string_view message) const;
  const std::string& raw_public_key() const { return raw_public_key_; }
  // Same id as the matching Ed25519Verifier::key_id().
  const std::string& key_id() const { return key_id_; }

 private:
  // libsodium's form of a private key: the 32-byte seed, then the public key.
  using SecretKey = std::array<uint8_t, 64>;
  Ed25519Signer(const SecretKey& secret_key, std::string raw_public_key);
  SecretKey secret_key_;
  std::string raw_public_key_;
  std::string key_id_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CRYPTO_ED25519_H_
