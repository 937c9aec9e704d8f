// Cryptographically secure randomness (OpenSSL RAND_bytes).
//
// Thread-safe free functions. If the system cannot supply randomness the
// process aborts: nothing secure can be done without it.
#ifndef CAREGATE_SERVICES_CRYPTO_RANDOM_H_
#define CAREGATE_SERVICES_CRYPTO_RANDOM_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace caregate {

std::string RandomBytes(size_t n);
// A random (version 4) UUID, lowercase: "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string NewUuid();
// `prefix` + "-" + 26 random characters of the lowercase Crockford base32
// alphabet ("0123456789abcdefghjkmnpqrstvwxyz"), 130 bits, e.g.
// "msg-3f9k...": unguessable ids.
std::string NewId(std::string_view prefix);
// NewId() with the time first: `prefix` + "-" + 10 base32 characters of the
// milliseconds since the Unix epoch (big-endian, so ids of later times sort
// after) + the same 26 random characters, e.g. "msg-01jd3k5m7q" + 26 chars.
// Still unguessable (130 random bits); ids inserted together land on the same
// index page instead of on a random one, which keeps the store's writes small.
std::string NewTimeOrderedId(std::string_view prefix, absl::Time now);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CRYPTO_RANDOM_H_
