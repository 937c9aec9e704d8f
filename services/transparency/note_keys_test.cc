#include "services/transparency/note_keys.h"

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/crypto/encoding.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"

namespace caregate::tlog {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::SizeIs;

// The example of the C2SP signed-note specification.
constexpr std::string_view kSpecVerifierKey =
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
constexpr std::string_view kSpecNote =
    "This is an example message.\n"
    "\n"
    "\xE2\x80\x94 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmR"
    "KuwHjG1Yu72IneyaQM=\n";

// RFC 8032 test key 1 (secret d75a98... public), as PKCS#8. The expected
// lines below were computed independently with Python's `cryptography`
// package (Ed25519 is deterministic).
constexpr std::string_view kRfc8032Key1Pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
constexpr std::string_view kCheckpointText =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr std::string_view kWitnessVerifierKey =
    "witness.example/w1+eb762cc2+BNdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea";
constexpr std::string_view kCosignatureLine =
    "\xE2\x80\x94 witness.example/w1 "
    "63YswgAAAABkGFDL+TPmh4BYuAjsYRoqMJCWb/gWJaeRF/kmm5tlCr9sJ57DLErur7K0yDXc2"
    "ArN+TIuotuB/HbuL3AJsp3bv/aNCQ==\n";
constexpr int64_t kCosignatureTime = 1679315147;
constexpr std::string_view kLogVerifierKey =
    "example.com/behind-the-sofa+f8fa5254+"
    "AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea";
constexpr std::string_view kLogSignatureLine =
    "\xE2\x80\x94 example.com/behind-the-sofa "
    "+PpSVFNUsAicB1wXCuc36HrmzCfBx1ATQpTulWd9U006OEpyCvIVj2pM8CIzKlzXWcwxIO/VA"
    "QzkCO8DZUY5tlFX6QQ=\n";

std::unique_ptr<NoteVerifier> Verifier(std::string_view vkey) {
  absl::StatusOr<std::unique_ptr<NoteVerifier>> verifier =
      NoteVerifier::FromVerifierKey(vkey);
  EXPECT_TRUE(verifier.ok()) << verifier.status();
  return verifier.ok() ? *std::move(verifier) : nullptr;
}

std::unique_ptr<NoteSigner> Signer(std::string name, NoteKeyType type,
                                   std::string_view pem) {
  auto key = Ed25519Signer::FromPem(pem);
  EXPECT_TRUE(key.ok()) << key.status();
  auto signer = NoteSigner::Create(std::move(name), type, *std::move(key));
  EXPECT_TRUE(signer.ok()) << signer.status();
  return *std::move(signer);
}

SignedNote Note(std::string_view text, std::string_view lines) {
  absl::StatusOr<std::vector<NoteSignature>> signatures =
      ParseSignatureLines(lines);
  EXPECT_TRUE(signatures.ok()) << signatures.status();
  return SignedNote{std::string(text), *signatures};
}

TEST(NoteVerifierTest, VerifiesTheSpecExample) {
  std::unique_ptr<NoteVerifier> verifier = Verifier(kSpecVerifierKey);
  ASSERT_NE(verifier, nullptr);
  EXPECT_EQ(verifier->name(), "example.com/foo");
  EXPECT_EQ(verifier->key_id(), 0x530d903au);
  EXPECT_EQ(verifier->type(), NoteKeyType::kEd25519);
  absl::StatusOr<SignedNote> note = ParseSignedNote(kSpecNote);
  CG_ASSERT_OK(note);
  const NoteVerifier* trusted[] = {verifier.get()};
  absl::StatusOr<std::vector<VerifiedSignature>> verified =
      VerifyNote(*note, trusted);
  CG_ASSERT_OK(verified);
  ASSERT_THAT(*verified, SizeIs(1));
  EXPECT_EQ((*verified)[0].verifier, verifier.get());
  EXPECT_EQ((*verified)[0].timestamp, std::nullopt);
}

TEST(NoteSignerTest, SignsLikeAnIndependentImplementation) {
  auto log = Signer("example.com/behind-the-sofa", NoteKeyType::kEd25519,
                    kRfc8032Key1Pem);
  EXPECT_EQ(log->verifier_key(), kLogVerifierKey);
  absl::StatusOr<NoteSignature> signature =
      log->Sign(kCheckpointText, absl::UnixEpoch());
  CG_ASSERT_OK(signature);
  EXPECT_EQ(FormatSignatureLine(*signature), kLogSignatureLine);

  auto witness = Signer("witness.example/w1", NoteKeyType::kCosignatureV1,
                        kRfc8032Key1Pem);
  EXPECT_EQ(witness->verifier_key(), kWitnessVerifierKey);
  absl::StatusOr<NoteSignature> cosignature =
      witness->Sign(kCheckpointText, absl::FromUnixSeconds(kCosignatureTime) +
                                         absl::Milliseconds(999));
  CG_ASSERT_OK(cosignature);
  EXPECT_EQ(FormatSignatureLine(*cosignature), kCosignatureLine);
}

TEST(NoteVerifierTest, VerifiesACosignatureAndReturnsItsTime) {
  std::unique_ptr<NoteVerifier> witness = Verifier(kWitnessVerifierKey);
  std::unique_ptr<NoteVerifier> log = Verifier(kLogVerifierKey);
  const SignedNote note =
      Note(kCheckpointText,
           std::string(kLogSignatureLine) + std::string(kCosignatureLine));
  const NoteVerifier* trusted[] = {witness.get(), log.get()};
  absl::StatusOr<std::vector<VerifiedSignature>> verified =
      VerifyNote(note, trusted);
  CG_ASSERT_OK(verified);
  ASSERT_THAT(*verified, SizeIs(2));
  EXPECT_EQ((*verified)[0].verifier, log.get());
  EXPECT_EQ((*verified)[1].verifier, witness.get());
  EXPECT_EQ((*verified)[1].timestamp, kCosignatureTime);
}

TEST(NoteVerifierTest, CosignatureCoversTheTimestamp) {
  std::unique_ptr<NoteVerifier> witness = Verifier(kWitnessVerifierKey);
  absl::StatusOr<NoteSignature> line = ParseSignatureLine(kCosignatureLine);
  CG_ASSERT_OK(line);
  std::optional<int64_t> time;
  EXPECT_TRUE(witness->Verify(kCheckpointText, line->signature, &time));
  std::string later = line->signature;
  later[7] = static_cast<char>(later[7] + 1);  // one second later
  EXPECT_FALSE(witness->Verify(kCheckpointText, later, &time));
  std::string huge = line->signature;
  huge[0] = '\x80';  // beyond 2^63 - 1
  EXPECT_FALSE(witness->Verify(kCheckpointText, huge, &time));
  EXPECT_FALSE(
      witness->Verify(kCheckpointText, line->signature.substr(8), &time));
}

TEST(VerifyNoteTest, IgnoresUnknownKeysAndRejectsBadKnownSignatures) {
  std::unique_ptr<NoteVerifier> log = Verifier(kLogVerifierKey);
  const NoteVerifier* trusted[] = {log.get()};
  // Unknown names, and the right name with another key ID, are ignored.
  const std::string unknown =
      "\xE2\x80\x94 someone.else AAAAAAE=\n"
      "\xE2\x80\x94 example.com/behind-the-sofa AAAAAAE=\n";
  CG_EXPECT_OK(VerifyNote(
      Note(kCheckpointText, unknown + std::string(kLogSignatureLine)),
      trusted));
  EXPECT_THAT(VerifyNote(Note(kCheckpointText, unknown), trusted),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("no signature by a trusted key "
                                 "(example.com/behind-the-sofa)")));
  // A matching line that fails rejects the note, even next to a good one.
  absl::StatusOr<NoteSignature> good = ParseSignatureLine(kLogSignatureLine);
  CG_ASSERT_OK(good);
  NoteSignature bad = *good;
  bad.signature[10] ^= 1;
  EXPECT_THAT(VerifyNote(SignedNote{std::string(kCheckpointText), {*good, bad}},
                         trusted),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("signature by example.com/behind-the-sofa "
                                 "(key ID f8fa5254) does not verify")));
  // The text is what is signed: another text fails.
  EXPECT_THAT(
      VerifyNote(SignedNote{"example.com/behind-the-sofa\n20852164\n"
                            "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I"
                            "=\n",
                            {*good}},
                 trusted),
      StatusIs(absl::StatusCode::kUnauthenticated,
               HasSubstr("does not verify")));
}

