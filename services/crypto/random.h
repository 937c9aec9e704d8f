// Cryptographically secure randomness (OpenSSL RAND_bytes).
//
// Thread-safe free functions. If the system cannot supply randomness the
// process aborts: nothing secure can be done without it.
#ifndef CAREGATE_SERVICES_CRYPTO_RANDOM_H_
#define CAREGATE_SERVICES_CRYPTO_RANDOM_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace caregate {

std::string RandomBytes(size_t n);
// A random (version 4) UUID, lowercase: "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string NewUuid();
// `prefix` + "-" + 26 random characters of the lowercase Crockford base32
// alphabet ("0123456789abcdefghjkmnpqrstvwxyz"), 130 bits, e.g.
// "msg-3f9k...": unguessable ids.
std::string NewId(std::string_view prefix);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CRYPTO_RANDOM_H_
