#include "services/witness/witness.h"

#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/crypto/sha256.h"
#include "services/transparency/signed_note.h"
#include "services/witness/test_log.h"
#include "tests/testing/status_matchers.h"

namespace caregate::witness {
namespace {

using ::caregate::testing::StatusIs;
using testing::FreshTempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TestLog;

constexpr absl::Time kNow = absl::FromUnixSeconds(1750000000);

class WitnessTest : public ::testing::Test {
 protected:
  WitnessTest() : dir_(FreshTempDir("witness")), clock_(kNow) {}

  std::unique_ptr<Witness> Open(std::vector<std::string> log_keys = {},
                                std::string name = "witness.test/w1") {
    WitnessOptions options;
    options.state_dir = dir_ / "state";
    options.name = std::move(name);
    options.log_keys = std::move(log_keys);
    options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<Witness>> witness = Witness::Open(options);
    EXPECT_TRUE(witness.ok()) << witness.status();
    return witness.ok() ? *std::move(witness) : nullptr;
  }

  absl::Status OpenStatus(std::string name = "") {
    WitnessOptions options;
    options.state_dir = dir_ / "state";
    options.name = std::move(name);
    return Witness::Open(options).status();
  }

  // Checks that `line` is a valid cosignature of `note` by `witness`, made
  // at the fake clock's time.
  void ExpectCosignature(const Witness& witness, const std::string& note,
                         const std::string& line) {
    auto verifier = tlog::NoteVerifier::FromVerifierKey(witness.verifier_key());
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    auto signed_note = tlog::ParseSignedNote(note);
    auto cosignature = tlog::ParseSignatureLine(line);
    ASSERT_TRUE(signed_note.ok() && cosignature.ok());
    const tlog::NoteVerifier* trusted[] = {verifier->get()};
    auto verified =
        tlog::VerifyNote({signed_note->text, {*cosignature}}, trusted);
    ASSERT_TRUE(verified.ok()) << verified.status();
    EXPECT_EQ((*verified)[0].timestamp, absl::ToUnixSeconds(clock_.Now()));
  }

