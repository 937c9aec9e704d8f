#include "services/crypto/data_cipher.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/crypto/encoding.h"
#include "services/crypto/random.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kAad = "msg-7c1b2e4d|key-2024-01";

std::unique_ptr<DataCipher> MustCreate(const std::string& key,
                                       std::string key_id = "key-2024-01") {
  auto cipher = DataCipher::Create(key, std::move(key_id));
  EXPECT_TRUE(cipher.ok()) << cipher.status();
  return cipher.ok() ? *std::move(cipher) : nullptr;
}

std::string FourKiB() {
  std::string data(4096, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  return data;
}

TEST(DataCipherTest, RoundTrips4KiB) {
  auto cipher = MustCreate(RandomBytes(32));
  ASSERT_NE(cipher, nullptr);
  const std::string plaintext = FourKiB();
  const std::string sealed = cipher->Seal(plaintext, kAad);
  EXPECT_EQ(sealed.size(), 12 + plaintext.size() + 16);
  EXPECT_EQ(sealed.find(plaintext.substr(0, 64)), std::string::npos);
  auto opened = cipher->Open(sealed, kAad);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, plaintext);
  EXPECT_EQ(cipher->key_id(), "key-2024-01");
}

TEST(DataCipherTest, RoundTripsEmptyPlaintextAndAad) {
  auto cipher = MustCreate(RandomBytes(32));
  ASSERT_NE(cipher, nullptr);
  const std::string sealed = cipher->Seal("", "");
  EXPECT_EQ(sealed.size(), 28u);
  auto opened = cipher->Open(sealed, "");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "");
}

TEST(DataCipherTest, SealUsesFreshNonce) {
  auto cipher = MustCreate(RandomBytes(32));
  ASSERT_NE(cipher, nullptr);
  EXPECT_NE(cipher->Seal("same", kAad), cipher->Seal("same", kAad));
}

TEST(DataCipherTest, FlippedByteAnywhereIsDataLoss) {
  auto cipher = MustCreate(RandomBytes(32));
  ASSERT_NE(cipher, nullptr);
  const std::string sealed = cipher->Seal(FourKiB(), kAad);
  // Nonce, ciphertext start, ciphertext end, tag.
  for (size_t pos :
       {size_t{0}, size_t{12}, sealed.size() - 17, sealed.size() - 1}) {
    std::string altered = sealed;
    altered[pos] ^= 0x01;
    EXPECT_THAT(cipher->Open(altered, kAad),
                StatusIs(absl::StatusCode::kDataLoss,
                         HasSubstr("failed authentication")))
        << "byte " << pos;
  }
}

TEST(DataCipherTest, WrongAssociatedDataIsDataLoss) {
  auto cipher = MustCreate(RandomBytes(32));
  ASSERT_NE(cipher, nullptr);
  const std::string sealed = cipher->Seal("section", kAad);
  EXPECT_THAT(cipher->Open(sealed, "msg-other|key-2024-01"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("key-2024-01")));
  EXPECT_THAT(cipher->Open(sealed, ""),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("associated")));
}

TEST(DataCipherTest, WrongKeyIsDataLoss) {
  auto cipher = MustCreate(RandomBytes(32));
  auto other = MustCreate(RandomBytes(32), "key-2024-02");
  ASSERT_NE(cipher, nullptr);
  ASSERT_NE(other, nullptr);
  EXPECT_THAT(other->Open(cipher->Seal("section", kAad), kAad),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("wrong key")));
}

TEST(DataCipherTest, ShortInputIsInvalidArgument) {
  auto cipher = MustCreate(RandomBytes(32));
  ASSERT_NE(cipher, nullptr);
  EXPECT_THAT(cipher->Open(std::string(27, 'x'), kAad),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("shorter than nonce and tag")));
  EXPECT_THAT(
      cipher->Open("", kAad),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0 bytes")));
}

TEST(DataCipherTest, CreateRejectsWrongKeySize) {
  EXPECT_THAT(DataCipher::Create(std::string(31, 'k'), "key-2024-01"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must be 32 bytes, got 31")));
}

// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13 and
// 14: AES-256, zero key, zero IV.
TEST(DataCipherTest, OpensGcmSpecVectors) {
  auto cipher = MustCreate(std::string(32, '\0'));
  ASSERT_NE(cipher, nullptr);
  const std::string nonce(12, '\0');
  auto empty =
      cipher->Open(nonce + *HexDecode("530f8afbc74536b9a963b4f1c4cb738b"), "");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty, "");
  auto block =
      cipher->Open(nonce + *HexDecode("cea7403d4d606b6e074ec5d3baf39d18"
                                      "d0d1c8a799996bf0265b98b5d48ab919"),
                   "");
  ASSERT_TRUE(block.ok()) << block.status();
  EXPECT_EQ(*block, std::string(16, '\0'));
}

class DataKeyFileTest : public ::testing::Test {
 protected:
  std::string WriteFile(const std::string& data) {
    const std::string path = dir_.path() + "/data.key";
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }
  ::caregate::testing::TempDir dir_{"cg_datakey"};
};

TEST_F(DataKeyFileTest, ReadsHexKeyWithSurroundingWhitespace) {
  const std::string key = RandomBytes(32);
  auto from_file =
      DataCipher::FromKeyFile(WriteFile("\n  " + HexEncode(key) + "\n"), "k1");
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  EXPECT_EQ((*from_file)->key_id(), "k1");
  auto from_raw = MustCreate(key, "k1");
  ASSERT_NE(from_raw, nullptr);
  auto opened = from_raw->Open((*from_file)->Seal("section", kAad), kAad);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "section");
}

TEST_F(DataKeyFileTest, RejectsBadLengthNamingFileNotKey) {
  const std::string hex = HexEncode(RandomBytes(31));
  const std::string path = WriteFile(hex);
  EXPECT_THAT(DataCipher::FromKeyFile(path, "k1"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(path), HasSubstr("64 hex characters"),
                             Not(HasSubstr(hex.substr(0, 16))))));
}

TEST_F(DataKeyFileTest, RejectsNonHex) {
  const std::string path = WriteFile(std::string(63, 'a') + "g");
  EXPECT_THAT(DataCipher::FromKeyFile(path, "k1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(path)));
}

TEST_F(DataKeyFileTest, MissingFileIsNotFound) {
  const std::string path = dir_.path() + "/absent.key";
  EXPECT_THAT(DataCipher::FromKeyFile(path, "k1"),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("data key file"), HasSubstr(path))));
}

}  // namespace
}  // namespace caregate
