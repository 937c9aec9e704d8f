// Cryptographically secure randomness (OpenSSL RAND_bytes).
#ifndef CAREGATE_SERVICES_CRYPTO_RANDOM_H_
#define CAREGATE_SERVICES_CRYPTO_RANDOM_H_

#include <cstddef>
#include <string>

namespace caregate {

std::string RandomBytes(size_t n);
// A random (version 4) UUID, lowercase: "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string NewUuid();
// `prefix` + "-" + 26 random base32 characters, e.g. "msg-...": unguessable ids.
std::string NewId(std::string_view prefix);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CRYPTO_RANDOM_H_