  std::filesystem::path dir_;
  FakeClock clock_;
};

TEST_F(WitnessTest, FirstStartCreatesKeyAndStatePrivately) {
  std::unique_ptr<Witness> witness = Open({}, "");
  ASSERT_NE(witness, nullptr);
  EXPECT_TRUE(witness->created());
  EXPECT_THAT(witness->name(), StartsWith("caregate-witness/"));
  auto verifier = tlog::NoteVerifier::FromVerifierKey(witness->verifier_key());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_EQ((*verifier)->type(), tlog::NoteKeyType::kCosignatureV1);
  EXPECT_EQ((*verifier)->name(), witness->name());
  struct stat st;
  ASSERT_EQ(stat((dir_ / "state").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat((dir_ / "state" / kKeyFileName).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((dir_ / "state" / kStateFileName).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(WitnessTest, LaterStartsReuseTheKeyAndName) {
  const std::string vkey = Open()->verifier_key();
  std::unique_ptr<Witness> again = Open({}, "");
  ASSERT_NE(again, nullptr);
  EXPECT_FALSE(again->created());
  EXPECT_EQ(again->verifier_key(), vkey);
  EXPECT_EQ(again->name(), "witness.test/w1");
  EXPECT_THAT(OpenStatus("witness.test/other"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("holds the witness \"witness.test/w1\", not "
                                 "\"witness.test/other\"")));
}

TEST_F(WitnessTest, RefusesAKeyWithoutStateAndTheReverse) {
  ASSERT_NE(Open(), nullptr);
  std::filesystem::rename(dir_ / "state" / kStateFileName, dir_ / "saved");
  EXPECT_THAT(OpenStatus(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("witness-state does not: restore the missing "
                                 "file")));
  std::filesystem::rename(dir_ / "saved", dir_ / "state" / kStateFileName);
  std::filesystem::remove(dir_ / "state" / kKeyFileName);
  EXPECT_THAT(OpenStatus(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                     HasSubstr("witness-key.pem does not")));
}

TEST_F(WitnessTest, RejectsABadNameOrLogKey) {
  WitnessOptions options;
  options.state_dir = dir_ / "state";
  options.name = "has space";
  EXPECT_THAT(Witness::Open(options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("contains a space")));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state" / kKeyFileName));
  options.name = "";
  options.log_keys = {"not-a-key"};
  EXPECT_THAT(Witness::Open(options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("log key \"not-a-key\"")));
}

TEST_F(WitnessTest, CosignsAGrowingLog) {
  std::unique_ptr<Witness> witness = Open();
  TestLog log("log.test/a");
  log.Append(5);
  absl::StatusOr<std::string> first = witness->AddCheckpoint(log.Request(0, 5));
  CG_ASSERT_OK(first);
  ExpectCosignature(*witness, log.Note(5), *first);
  log.Append(4);
  clock_.Advance(absl::Seconds(3));
  absl::StatusOr<std::string> second =
      witness->AddCheckpoint(log.Request(5, 9));
  CG_ASSERT_OK(second);
  ExpectCosignature(*witness, log.Note(9), *second);
  // The same checkpoint again (old size = new size, same root) is fine.
  CG_EXPECT_OK(witness->AddCheckpoint(log.Request(9, 9)));
}

TEST_F(WitnessTest, EmptyTreeNeedsTheEmptyRoot) {
  std::unique_ptr<Witness> witness = Open();
  TestLog log("log.test/a");
  CG_EXPECT_OK(witness->AddCheckpoint(log.Request(0, 0)));
  EXPECT_THAT(witness->AddCheckpoint(TestLog::RequestWith(
                  0, {}, log.NoteWithRoot(0, tlog::LeafHash("x")))),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("size 0 must have the empty tree's root")));
}

TEST_F(WitnessTest, ConflictCarriesTheRecordedSize) {
  std::unique_ptr<Witness> witness = Open();
  TestLog log("log.test/a");
  log.Append(8);
  CG_ASSERT_OK(witness->AddCheckpoint(log.Request(0, 5)));
  for (int64_t old_size : {0, 3, 6}) {
    absl::Status status =
        witness->AddCheckpoint(log.Request(old_size, 8)).status();
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                                 HasSubstr("is not 5, the size of the latest "
                                           "checkpoint this witness cosigned "
                                           "for \"log.test/a\"")));
    EXPECT_EQ(tlog::WitnessSizeOf(status), 5);
  }
}

TEST_F(WitnessTest, RefusesRollbackForkAndRewrite) {
  std::unique_ptr<Witness> witness = Open();
  TestLog log("log.test/a");
  log.Append(10);
  CG_ASSERT_OK(witness->AddCheckpoint(log.Request(0, 10)));
  // Rollback: a smaller checkpoint, whatever the old size claims.
  EXPECT_THAT(witness->AddCheckpoint(TestLog::RequestWith(10, {}, log.Note(7))),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("old size 10 is larger than the checkpoint's "
                                 "size 7")));
  EXPECT_THAT(
      witness->AddCheckpoint(log.Request(7, 7)),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is not 10")));
  // Fork: the same size with another root.
  TestLog forked("log.test/a", "fork");
  forked.Append(12);
  EXPECT_THAT(
      witness->AddCheckpoint(TestLog::RequestWith(10, {}, forked.Note(10))),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr("two different roots for tree size 10")));
  // Rewrite: a larger tree that does not contain the recorded one, with the
  // rewritten tree's own (internally valid) proof.
  EXPECT_THAT(witness->AddCheckpoint(forked.Request(10, 12)),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("not consistent with the one this witness "
                                 "cosigned at size 10")));
  // The honest log still gets its cosignature.
  log.Append(2);
  CG_EXPECT_OK(witness->AddCheckpoint(log.Request(10, 12)));
}

TEST_F(WitnessTest, RefusesBadProofs) {
  std::unique_ptr<Witness> witness = Open();
  TestLog log("log.test/a");
  log.Append(13);
  CG_ASSERT_OK(witness->AddCheckpoint(log.Request(0, 6)));
  std::vector<tlog::Hash256> proof = log.Proof(6, 13);
  std::vector<tlog::Hash256> flipped = proof;
  flipped[1][5] ^= 0x40;
  EXPECT_THAT(
      witness->AddCheckpoint(TestLog::RequestWith(6, flipped, log.Note(13))),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("calculated root")));
  std::vector<tlog::Hash256> truncated(proof.begin(), proof.end() - 1);
  EXPECT_THAT(
      witness->AddCheckpoint(TestLog::RequestWith(6, truncated, log.Note(13))),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("hashes, want")));
  // The same size needs an empty proof.
  EXPECT_THAT(witness->AddCheckpoint(
                  TestLog::RequestWith(6, {log.Root(6)}, log.Note(6))),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("from size 6 to size 6 has 1 hashes, "
                                 "want 0")));
  TestLog other("log.test/b");
  other.Append(3);
  EXPECT_THAT(witness->AddCheckpoint(
                  TestLog::RequestWith(0, other.Proof(1, 3), other.Note(3))),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("from old size 0 the consistency proof must "
                                 "be empty, got 2 hashes")));
}

