// For witness tests: a small signed log (in memory) that produces
// checkpoint notes, consistency proofs and add-checkpoint requests, and a
// fresh temporary directory per test.
#ifndef CAREGATE_SERVICES_WITNESS_TEST_LOG_H_
#define CAREGATE_SERVICES_WITNESS_TEST_LOG_H_

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/crypto/encoding.h"
#include "services/crypto/random.h"
#include "services/transparency/checkpoint.h"
#include "services/transparency/node_source.h"
#include "services/transparency/note_keys.h"
#include "services/transparency/proof_builder.h"
#include "services/transparency/witness_protocol.h"
#include "tests/testing/test_keys.h"

namespace caregate::witness::testing {

// A new empty directory under the test temp dir; not removed (ctest's
// temp dir is per run).
inline std::filesystem::path FreshTempDir(std::string_view name) {
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) /
      absl::StrCat("caregate_", std::string(name), "_", getpid(), "_",
                   HexEncode(RandomBytes(4)));
  std::filesystem::create_directories(dir);
  return dir;
}

class TestLog {
 public:
  // A log `origin` signed by a fresh key whose key name is the origin.
  // `salt` makes its leaves differ from another TestLog's.
  explicit TestLog(std::string origin, std::string salt = "")
      : origin_(std::move(origin)), salt_(std::move(salt)) {
    auto key = Ed25519Signer::FromPem(
        ::caregate::testing::NewEd25519KeyPair().private_pem);
    signer_ = *tlog::NoteSigner::Create(origin_, tlog::NoteKeyType::kEd25519,
                                        *std::move(key));
  }

  void Append(int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
      tree_.AppendLeaf(tlog::LeafHash(
          absl::StrCat(origin_, "/", salt_, "/leaf-", tree_.size())));
    }
  }
  int64_t size() const { return tree_.size(); }
  const std::string& origin() const { return origin_; }
  const std::string& verifier_key() const { return signer_->verifier_key(); }
  tlog::Hash256 Root(int64_t size) { return *tlog::RootAt(tree_, size); }

  // The signed checkpoint note of the first `size` leaves (or of `root`).
  std::string Note(int64_t size) { return NoteWithRoot(size, Root(size)); }
  std::string NoteWithRoot(int64_t size, const tlog::Hash256& root) {
    const std::string text = *tlog::FormatCheckpoint({origin_, size, root, {}});
    tlog::NoteSignature signature = *signer_->Sign(text, absl::Now());
    return tlog::FormatSignedNote({text, {signature}});
  }

  std::vector<tlog::Hash256> Proof(int64_t old_size, int64_t new_size) {
    if (old_size == 0) return {};
    return *tlog::ConsistencyProof(tree_, old_size, new_size);
  }

  // The add-checkpoint body from `old_size` to the checkpoint at `new_size`.
  std::string Request(int64_t old_size, int64_t new_size) {
    return RequestWith(old_size, Proof(old_size, new_size), Note(new_size));
  }
  static std::string RequestWith(int64_t old_size,
                                 std::vector<tlog::Hash256> proof,
                                 std::string note) {
    return *tlog::FormatAddCheckpointRequest(
        {old_size, std::move(proof), std::move(note)});
  }

 private:
  std::string origin_;
  std::string salt_;
  std::unique_ptr<tlog::NoteSigner> signer_;
  tlog::MemoryNodeSource tree_;
};

}  // namespace caregate::witness::testing

#endif  // CAREGATE_SERVICES_WITNESS_TEST_LOG_H_
