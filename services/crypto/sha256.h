// SHA-256 (OpenSSL EVP).
//
// The free functions are thread-safe. A Sha256Hasher is one computation and
// must be used by one thread at a time. OpenSSL failing to hash (only possible
// when out of memory) aborts the process.
#ifndef CAREGATE_SERVICES_CRYPTO_SHA256_H_
#define CAREGATE_SERVICES_CRYPTO_SHA256_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace caregate {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);
// Lowercase hex of Sha256(data).
std::string Sha256Hex(std::string_view data);

// Incremental hashing; not thread-safe, one object per computation.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::string_view data);
  // Returns the digest; the hasher must not be used afterwards.
  Sha256Digest Finish();

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CRYPTO_SHA256_H_
