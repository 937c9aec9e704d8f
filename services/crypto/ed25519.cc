#include "services/crypto/ed25519.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include <array>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "services/crypto/encoding.h"
#include "services/crypto/openssl_util.h"
#include "services/crypto/sha256.h"

namespace caregate {
namespace {

using crypto_internal::EvpMdCtxPtr;

constexpr size_t kRawKeySize = 32;
constexpr size_t kSignatureSize = 64;
constexpr size_t kMaxPemFileBytes = 64 * 1024;

enum class KeyKind { kPublic, kPrivate };

// Never prompt for a passphrase: encrypted keys are rejected.
int NoPassphrase(char*, int, int, void*) { return -1; }

std::string KeyIdOf(std::string_view raw_public_key) {
  const Sha256Digest digest = Sha256(raw_public_key);
  return HexEncode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), 8));
}

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

// Parses a PEM key of `kind`; errors start with `source`.
absl::StatusOr<std::shared_ptr<EVP_PKEY>> ParseEd25519Pem(
    std::string_view pem, KeyKind kind, std::string_view source) {
  const absl::string_view label(source.data(), source.size());
  if (pem.size() > INT_MAX) {
    return absl::InvalidArgumentError(absl::StrCat(label, ": too large"));
  }
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) crypto_internal::FatalOpenSslError("BIO_new_mem_buf");
  EVP_PKEY* parsed =
      kind == KeyKind::kPrivate
          ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr)
          : PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr);
  ERR_clear_error();
  std::shared_ptr<EVP_PKEY> key = crypto_internal::WrapPkey(parsed);
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        label, kind == KeyKind::kPrivate
                   ? ": not an unencrypted PEM private key (BEGIN PRIVATE KEY)"
                   : ": not a PEM public key (BEGIN PUBLIC KEY)"));
  }
  if (!EVP_PKEY_is_a(key.get(), "ED25519")) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": not an Ed25519 key"));
  }
  return key;
}

absl::StatusOr<std::string> RawPublicKeyOf(EVP_PKEY* key,
                                           std::string_view source) {
  std::string raw(kRawKeySize, '\0');
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(
          key, reinterpret_cast<unsigned char*>(raw.data()), &len) != 1 ||
      len != kRawKeySize) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat(absl::string_view(source.data(), source.size()),
                     ": cannot extract the Ed25519 public key"));
  }
  return raw;
}

// Prefixes the error of a key read from `path` with the file's name.
absl::Status InFile(const absl::Status& status, const std::string& path) {
  return absl::Status(status.code(),
                      absl::StrCat(path, ": ", status.message()));
}

}  // namespace

Ed25519Verifier::Ed25519Verifier(std::shared_ptr<EVP_PKEY> key,
                                 std::string raw_public_key)
    : key_(std::move(key)),
      raw_public_key_(std::move(raw_public_key)),
      key_id_(KeyIdOf(raw_public_key_)) {}

absl::StatusOr<std::unique_ptr<Ed25519Verifier>> Ed25519Verifier::FromPem(
    std::string_view pem) {
  constexpr std::string_view kSource = "Ed25519 public key";
  auto key = ParseEd25519Pem(pem, KeyKind::kPublic, kSource);
  if (!key.ok()) return key.status();
  auto raw = RawPublicKeyOf(key->get(), kSource);
  if (!raw.ok()) return raw.status();
  return std::unique_ptr<Ed25519Verifier>(
      new Ed25519Verifier(*std::move(key), *std::move(raw)));
}

absl::StatusOr<std::unique_ptr<Ed25519Verifier>> Ed25519Verifier::FromPemFile(
    const std::string& path) {
  auto pem = crypto_internal::ReadSmallFile(path, "Ed25519 public key file",
                                            kMaxPemFileBytes);
  if (!pem.ok()) return pem.status();
  auto verifier = FromPem(*pem);
  if (!verifier.ok()) return InFile(verifier.status(), path);
  return verifier;
}

