#include "services/crypto/data_cipher.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>
#include <cstdint>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/crypto/encoding.h"
#include "services/crypto/openssl_util.h"

namespace caregate {
namespace {

using crypto_internal::EvpCipherCtxPtr;
using crypto_internal::FatalOpenSslError;

constexpr size_t kMaxKeyFileBytes = 4096;
constexpr size_t kChunk = 1 << 30;  // EVP lengths are int

// Fetched once: an implicit fetch on every call costs a provider lookup.
const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* const cipher = [] {
    EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    if (fetched == nullptr) FatalOpenSslError("fetching AES-256-GCM");
    return fetched;
  }();
  return cipher;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Feeds `in` through EVP_CipherUpdate in int-sized chunks; `out` null for AAD.
bool CipherUpdate(EVP_CIPHER_CTX* ctx, unsigned char* out,
                  std::string_view in) {
  while (!in.empty()) {
    const size_t n = in.size() < kChunk ? in.size() : kChunk;
    int written = 0;
    if (EVP_CipherUpdate(ctx, out, &written, Bytes(in), static_cast<int>(n)) !=
        1) {
      return false;
    }
    if (out != nullptr) out += written;
    in.remove_prefix(n);
  }
  return true;
}

}  // namespace

DataCipher::DataCipher(std::string key, std::string key_id)
    : key_(std::move(key)), key_id_(std::move(key_id)) {}

DataCipher::~DataCipher() { crypto_internal::Wipe(key_); }

absl::StatusOr<std::unique_ptr<DataCipher>> DataCipher::Create(
    std::string_view key, std::string key_id) {
  if (key.size() != kKeySize) {
    return absl::InvalidArgumentError(absl::StrCat("data key ", key_id,
                                                   ": must be ", kKeySize,
                                                   " bytes, got ", key.size()));
  }
  return std::unique_ptr<DataCipher>(
      new DataCipher(std::string(key), std::move(key_id)));
}

absl::StatusOr<std::unique_ptr<DataCipher>> DataCipher::FromKeyFile(
    const std::string& path, std::string key_id) {
  auto contents =
      crypto_internal::ReadSmallFile(path, "data key file", kMaxKeyFileBytes);
  if (!contents.ok()) return contents.status();
  const absl::string_view hex = absl::StripAsciiWhitespace(*contents);
  std::optional<std::string> key;
  if (hex.size() == 2 * kKeySize) {
    key = HexDecode(std::string_view(hex.data(), hex.size()));
  }
  crypto_internal::Wipe(*contents);
  if (!key.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("data key file ", path,
                                                   ": expected ", 2 * kKeySize,
                                                   " hex characters"));
  }
  auto cipher = Create(*key, std::move(key_id));
  crypto_internal::Wipe(*key);
  return cipher;
}

std::string DataCipher::Seal(std::string_view plaintext,
                             std::string_view associated_data) const {
  std::string sealed(kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(sealed.data());
  unsigned char* body = nonce + kNonceSize;
  if (RAND_bytes(nonce, kNonceSize) != 1) FatalOpenSslError("RAND_bytes");
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int final_len = 0;
  if (ctx == nullptr ||
      EVP_EncryptInit_ex2(ctx.get(), Aes256Gcm(), Bytes(key_), nonce,
                          nullptr) != 1 ||
      !CipherUpdate(ctx.get(), nullptr, associated_data) ||
      !CipherUpdate(ctx.get(), body, plaintext) ||
      EVP_EncryptFinal_ex(ctx.get(), body + plaintext.size(), &final_len) !=
          1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kTagSize,
                          body + plaintext.size()) != 1) {
    FatalOpenSslError("AES-256-GCM seal");
  }
  return sealed;
}

absl::StatusOr<std::string> DataCipher::Open(
    std::string_view sealed, std::string_view associated_data) const {
  if (sealed.size() < kNonceSize + kTagSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sealed data is ", sealed.size(),
        " bytes, shorter than nonce and tag (", kNonceSize + kTagSize, ")"));
  }
  const std::string_view nonce = sealed.substr(0, kNonceSize);
  const std::string_view ciphertext =
      sealed.substr(kNonceSize, sealed.size() - kNonceSize - kTagSize);
  std::string tag(sealed.substr(sealed.size() - kTagSize));
  std::string plaintext(ciphertext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr ||
      EVP_DecryptInit_ex2(ctx.get(), Aes256Gcm(), Bytes(key_), Bytes(nonce),
                          nullptr) != 1 ||
      !CipherUpdate(ctx.get(), nullptr, associated_data) ||
      !CipherUpdate(ctx.get(), out, ciphertext) ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kTagSize,
                          tag.data()) != 1) {
    FatalOpenSslError("AES-256-GCM open");
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out + ciphertext.size(), &final_len) !=
      1) {
    ERR_clear_error();
    crypto_internal::Wipe(plaintext);
    return absl::DataLossError(absl::StrCat(
        "sealed data with key ", key_id_,
        " failed authentication: altered, wrong associated data or wrong key"));
  }
  return plaintext;
}

}  // namespace caregate
