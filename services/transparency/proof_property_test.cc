// Exhaustive checks of proof generation and verification on small trees:
// every inclusion proof of every tree up to 130 leaves and every consistency
// proof between sizes up to 70 are generated, compared with the recursive
// definitions of RFC 9162 §2.1.3.1 / §2.1.4.1 (computed independently from
// the leaves), verified, and then attacked: every hash with a flipped bit,
// each neighbouring index and size (checked against the root that belongs to
// the claimed size, as a verifier holding that checkpoint would), truncated
// and extended proofs, swapped roots. Every attack must fail.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/transparency/node_source.h"
#include "services/transparency/proof_builder.h"
#include "services/transparency/proof_verifier.h"
#include "services/transparency/test_vectors.h"
#include "tests/testing/status_matchers.h"

namespace caregate::tlog {
namespace {

using testing::ReferenceTreeHash;

constexpr int64_t kMaxInclusionSize = 130;
constexpr int64_t kMaxConsistencySize = 70;

// RFC 9162 PATH(m, D[begin:end]).
void ReferencePath(const std::vector<Hash256>& leaves, int64_t m, int64_t begin,
                   int64_t end, std::vector<Hash256>* out) {
  if (end - begin <= 1) return;
  int64_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  if (m < k) {
    ReferencePath(leaves, m, begin, begin + k, out);
    out->push_back(ReferenceTreeHash(leaves, begin + k, end));
  } else {
    ReferencePath(leaves, m - k, begin + k, end, out);
    out->push_back(ReferenceTreeHash(leaves, begin, begin + k));
  }
}

// RFC 9162 SUBPROOF(m, D[begin:end], b).
void ReferenceSubproof(const std::vector<Hash256>& leaves, int64_t m,
                       int64_t begin, int64_t end, bool b,
                       std::vector<Hash256>* out) {
  if (m == end - begin) {
    if (!b) out->push_back(ReferenceTreeHash(leaves, begin, end));
    return;
  }
  int64_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  if (m <= k) {
    ReferenceSubproof(leaves, m, begin, begin + k, b, out);
    out->push_back(ReferenceTreeHash(leaves, begin + k, end));
  } else {
    ReferenceSubproof(leaves, m - k, begin + k, end, false, out);
    out->push_back(ReferenceTreeHash(leaves, begin, begin + k));
  }
}

class ProofPropertyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    leaves_ = testing::SyntheticLeafHashes(kMaxInclusionSize + 1);
    roots_.push_back(EmptyRoot());
    for (const Hash256& leaf : leaves_) {
      source_.AppendLeaf(leaf);
      roots_.push_back(source_.Root());
    }
  }

  std::vector<Hash256> leaves_;
  std::vector<Hash256> roots_;  // roots_[n] = root of the first n leaves
  MemoryNodeSource source_;
};

// Every variant of `proof` with one bit flipped (a different bit per hash).
std::vector<std::vector<Hash256>> BitFlips(const std::vector<Hash256>& proof) {
  std::vector<std::vector<Hash256>> out;
  for (size_t i = 0; i < proof.size(); ++i) {
    for (int byte : {0, 17, 31}) {
      std::vector<Hash256> flipped = proof;
      flipped[i][byte] ^= static_cast<uint8_t>(1 << (i % 8));
      out.push_back(std::move(flipped));
    }
  }
  return out;
}

// Truncated, extended and reordered variants.
std::vector<std::vector<Hash256>> Reshaped(const std::vector<Hash256>& proof,
                                           const Hash256& extra) {
  std::vector<std::vector<Hash256>> out;
  if (!proof.empty()) {
    out.emplace_back(proof.begin(), proof.end() - 1);
    out.emplace_back(proof.begin() + 1, proof.end());
  }
  std::vector<Hash256> appended = proof;
  appended.push_back(extra);
  out.push_back(appended);
  std::vector<Hash256> prepended = {extra};
  prepended.insert(prepended.end(), proof.begin(), proof.end());
  out.push_back(prepended);
  if (proof.size() >= 2 && proof.front() != proof.back()) {
    std::vector<Hash256> reversed(proof.rbegin(), proof.rend());
    out.push_back(reversed);
  }
  return out;
}

