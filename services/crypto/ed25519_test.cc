#include "services/crypto/ed25519.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/crypto/encoding.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

// RFC 8032 section 7.1, TEST 1 (empty message).
constexpr char kRfcSecretHex[] =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr char kRfcPublicHex[] =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr char kRfcSignatureHex[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb882"
    "1590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

std::string FromHex(std::string_view hex) { return HexDecode(hex).value(); }

struct PemPair {
  std::string private_pem;  // PKCS#8, "BEGIN [ENCRYPTED] PRIVATE KEY"
  std::string public_pem;   // SubjectPublicKeyInfo, "BEGIN PUBLIC KEY"
};

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<size_t>(len));
  BIO_free(bio);
  return text;
}

// Writes `key` as PEM and frees it; the private key is encrypted (PKCS#8,
// AES-256-CBC) when `passphrase` is non-empty.
PemPair ToPem(EVP_PKEY* key, const std::string& passphrase = "") {
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  if (passphrase.empty()) {
    PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PKCS8PrivateKey(
        priv, key, EVP_aes_256_cbc(), const_cast<char*>(passphrase.data()),
        static_cast<int>(passphrase.size()), nullptr, nullptr);
  }
  PEM_write_bio_PUBKEY(pub, key);
  EVP_PKEY_free(key);
  return {BioText(priv), BioText(pub)};
}

// A fresh key of OpenSSL type `type` ("ED25519", or "X25519" for a wrong kind).
PemPair GenerateKeyPem(const char* type = "ED25519") {
  return ToPem(EVP_PKEY_Q_keygen(nullptr, nullptr, type));
}