TEST_F(WitnessTest, RejectsMalformedRequests) {
  std::unique_ptr<Witness> witness = Open();
  TestLog log("log.test/a");
  log.Append(2);
  EXPECT_THAT(witness->AddCheckpoint("old 0\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no blank line before the checkpoint")));
  EXPECT_THAT(
      witness->AddCheckpoint("old 0\n\nlog.test/a\n2\n\n"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no signature")));
  EXPECT_THAT(witness->AddCheckpoint(
                  "old 0\n\nlog.test/a\nxx\nAAAA\n\n\xE2\x80\x94 k AAAAAAE=\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tree size (line 2)")));
}

TEST_F(WitnessTest, WithLogKeysOnlyKnownOriginsWithValidSignatures) {
  TestLog log("log.test/a");
  TestLog impostor("log.test/a");  // same origin, another key
  TestLog stranger("log.test/b");
  std::unique_ptr<Witness> witness = Open({log.verifier_key()});
  log.Append(4);
  impostor.Append(4);
  stranger.Append(4);
  EXPECT_THAT(witness->AddCheckpoint(stranger.Request(0, 4)),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("unknown log origin \"log.test/b\"")));
  EXPECT_THAT(witness->AddCheckpoint(impostor.Request(0, 4)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("no signature by a trusted key")));
  // A note whose log signature line is valid in form but wrong in value.
  std::string note = log.Note(4);
  const size_t sig = note.rfind(' ') + 1;
  note[sig + 10] = note[sig + 10] == 'A' ? 'B' : 'A';
  EXPECT_THAT(witness->AddCheckpoint(TestLog::RequestWith(0, {}, note)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("does not verify")));
  // The valid one; the stored note keeps the log's signature, not the
  // impostor's extra line.
  const std::string both =
      log.Note(4) +
      impostor.Note(4).substr(impostor.Note(4).rfind("\xE2\x80\x94"));
  absl::StatusOr<std::string> cosignature =
      witness->AddCheckpoint(TestLog::RequestWith(0, {}, both));
  CG_ASSERT_OK(cosignature);
  absl::StatusOr<std::string> stored =
      witness->LatestCheckpoint(Sha256Hex("log.test/a"));
  CG_ASSERT_OK(stored);
  auto parsed = tlog::ParseSignedNote(*stored);
  CG_ASSERT_OK(parsed);
  ASSERT_EQ(parsed->signatures.size(), 2u);
  EXPECT_EQ(tlog::FormatSignatureLine(parsed->signatures[1]), *cosignature);
  auto log_verifier = tlog::NoteVerifier::FromVerifierKey(log.verifier_key());
  const tlog::NoteVerifier* trusted[] = {log_verifier->get()};
  CG_EXPECT_OK(
      tlog::VerifyNote({parsed->text, {parsed->signatures[0]}}, trusted));
}