TEST(VerifierKeyTest, RejectsMalformedKeys) {
  struct Case {
    std::string vkey;
    std::string error;
  };
  const std::string key = "AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea";
  const std::vector<Case> cases = {
      {"no-plus-signs", "<name>+<key ID>+<base64 key>"},
      {"name+f8fa5254", "<name>+<key ID>+<base64 key>"},
      {"+f8fa5254+" + key, "key name is empty"},
      {"example.com/behind-the-sofa+F8FA5254+" + key, "not lowercase hex"},
      {"example.com/behind-the-sofa+f8fa525+" + key, "not 8 hex digits"},
      {"example.com/behind-the-sofa+f8fa5254+!!", "key is not base64"},
      {"example.com/behind-the-sofa+f8fa5254+Ag==",
       "unsupported signature "
       "type 0x02"},
      {"example.com/behind-the-sofa+f8fa5254+AddamAGC", "key is 5 bytes"},
      {"example.com/behind-the-sofb+f8fa5254+" + key, "key ID does not match"},
      {"example.com/behind-the-sofa+f8fa5255+" + key, "key ID does not match"},
      {"example.com/behind-the-sofa+f8fa5254+"
       "BNdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea",
       "key ID does not match"},  // type 0x04, ID computed for 0x01
  };
  for (const Case& c : cases) {
    EXPECT_THAT(
        NoteVerifier::FromVerifierKey(c.vkey),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.error)))
        << c.vkey;
  }
}