// The Ed25519 key pair of a 32-byte RFC 8032 private key.
PemPair PemFromSeed(const std::string& seed) {
  return ToPem(EVP_PKEY_new_raw_private_key_ex(
      nullptr, "ED25519", nullptr,
      reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
}

std::unique_ptr<Ed25519Signer> MustSigner(const PemPair& pem) {
  auto signer = Ed25519Signer::FromPem(pem.private_pem);
  EXPECT_TRUE(signer.ok()) << signer.status();
  return signer.ok() ? *std::move(signer) : nullptr;
}

std::unique_ptr<Ed25519Verifier> MustVerifier(const PemPair& pem) {
  auto verifier = Ed25519Verifier::FromPem(pem.public_pem);
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  return verifier.ok() ? *std::move(verifier) : nullptr;
}

struct KeyPair {
  PemPair pem;
  std::unique_ptr<Ed25519Signer> signer;
  std::unique_ptr<Ed25519Verifier> verifier;
};

// A fresh key pair: its PEM, and the signer and verifier read from it (null
// when reading failed, which the helpers report).
KeyPair NewKeyPair() {
  PemPair pem = GenerateKeyPem();
  auto signer = MustSigner(pem);
  auto verifier = MustVerifier(pem);
  return {std::move(pem), std::move(signer), std::move(verifier)};
}

TEST(Ed25519Test, SignsAndVerifies) {
  auto [pem, signer, verifier] = NewKeyPair();
  ASSERT_NE(signer, nullptr);
  ASSERT_NE(verifier, nullptr);
  const std::string message = "caregate checkpoint\n42\n";
  const std::string signature = signer->Sign(message);
  EXPECT_EQ(signature.size(), 64u);
  EXPECT_TRUE(verifier->Verify(message, signature));
  EXPECT_EQ(signer->Sign(message), signature);  // deterministic
  EXPECT_EQ(signer->raw_public_key(), verifier->raw_public_key());
  EXPECT_EQ(signer->key_id(), verifier->key_id());
  EXPECT_THAT(signer->key_id(), MatchesRegex("[0-9a-f]{16}"));
}

TEST(Ed25519Test, RejectsWrongMessageAndSignature) {
  auto [pem, signer, verifier] = NewKeyPair();
  ASSERT_NE(signer, nullptr);
  ASSERT_NE(verifier, nullptr);
  const std::string signature = signer->Sign("seq 7");
  EXPECT_FALSE(verifier->Verify("seq 8", signature));
  std::string flipped = signature;
  flipped[10] ^= 0x01;
  EXPECT_FALSE(verifier->Verify("seq 7", flipped));
  EXPECT_FALSE(verifier->Verify("seq 7", signature.substr(0, 63)));
  EXPECT_FALSE(verifier->Verify("seq 7", signature + "x"));
  EXPECT_FALSE(verifier->Verify("seq 7", ""));
}

TEST(Ed25519Test, RejectsSignatureOfAnotherKey) {
  auto signer = MustSigner(GenerateKeyPem());
  auto other_verifier = MustVerifier(GenerateKeyPem());
  ASSERT_NE(signer, nullptr);
  ASSERT_NE(other_verifier, nullptr);
  EXPECT_FALSE(other_verifier->Verify("m", signer->Sign("m")));
  EXPECT_NE(signer->key_id(), other_verifier->key_id());
}

TEST(Ed25519Test, Rfc8032TestVector1) {
  auto verifier = Ed25519Verifier::FromRaw(FromHex(kRfcPublicHex));
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_TRUE((*verifier)->Verify("", FromHex(kRfcSignatureHex)));
  EXPECT_FALSE((*verifier)->Verify("x", FromHex(kRfcSignatureHex)));

  auto signer = MustSigner(PemFromSeed(FromHex(kRfcSecretHex)));
  ASSERT_NE(signer, nullptr);
  EXPECT_EQ(HexEncode(signer->raw_public_key()), kRfcPublicHex);
  EXPECT_EQ(HexEncode(signer->Sign("")), kRfcSignatureHex);
  EXPECT_EQ(signer->key_id(), (*verifier)->key_id());
}

// The signature of `message` under `pem`'s key, by OpenSSL's EVP.
std::string OpenSslSignature(const PemPair& pem, const std::string& message) {
  BIO* bio = BIO_new_mem_buf(pem.private_pem.data(),
                             static_cast<int>(pem.private_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  std::string signature(64, '\0');
  size_t len = signature.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      key != nullptr &&
      EVP_DigestSignInit_ex(ctx, nullptr, nullptr, nullptr, nullptr, key,
                            nullptr) == 1 &&
      EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()),
                     &len,
                     reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok ? signature : "";
}

// Signing runs on libsodium, parsing and verifying on OpenSSL: for one key
// and message both must give the same bytes (Ed25519 is deterministic), or
// a verifier built on either would disagree with the gateway.
TEST(Ed25519Test, SignaturesEqualOpenSsls) {
  auto [pem, signer, verifier] = NewKeyPair();
  ASSERT_NE(signer, nullptr);
  ASSERT_NE(verifier, nullptr);
  std::string message;
  for (int i = 0; i < 300; ++i) {
    const std::string signature = signer->Sign(message);
    ASSERT_EQ(HexEncode(signature), HexEncode(OpenSslSignature(pem, message)))
        << "message of " << message.size() << " bytes";
    ASSERT_TRUE(verifier->Verify(message, signature));
    message.append(static_cast<size_t>(i % 29 + 1),
                   static_cast<char>('a' + i % 26));
  }
}

TEST(Ed25519Test, FromRawRejectsWrongLength) {
  EXPECT_THAT(Ed25519Verifier::FromRaw(std::string(31, 'k')),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("expected 32 bytes, got 31")));
}

TEST(Ed25519Test, FromPemRejectsMalformedAndWrongKinds) {
  const PemPair pem = GenerateKeyPem();
  EXPECT_THAT(Ed25519Signer::FromPem("not a key"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not an unencrypted PEM private key")));
  EXPECT_THAT(
      Ed25519Signer::FromPem(pem.public_pem),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("private key")));
  EXPECT_THAT(Ed25519Verifier::FromPem(pem.private_pem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a PEM public key")));
  const PemPair x25519 = GenerateKeyPem("X25519");
  EXPECT_THAT(Ed25519Signer::FromPem(x25519.private_pem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not an Ed25519 key")));
  EXPECT_THAT(Ed25519Verifier::FromPem(x25519.public_pem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not an Ed25519 key")));
}

TEST(Ed25519Test, RejectsEncryptedPrivateKeyWithoutPrompting) {
  const PemPair encrypted =
      ToPem(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), "passphrase");
  ASSERT_THAT(encrypted.private_pem, HasSubstr("ENCRYPTED PRIVATE KEY"));
  EXPECT_THAT(Ed25519Signer::FromPem(encrypted.private_pem),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not an unencrypted PEM private key")));
}

class Ed25519FileTest : public ::testing::Test {
 protected:
  std::string WriteFile(const std::string& name, const std::string& data) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }
  ::caregate::testing::TempDir dir_{"cg_ed25519"};
};

TEST_F(Ed25519FileTest, LoadsKeysFromFiles) {
  const PemPair pem = GenerateKeyPem();
  auto signer = Ed25519Signer::FromPemFile(
      WriteFile("audit-signing.pem", pem.private_pem));
  auto verifier = Ed25519Verifier::FromPemFile(
      WriteFile("audit-signing.pub.pem", pem.public_pem));
  ASSERT_TRUE(signer.ok()) << signer.status();
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_TRUE((*verifier)->Verify("m", (*signer)->Sign("m")));
}

TEST_F(Ed25519FileTest, MissingFileIsNotFoundAndNamed) {
  const std::string path = dir_.path() + "/absent.pem";
  EXPECT_THAT(Ed25519Signer::FromPemFile(path),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(path)));
  EXPECT_THAT(Ed25519Verifier::FromPemFile(path),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(path)));
}

TEST_F(Ed25519FileTest, BadFileNamesFileButNotContents) {
  const PemPair pem = GenerateKeyPem();
  // A private key where the public key belongs, and the reverse.
  const std::string priv_path = WriteFile("swapped.pub.pem", pem.private_pem);
  const std::string base64_line =
      pem.private_pem.substr(pem.private_pem.find('\n') + 1, 20);
  EXPECT_THAT(
      Ed25519Verifier::FromPemFile(priv_path),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr(priv_path), Not(HasSubstr(base64_line)))));
  const std::string pub_path = WriteFile("swapped.pem", pem.public_pem);
  EXPECT_THAT(
      Ed25519Signer::FromPemFile(pub_path),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(pub_path)));
}

TEST(Ed25519Test, SignAndVerifyConcurrently) {
  const KeyPair keys = NewKeyPair();
  // Plain pointers: the threads' lambdas below cannot capture bindings.
  const Ed25519Signer* signer = keys.signer.get();
  const Ed25519Verifier* verifier = keys.verifier.get();
  ASSERT_NE(signer, nullptr);
  ASSERT_NE(verifier, nullptr);
  std::vector<int> good(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string message = "event-" + std::to_string(t * 1000 + i);
        if (verifier->Verify(message, signer->Sign(message))) ++good[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_THAT(good, ::testing::Each(200));
}

}  // namespace
}  // namespace caregate
