// FuzzBytes: reads typed values off the front of a fuzzer's input.
//
// A plain cursor over bytes the caller owns (they must outlive it). Once the
// input is used up every read returns zero / empty, so a decoder never fails:
// each input, however short, decodes to something. Integers are big-endian.
// Not thread-safe; one per input. Used instead of clang's
// FuzzedDataProvider so the targets also build with gcc (regression mode).
#ifndef CAREGATE_TESTS_FUZZ_FUZZ_BYTES_H_
#define CAREGATE_TESTS_FUZZ_FUZZ_BYTES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace caregate::fuzz {

class FuzzBytes {
 public:
  FuzzBytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  size_t remaining() const { return size_ - pos_; }

  uint8_t U8() { return empty() ? 0 : data_[pos_++]; }
  uint64_t Uint(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | U8();
    return v;
  }
  uint16_t U16() { return static_cast<uint16_t>(Uint(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Uint(4)); }
  int32_t I32() { return static_cast<int32_t>(U32()); }
  int64_t I64() { return static_cast<int64_t>(Uint(8)); }
  bool Bool() { return (U8() & 1) != 0; }
  // A value in [0, n); 0 when n is 0.
  size_t Below(size_t n) { return n == 0 ? 0 : U16() % n; }

  // Exactly min(n, remaining()) bytes.
  std::string Bytes(size_t n) {
    n = std::min(n, remaining());
    std::string out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }
  // A length (one byte, or two when max_size > 255), then that many bytes;
  // at most max_size.
  std::string String(size_t max_size) {
    const size_t len = max_size > 255 ? U16() : U8();
    return Bytes(std::min(len, max_size));
  }
  // Everything not read yet.
  std::string_view Rest() {
    std::string_view rest(reinterpret_cast<const char*>(data_ + pos_),
                          remaining());
    pos_ = size_;
    return rest;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace caregate::fuzz

#endif  // CAREGATE_TESTS_FUZZ_FUZZ_BYTES_H_