absl::StatusOr<std::unique_ptr<Ed25519Verifier>> Ed25519Verifier::FromRaw(
    std::string_view raw_public_key) {
  if (raw_public_key.size() != kRawKeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("Ed25519 public key: expected ", kRawKeySize,
                     " bytes, got ", raw_public_key.size()));
  }
  std::shared_ptr<EVP_PKEY> key =
      crypto_internal::WrapPkey(EVP_PKEY_new_raw_public_key_ex(
          nullptr, "ED25519", nullptr,
          reinterpret_cast<const unsigned char*>(raw_public_key.data()),
          raw_public_key.size()));
  if (key == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("Ed25519 public key: rejected");
  }
  return std::unique_ptr<Ed25519Verifier>(
      new Ed25519Verifier(std::move(key), std::string(raw_public_key)));
}

bool Ed25519Verifier::Verify(std::string_view message,
                             std::string_view signature) const {
  if (signature.size() != kSignatureSize) return false;
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx != nullptr &&
      EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr,
                              key_.get(), nullptr) == 1 &&
      EVP_DigestVerify(ctx.get(),
                       reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(),
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

namespace {

// libsodium failed where it cannot for a valid key: nothing safe is left to
// do.
[[noreturn]] void FatalSodiumError(const char* what) {
  std::fprintf(stderr, "caregate crypto: libsodium: %s failed\n", what);
  std::abort();
}

// libsodium's form of `key`'s private key: its seed, then `raw_public_key`.
absl::Status ToSodiumSecretKey(EVP_PKEY* key, std::string_view raw_public_key,
                               std::array<uint8_t, 64>& secret_key) {
  size_t len = kRawKeySize;
  if (EVP_PKEY_get_raw_private_key(key, secret_key.data(), &len) != 1 ||
      len != kRawKeySize) {
    ERR_clear_error();
    sodium_memzero(secret_key.data(), secret_key.size());
    return absl::InvalidArgumentError(
        "Ed25519 private key: cannot extract the private key");
  }
  std::memcpy(secret_key.data() + kRawKeySize, raw_public_key.data(),
              kRawKeySize);
  return absl::OkStatus();
}

}  // namespace

Ed25519Signer::Ed25519Signer(const SecretKey& secret_key,
                             std::string raw_public_key)
    : secret_key_(secret_key),
      raw_public_key_(std::move(raw_public_key)),
      key_id_(KeyIdOf(raw_public_key_)) {}

Ed25519Signer::~Ed25519Signer() {
  sodium_memzero(secret_key_.data(), secret_key_.size());
}

absl::StatusOr<std::unique_ptr<Ed25519Signer>> Ed25519Signer::FromPem(
    std::string_view pem) {
  // Idempotent and thread-safe; picks the CPU's fastest code paths.
  if (sodium_init() < 0) FatalSodiumError("sodium_init");
  constexpr std::string_view kSource = "Ed25519 private key";
  auto key = ParseEd25519Pem(pem, KeyKind::kPrivate, kSource);
  if (!key.ok()) return key.status();
  auto raw = RawPublicKeyOf(key->get(), kSource);
  if (!raw.ok()) return raw.status();
  SecretKey secret_key;
  absl::Status extracted = ToSodiumSecretKey(key->get(), *raw, secret_key);
  if (!extracted.ok()) return extracted;
  auto signer = std::unique_ptr<Ed25519Signer>(
      new Ed25519Signer(secret_key, *std::move(raw)));
  sodium_memzero(secret_key.data(), secret_key.size());
  return signer;
}

absl::StatusOr<std::unique_ptr<Ed25519Signer>> Ed25519Signer::FromPemFile(
    const std::string& path) {
  auto pem = crypto_internal::ReadSmallFile(path, "Ed25519 private key file",
                                            kMaxPemFileBytes);
  if (!pem.ok()) return pem.status();
  auto signer = FromPem(*pem);
  crypto_internal::Wipe(*pem);
  if (!signer.ok()) return InFile(signer.status(), path);
  return signer;
}

std::string Ed25519Signer::Sign(std::string_view message) const {
  std::string signature(kSignatureSize, '\0');
  unsigned long long len = 0;  // NOLINT(runtime/int): libsodium's type
  if (crypto_sign_ed25519_detached(
          reinterpret_cast<unsigned char*>(signature.data()), &len,
          reinterpret_cast<const unsigned char*>(message.data()),
          message.size(), secret_key_.data()) != 0 ||
      len != kSignatureSize) {
    FatalSodiumError("Ed25519 sign");
  }
  return signature;
}

}  // namespace caregate
