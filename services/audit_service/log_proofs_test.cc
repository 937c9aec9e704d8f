// Proofs of a stored log of 10,000 events written through the ledger: every
// event's inclusion proof verifies against several tree sizes, consistency
// proofs between every pair of 50 sizes verify, and impossible arguments are
// refused naming the field.
#include "services/audit_service/log_proofs.h"

#include <filesystem>
#include <memory>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/audit_tree.h"
#include "services/audit/test_events.h"
#include "services/common/clock.h"
#include "services/ledger/ledger.h"
#include "services/store/sqlite_store.h"
#include "services/store/store_node_source.h"
#include "services/transparency/proof_builder.h"
#include "services/transparency/proof_verifier.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_keys.h"

namespace caregate {
namespace {

using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int kEvents = 10000;

class LogProofsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ =
        new std::filesystem::path(std::filesystem::path(::testing::TempDir()) /
                                  ("log_proofs_" + std::to_string(getpid())));
    std::filesystem::remove_all(*dir_);
    std::filesystem::create_directories(*dir_);
    store_ = OpenSqliteStore((*dir_ / "db.sqlite").string()).value().release();
    const auto keys = testing::NewEd25519KeyPair();
    signer_ = Ed25519Signer::FromPem(keys.private_pem).value().release();
    clock_ = new FakeClock(absl::FromUnixSeconds(1780000000));
    auto ledger = Ledger::Create(store_, clock_, signer_,
                                 {"test.local/audit", absl::Seconds(1)});
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    absl::BlockingCounter done(kEvents);
    for (int i = 0; i < kEvents; ++i) {
      (*ledger)->Submit(
          [i](LedgerTxn& txn) {
            return txn.Audit(testing::MakeTestEvent(i)).status();
          },
          [&done](absl::Status s) {
            EXPECT_TRUE(s.ok()) << s;
            done.DecrementCount();
          });
    }
    done.Wait();
    (*ledger)->Shutdown();
    leaves_ = new std::vector<Hash256>();
    ASSERT_THAT(
        store_->ScanAuditEvents(1, kEvents,
                                [](const AuditEvent& e) {
                                  leaves_->push_back(AuditLeafHash(e.hash));
                                  return true;
                                }),
        IsOk());
    ASSERT_EQ(leaves_->size(), static_cast<size_t>(kEvents));
  }
  static void TearDownTestSuite() {
    delete store_;
    std::filesystem::remove_all(*dir_);
  }

  // The root of the first `size` leaves, computed from the events.
  static Hash256 Root(int64_t size) {
    tlog::MemoryNodeSource tree;
    for (int64_t i = 0; i < size; ++i) tree.AppendLeaf((*leaves_)[i]);
    return tree.Root();
  }

  static inline std::filesystem::path* dir_ = nullptr;
  static inline Store* store_ = nullptr;
  static inline Ed25519Signer* signer_ = nullptr;
  static inline FakeClock* clock_ = nullptr;
  static inline std::vector<Hash256>* leaves_ = nullptr;
};

TEST_F(LogProofsTest, EveryEventIsProvedInSeveralTreeSizes) {
  for (int64_t size : {int64_t{1}, int64_t{4097}, int64_t{kEvents}}) {
    const Hash256 root = Root(size);
    for (int64_t seq = 1; seq <= size; ++seq) {
      auto proof = ProveInclusion(*store_, seq, size, kEvents);
      ASSERT_THAT(proof, IsOk()) << seq;
      ASSERT_THAT(tlog::VerifyInclusion((*leaves_)[seq - 1], seq - 1, size,
                                        proof->hashes, root),
                  IsOk())
          << "seq " << seq << " in " << size;
    }
  }
}

TEST_F(LogProofsTest, ConsistencyBetweenEveryPairOfFiftySizes) {
  std::vector<int64_t> sizes;
  for (int i = 1; i <= 50; ++i) sizes.push_back(i * kEvents / 50 - i % 7);
  std::vector<Hash256> roots;
  for (int64_t size : sizes) roots.push_back(Root(size));
  for (size_t a = 0; a < sizes.size(); ++a) {
    for (size_t b = a; b < sizes.size(); ++b) {
      auto proof = ProveConsistency(*store_, sizes[a], sizes[b], kEvents);
      ASSERT_THAT(proof, IsOk());
      ASSERT_THAT(tlog::VerifyConsistency(sizes[a], sizes[b], *proof, roots[a],
                                          roots[b]),
                  IsOk())
          << sizes[a] << " -> " << sizes[b];
    }
  }
}

TEST_F(LogProofsTest, TheLatestCheckpointGivesTheDefaultSize) {
  auto proof = ProveInclusion(*store_, 17, 0, kEvents);
  ASSERT_THAT(proof, IsOk());
  ASSERT_TRUE(proof->checkpoint.has_value());
  EXPECT_EQ(proof->tree_size, kEvents);
  EXPECT_EQ(proof->checkpoint->seq, kEvents);
  EXPECT_EQ(AuditLeafHash(proof->event_hash), (*leaves_)[16]);
  EXPECT_THAT(tlog::VerifyInclusion((*leaves_)[16], 16, kEvents, proof->hashes,
                                    *proof->checkpoint->tree_root),
              IsOk());
}

TEST_F(LogProofsTest, ImpossibleArgumentsNameTheField) {
  EXPECT_THAT(ProveInclusion(*store_, 0, 5, kEvents),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("seq")));
  EXPECT_THAT(ProveInclusion(*store_, 9, 5, kEvents),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tree_size: must be at least seq")));
  EXPECT_THAT(
      ProveInclusion(*store_, 3, kEvents + 1, kEvents),
      StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("beyond the log")));
  EXPECT_THAT(ProveInclusion(*store_, kEvents + 1, 0, kEvents),
              StatusIs(absl::StatusCode::kOutOfRange,
                       HasSubstr("not yet covered by a checkpoint")));
  EXPECT_THAT(
      ProveConsistency(*store_, 0, 5, kEvents),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from_size")));
  EXPECT_THAT(
      ProveConsistency(*store_, 6, 5, kEvents),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("to_size")));
  EXPECT_THAT(ProveConsistency(*store_, 6, kEvents + 5, kEvents),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("to_size")));
}

}  // namespace
}  // namespace caregate
