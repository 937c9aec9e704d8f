// Internal helpers of the crypto library: owners of OpenSSL objects, reading
// small secret files, and the fatal path for OpenSSL failures that only
// happen when the process is out of memory or entropy. Not for use outside
// services/crypto.
#ifndef CAREGATE_SERVICES_CRYPTO_OPENSSL_UTIL_H_
#define CAREGATE_SERVICES_CRYPTO_OPENSSL_UTIL_H_

#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace caregate::crypto_internal {

struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct EvpCipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using EvpCipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, EvpCipherCtxFree>;

// Takes ownership of `key` (may be null).
std::shared_ptr<EVP_PKEY> WrapPkey(EVP_PKEY* key);

// Reads a whole file of at most `max_bytes`. Errors name `what` and the path,
// never the contents: NOT_FOUND when missing, FAILED_PRECONDITION when
// unreadable or too large.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path,
                                          std::string_view what,
                                          size_t max_bytes);

// Overwrites `secret`'s bytes with zeros (OPENSSL_cleanse), then clears it.
void Wipe(std::string& secret);

// Prints "caregate crypto: <what>" and the OpenSSL error, then aborts. For
// failures that cannot be handled: out of memory, no entropy.
[[noreturn]] void FatalOpenSslError(const char* what);

}  // namespace caregate::crypto_internal

#endif  // CAREGATE_SERVICES_CRYPTO_OPENSSL_UTIL_H_
