#include "services/crypto/sha256.h"

#include <string>

#include "gtest/gtest.h"
#include "services/crypto/encoding.h"

namespace caregate {
namespace {

std::string Hex(const Sha256Digest& digest) {
  return HexEncode(std::string_view(
      reinterpret_cast<const char*>(digest.data()), digest.size()));
}

// FIPS 180-2 / NIST examples.
constexpr char kEmptyHex[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kAbcHex[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kTwoBlockHex[] =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr char kTwoBlockInput[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), kEmptyHex);
  EXPECT_EQ(Sha256Hex("abc"), kAbcHex);
  EXPECT_EQ(Sha256Hex(kTwoBlockInput), kTwoBlockHex);
  EXPECT_EQ(Hex(Sha256("abc")), kAbcHex);
}

TEST(Sha256Test, IncrementalEqualsOneShot) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7));
  Sha256Hasher hasher;
  // Uneven pieces, including empty ones and a split inside a 64-byte block.
  hasher.Update(std::string_view(data).substr(0, 1));
  hasher.Update("");
  hasher.Update(std::string_view(data).substr(1, 63));
  hasher.Update(std::string_view(data).substr(64, 100));
  hasher.Update(std::string_view(data).substr(164));
  EXPECT_EQ(hasher.Finish(), Sha256(data));
}

TEST(Sha256Test, IncrementalOfNothingIsEmptyHash) {
  Sha256Hasher hasher;
  EXPECT_EQ(Hex(hasher.Finish()), kEmptyHex);
}

TEST(Sha256Test, HashesBinaryWithZeros) {
  const std::string with_zero("a\0b", 3);
  EXPECT_NE(Sha256(with_zero), Sha256("ab"));
  Sha256Hasher hasher;
  hasher.Update(with_zero);
  EXPECT_EQ(hasher.Finish(), Sha256(with_zero));
}

}  // namespace
}  // namespace caregate