TEST_F(WitnessTest, StateSurvivesARestart) {
  TestLog log("log.test/a");
  log.Append(9);
  std::string vkey;
  {
    std::unique_ptr<Witness> witness = Open();
    vkey = witness->verifier_key();
    CG_ASSERT_OK(witness->AddCheckpoint(log.Request(0, 4)));
    CG_ASSERT_OK(witness->AddCheckpoint(log.Request(4, 9)));
  }
  std::unique_ptr<Witness> witness = Open();
  EXPECT_EQ(witness->verifier_key(), vkey);
  EXPECT_EQ(
      tlog::WitnessSizeOf(witness->AddCheckpoint(log.Request(4, 9)).status()),
      9);
  absl::StatusOr<std::string> latest =
      witness->LatestCheckpoint(Sha256Hex("log.test/a"));
  CG_ASSERT_OK(latest);
  EXPECT_THAT(*latest, StartsWith(log.Note(9).substr(0, 20)));
  EXPECT_THAT(witness->LatestCheckpoint(Sha256Hex("log.test/none")),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("no checkpoint of that origin")));
}

TEST_F(WitnessTest, RefusesAStateFileEditedWithoutItsKey) {
  TestLog log("log.test/a");
  log.Append(5);
  {
    std::unique_ptr<Witness> witness = Open();
    CG_ASSERT_OK(witness->AddCheckpoint(log.Request(0, 5)));
  }
  // Roll the record back to size 2, keeping the old cosignature line.
  WitnessState state;
  state.name = "witness.test/w1";
  std::ifstream in(dir_ / "state" / kStateFileName);
  std::string contents((std::istreambuf_iterator<char>(in)), {});
  absl::StatusOr<WitnessState> parsed = ParseWitnessState(contents);
  CG_ASSERT_OK(parsed);
  CosignedCheckpoint& record = parsed->origins["log.test/a"];
  const std::string cosignature =
      record.note.substr(record.note.rfind("\xE2\x80\x94"));
  record.checkpoint.size = 2;
  record.note = log.Note(2) + cosignature;
  std::ofstream(dir_ / "state" / kStateFileName, std::ios::trunc)
      << FormatWitnessState(*parsed);
  EXPECT_THAT(OpenStatus(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("the checkpoint of origin \"log.test/a\" has "
                                 "no valid cosignature by this witness")));
}

TEST_F(WitnessTest, AfterAFailedStateWriteRefusesUntilRestart) {
  std::unique_ptr<Witness> witness = Open();
  TestLog log("log.test/a");
  log.Append(3);
  // A directory where the state file should be: the rename fails.
  const std::filesystem::path state = dir_ / "state" / kStateFileName;
  std::filesystem::rename(state, dir_ / "saved");
  std::filesystem::create_directory(state);
  EXPECT_THAT(witness->AddCheckpoint(log.Request(0, 3)),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("cannot persist the witness state")));
  std::filesystem::remove(state);
  std::filesystem::rename(dir_ / "saved", state);
  EXPECT_THAT(
      witness->AddCheckpoint(log.Request(0, 3)),
      StatusIs(absl::StatusCode::kInternal, HasSubstr("restart the witness")));
  // Nothing was recorded, and no temporary file is left behind.
  std::unique_ptr<Witness> restarted = Open();
  CG_EXPECT_OK(restarted->AddCheckpoint(log.Request(0, 3)));
  int files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(dir_ / "state")) {
    ++files;
    EXPECT_THAT(entry.path().filename().string(),
                ::testing::Not(HasSubstr(".tmp-")));
  }
  EXPECT_EQ(files, 2);
}

TEST_F(WitnessTest, ConcurrentRequestsFromOneSizeCosignOnce) {
  std::unique_ptr<Witness> witness = Open();
  TestLog log("log.test/a");
  log.Append(16);
  CG_ASSERT_OK(witness->AddCheckpoint(log.Request(0, 4)));
  std::vector<std::string> requests;
  for (int64_t size = 5; size <= 12; ++size) {
    requests.push_back(log.Request(4, size));
  }
  absl::Mutex mu;
  int cosigned = 0;
  int conflicts = 0;
  std::vector<std::thread> threads;
  for (const std::string& request : requests) {
    threads.emplace_back([&, request] {
      absl::Status status = witness->AddCheckpoint(request).status();
      absl::MutexLock lock(&mu);
      if (status.ok()) {
        ++cosigned;
      } else if (tlog::WitnessSizeOf(status).has_value()) {
        ++conflicts;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(cosigned, 1);
  EXPECT_EQ(conflicts, 7);
}

}  // namespace
}  // namespace caregate::witness