TEST(NoteSignerTest, RoundTripsWithFreshKeys) {
  const auto pem = ::caregate::testing::NewEd25519KeyPair();
  for (NoteKeyType type :
       {NoteKeyType::kEd25519, NoteKeyType::kCosignatureV1}) {
    auto signer = Signer("caregate.example/audit", type, pem.private_pem);
    std::unique_ptr<NoteVerifier> verifier = Verifier(signer->verifier_key());
    ASSERT_NE(verifier, nullptr);
    EXPECT_EQ(verifier->key_id(), signer->key_id());
    const std::string text = "caregate.example/audit\n5\n" +
                             Base64Encode(std::string(32, 'r')) + "\n";
    absl::StatusOr<NoteSignature> signature =
        signer->Sign(text, absl::FromUnixSeconds(1700000000));
    CG_ASSERT_OK(signature);
    const NoteVerifier* trusted[] = {verifier.get()};
    auto verified = VerifyNote(SignedNote{text, {*signature}}, trusted);
    CG_ASSERT_OK(verified);
    EXPECT_EQ((*verified)[0].timestamp, type == NoteKeyType::kCosignatureV1
                                            ? std::optional<int64_t>(1700000000)
                                            : std::nullopt);
  }
}

TEST(NoteSignerTest, RejectsBadInputs) {
  const auto pem = ::caregate::testing::NewEd25519KeyPair();
  auto key = Ed25519Signer::FromPem(pem.private_pem);
  CG_ASSERT_OK(key);
  EXPECT_THAT(
      NoteSigner::Create("bad name", NoteKeyType::kEd25519, *std::move(key)),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("contains a space")));
  EXPECT_THAT(
      NoteSigner::Create("ok", NoteKeyType::kEd25519, nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no key")));
  auto cosigner = Signer("w", NoteKeyType::kCosignatureV1, pem.private_pem);
  EXPECT_THAT(cosigner->Sign("no newline", absl::Now()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("end in a newline")));
  EXPECT_THAT(cosigner->Sign("a\n", absl::UnixEpoch()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("after the Unix epoch")));
}

}  // namespace
}  // namespace caregate::tlog
