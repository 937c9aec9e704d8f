#include "services/crypto/keyed_digest.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/crypto/encoding.h"
#include "services/crypto/openssl_util.h"

namespace caregate {
namespace {

constexpr size_t kMaxKeyFileBytes = 4096;

}  // namespace

absl::StatusOr<std::unique_ptr<KeyedDigest>> KeyedDigest::Create(
    std::string_view key) {
  if (key.size() != kKeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("digest key: expected ", kKeySize, " bytes"));
  }
  return std::unique_ptr<KeyedDigest>(new KeyedDigest(std::string(key)));
}

absl::StatusOr<std::unique_ptr<KeyedDigest>> KeyedDigest::FromKeyFile(
    const std::string& path) {
  auto contents = crypto_internal::ReadSmallFile(path, "content digest key file",
                                                 kMaxKeyFileBytes);
  if (!contents.ok()) return contents.status();
  const absl::string_view hex = absl::StripAsciiWhitespace(*contents);
  std::optional<std::string> key;
  if (hex.size() == 2 * kKeySize) {
    key = HexDecode(std::string_view(hex.data(), hex.size()));
  }
  crypto_internal::Wipe(*contents);
  if (!key.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("content digest key file ", path, ": expected ",
                     2 * kKeySize, " hex characters"));
  }
  auto digest = Create(*key);
  crypto_internal::Wipe(*key);
  return digest;
}

absl::StatusOr<std::unique_ptr<KeyedDigest>> KeyedDigest::DerivedFromKeyFile(
    const std::string& path, std::string_view label) {
  absl::StatusOr<std::unique_ptr<KeyedDigest>> base = FromKeyFile(path);
  if (!base.ok()) return base.status();
  std::string derived(kKeySize, '\0');
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = kdf == nullptr ? nullptr : EVP_KDF_CTX_new(kdf);
  std::string info(label);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                       const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                        (*base)->key_.data(),
                                        (*base)->key_.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(),
                                        info.size()),
      OSSL_PARAM_construct_end()};
  const bool ok =
      ctx != nullptr &&
      EVP_KDF_derive(ctx, reinterpret_cast<unsigned char*>(derived.data()),
                     derived.size(), params) == 1;
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  if (!ok) crypto_internal::FatalOpenSslError("HKDF");
  auto digest = Create(derived);
  crypto_internal::Wipe(derived);
  return digest;
}

KeyedDigest::~KeyedDigest() { crypto_internal::Wipe(key_); }

std::array<uint8_t, 32> KeyedDigest::Digest(std::string_view data) const {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           out.data(), &len) == nullptr ||
      len != out.size()) {
    crypto_internal::FatalOpenSslError("HMAC");
  }
  return out;
}

std::string KeyedDigest::DigestBytes(std::string_view data) const {
  const std::array<uint8_t, 32> d = Digest(data);
  return std::string(d.begin(), d.end());
}

std::string KeyedDigest::DigestHex(std::string_view data) const {
  return HexEncode(DigestBytes(data));
}

}  // namespace caregate
