// A deterministic, length-prefixed byte encoding for hashing and signing:
// integers and enums as 8-byte big-endian signed, strings as a 4-byte
// big-endian length and the bytes, lists as a 4-byte big-endian count and the
// elements. Specified in docs/message-signature.md; used for every byte
// string the gateway hashes or signs but the audit log (whose writer is
// sized ahead, services/audit/audit_chain.cc).
#ifndef CAREGATE_SERVICES_COMMON_CANONICAL_BYTES_H_
#define CAREGATE_SERVICES_COMMON_CANONICAL_BYTES_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace caregate {

class CanonicalBytes {
 public:
  CanonicalBytes& Int(int64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out_.push_back(static_cast<char>((static_cast<uint64_t>(value) >> shift) & 0xff));
    }
    return *this;
  }
  CanonicalBytes& Str(std::string_view value) {
    Count(value.size());
    out_.append(value.data(), value.size());
    return *this;
  }
  CanonicalBytes& Count(size_t n) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      out_.push_back(static_cast<char>((n >> shift) & 0xff));
    }
    return *this;
  }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_COMMON_CANONICAL_BYTES_H_