TEST_F(ProofPropertyTest, EveryInclusionProofVerifiesAndResistsTampering) {
  int64_t attacks = 0;
  for (int64_t n = 1; n <= kMaxInclusionSize; ++n) {
    for (int64_t i = 0; i < n; ++i) {
      SCOPED_TRACE(::testing::Message() << "leaf " << i << " of " << n);
      absl::StatusOr<std::vector<Hash256>> proof =
          InclusionProof(source_, i, n);
      ASSERT_TRUE(proof.ok()) << proof.status();
      std::vector<Hash256> reference;
      ReferencePath(leaves_, i, 0, n, &reference);
      ASSERT_EQ(*proof, reference);
      ASSERT_EQ(static_cast<int>(proof->size()), InclusionProofLength(i, n));
      ASSERT_TRUE(VerifyInclusion(leaves_[i], i, n, *proof, roots_[n]).ok());

      const auto must_fail = [&](const Hash256& leaf, int64_t index,
                                 int64_t size, const std::vector<Hash256>& p,
                                 const Hash256& root, const char* what) {
        ++attacks;
        EXPECT_FALSE(VerifyInclusion(leaf, index, size, p, root).ok()) << what;
      };
      for (const auto& flipped : BitFlips(*proof)) {
        must_fail(leaves_[i], i, n, flipped, roots_[n], "flipped bit");
      }
      for (const auto& reshaped : Reshaped(*proof, roots_[n])) {
        must_fail(leaves_[i], i, n, reshaped, roots_[n], "reshaped proof");
      }
      must_fail(leaves_[(i + 1) % (n + 1)], i, n, *proof, roots_[n],
                "other leaf");
      must_fail(leaves_[i], i, n, *proof, roots_[n - 1], "older root");
      must_fail(leaves_[i], i, n, *proof, roots_[n + 1], "newer root");
      for (int64_t j : {i - 1, i + 1, i ^ 1, i ^ 2, i + n}) {
        if (j != i) must_fail(leaves_[i], j, n, *proof, roots_[n], "index");
      }
      for (int64_t m : {n - 1, n + 1, 2 * n, n / 2}) {
        if (m != n && m >= 0 && m <= kMaxInclusionSize) {
          must_fail(leaves_[i], i, m, *proof, roots_[m], "size");
        }
      }
    }
  }
  EXPECT_GT(attacks, 100000);
}

TEST_F(ProofPropertyTest, EveryConsistencyProofVerifiesAndResistsTampering) {
  int64_t attacks = 0;
  for (int64_t n = 1; n <= kMaxConsistencySize; ++n) {
    for (int64_t m = 1; m <= n; ++m) {
      SCOPED_TRACE(::testing::Message() << "from " << m << " to " << n);
      absl::StatusOr<std::vector<Hash256>> proof =
          ConsistencyProof(source_, m, n);
      ASSERT_TRUE(proof.ok()) << proof.status();
      std::vector<Hash256> reference;
      if (m < n) ReferenceSubproof(leaves_, m, 0, n, true, &reference);
      ASSERT_EQ(*proof, reference);
      ASSERT_EQ(static_cast<int>(proof->size()), ConsistencyProofLength(m, n));
      ASSERT_TRUE(VerifyConsistency(m, n, *proof, roots_[m], roots_[n]).ok());

      const auto must_fail = [&](int64_t old_size, int64_t new_size,
                                 const std::vector<Hash256>& p,
                                 const Hash256& old_root,
                                 const Hash256& new_root, const char* what) {
        ++attacks;
        EXPECT_FALSE(
            VerifyConsistency(old_size, new_size, p, old_root, new_root).ok())
            << what;
      };
      for (const auto& flipped : BitFlips(*proof)) {
        must_fail(m, n, flipped, roots_[m], roots_[n], "flipped bit");
      }
      for (const auto& reshaped : Reshaped(*proof, roots_[m])) {
        must_fail(m, n, reshaped, roots_[m], roots_[n], "reshaped proof");
      }
      if (m != n) {
        must_fail(m, n, *proof, roots_[n], roots_[m], "swapped roots");
        must_fail(m, n, *proof, roots_[m], roots_[n + 1], "other new root");
        must_fail(m, n, *proof, roots_[m - 1], roots_[n], "other old root");
      } else {
        must_fail(m, n, *proof, roots_[m], roots_[n + 1], "fork at one size");
      }
      for (int64_t other : {m - 1, m + 1, 2 * m, m / 2}) {
        if (other != m && other >= 1 && other <= n) {
          must_fail(other, n, *proof, roots_[other], roots_[n], "old size");
        }
      }
      for (int64_t other : {n - 1, n + 1, 2 * n, n / 2}) {
        if (other != n && other >= m && other <= kMaxInclusionSize) {
          must_fail(m, other, *proof, roots_[m], roots_[other], "new size");
        }
      }
      if (m != n) {
        must_fail(n, m, *proof, roots_[n], roots_[m], "sizes swapped");
      } else {
        must_fail(m, n, {roots_[m]}, roots_[m], roots_[n],
                  "same size with a proof");
      }
    }
  }
  EXPECT_GT(attacks, 30000);
}

TEST_F(ProofPropertyTest, RootAtMatchesEveryPrefix) {
  for (int64_t n = 0; n <= kMaxInclusionSize; ++n) {
    absl::StatusOr<Hash256> root = RootAt(source_, n);
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(*root, ReferenceTreeHash(leaves_, 0, n)) << "size " << n;
  }
}

}  // namespace
}  // namespace caregate::tlog
