#include "services/crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdint>

#include "services/crypto/encoding.h"
#include "services/crypto/openssl_util.h"

namespace caregate {
namespace {

constexpr char kCrockfordBase32[] = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr size_t kIdChars = 26;
// 50 bits of milliseconds: enough until the year 37,000.
constexpr int kTimeChars = 10;

void FillRandom(void* out, size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    const int chunk = n > INT_MAX ? INT_MAX : static_cast<int>(n);
    if (RAND_bytes(p, chunk) != 1) {
      crypto_internal::FatalOpenSslError("RAND_bytes");
    }
    p += chunk;
    n -= static_cast<size_t>(chunk);
  }
}

// Appends kIdChars random base32 characters (130 bits).
void AppendRandomChars(std::string& out) {
  uint8_t b[kIdChars];
  FillRandom(b, sizeof(b));
  // 256 is a multiple of 32, so the low 5 bits of each byte are uniform.
  for (uint8_t byte : b) out.push_back(kCrockfordBase32[byte & 31]);
}

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  FillRandom(out.data(), n);
  return out;
}

std::string NewUuid() {
  uint8_t b[16];
  FillRandom(b, sizeof(b));
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  const std::string hex =
      HexEncode(std::string_view(reinterpret_cast<const char*>(b), 16));
  std::string out;
  out.reserve(36);
  out.append(hex, 0, 8).push_back('-');
  out.append(hex, 8, 4).push_back('-');
  out.append(hex, 12, 4).push_back('-');
  out.append(hex, 16, 4).push_back('-');
  out.append(hex, 20, 12);
  return out;
}

std::string NewId(std::string_view prefix) {
  std::string out;
  out.reserve(prefix.size() + 1 + kIdChars);
  out.append(prefix).push_back('-');
  AppendRandomChars(out);
  return out;
}

std::string NewTimeOrderedId(std::string_view prefix, absl::Time now) {
  const uint64_t millis =
      static_cast<uint64_t>(std::max<int64_t>(0, absl::ToUnixMillis(now)));
  std::string out;
  out.reserve(prefix.size() + 1 + kTimeChars + kIdChars);
  out.append(prefix).push_back('-');
  for (int i = kTimeChars - 1; i >= 0; --i) {
    out.push_back(kCrockfordBase32[(millis >> (5 * i)) & 31]);
  }
  AppendRandomChars(out);
  return out;
}

}  // namespace caregate
