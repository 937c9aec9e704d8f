// The RFC 6962 tree of the transparency library (services/transparency):
//
// tlog_append: CompactRange::Append of one precomputed leaf hash, with the
//   completed nodes reported (what the log's writer does per event; the
//   store's writes of those nodes are not included).
// tlog_hash_and_append: LeafHash of a 314-byte leaf input (the size of a
//   canonical audit event) plus the Append.
// tlog_inclusion_proof/<N>, tlog_consistency_proof/<N>: proof generation
//   in a tree of N leaves held by a MemoryNodeSource (every node in memory,
//   ~64 bytes per leaf: 640 MB at 10M), random leaf / old size, newest tree
//   size. Each call is timed on its own into a histogram (p50/p90/p99).
// tlog_verify_inclusion/<N>, tlog_verify_consistency/<N>: verifying such
//   proofs (precomputed, cycled).
#include <chrono>
#include <cstring>
#include <memory>
#include <random>

#include "absl/strings/str_cat.h"
#include "bench/micro/micro_benchmarks.h"
#include "services/transparency/compact_range.h"
#include "services/transparency/node_source.h"
#include "services/transparency/proof_builder.h"
#include "services/transparency/proof_verifier.h"

namespace caregate::bench {
namespace {

using tlog::Hash256;

constexpr int kProofPool = 1024;  // a power of two
constexpr size_t kLeafInputBytes = 314;

Hash256 SyntheticLeafHash(int64_t i) {
  return tlog::LeafHash(absl::StrCat("bench-leaf-", i));
}

struct TreeFixture {
  tlog::MemoryNodeSource tree;
  std::vector<int64_t> indexes;    // random leaves
  std::vector<int64_t> old_sizes;  // random sizes in [1, N)
};

// One tree at a time (10M leaves hold about 640 MB).
TreeFixture& FixtureFor(int64_t leaves) {
  static std::unique_ptr<TreeFixture> fixture;
  static int64_t built_for = -1;
  if (built_for != leaves) {
    fixture.reset();
    fixture = std::make_unique<TreeFixture>();
    fixture->tree.Reserve(leaves);
    for (int64_t i = 0; i < leaves; ++i) {
      fixture->tree.AppendLeaf(SyntheticLeafHash(i));
    }
    std::mt19937_64 random(42);
    std::uniform_int_distribution<int64_t> leaf(0, leaves - 1);
    std::uniform_int_distribution<int64_t> size(1, leaves - 1);
    for (int i = 0; i < kProofPool; ++i) {
      fixture->indexes.push_back(leaf(random));
      fixture->old_sizes.push_back(size(random));
    }
    built_for = leaves;
  }
  return *fixture;
}

void BM_Append(benchmark::State& state) {
  std::vector<Hash256> leaves;
  for (int i = 0; i < 4096; ++i) leaves.push_back(SyntheticLeafHash(i));
  tlog::CompactRange range;
  std::vector<tlog::NodeHash> completed;
  size_t i = 0;
  for (auto _ : state) {
    completed.clear();
    range.Append(leaves[i++ & 4095], &completed);
    benchmark::DoNotOptimize(completed.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["tree_size"] = static_cast<double>(range.size());
}

void BM_HashAndAppend(benchmark::State& state) {
  std::string input(kLeafInputBytes, 'e');
  tlog::CompactRange range;
  std::vector<tlog::NodeHash> completed;
  uint64_t i = 0;
  for (auto _ : state) {
    std::memcpy(input.data(), &i, sizeof(i));
    ++i;
    completed.clear();
    range.Append(tlog::LeafHash(input), &completed);
    benchmark::DoNotOptimize(completed.data());
  }
  state.SetItemsProcessed(state.iterations());
}

template <typename Call>
void TimeEach(benchmark::State& state, Call call) {
  LatencyHistogram latency;
  int i = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const bool ok = call(i++ & (kProofPool - 1));
    const auto end = std::chrono::steady_clock::now();
    if (!ok) {
      state.SkipWithError("proof generation or verification failed");
      return;
    }
    latency.Record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(end - start)
            .count()));
  }
  SetLatencyCounters(state, latency);
}

void BM_InclusionProof(benchmark::State& state, int64_t leaves) {
  TreeFixture& f = FixtureFor(leaves);
  TimeEach(state, [&](int i) {
    auto proof = tlog::InclusionProof(f.tree, f.indexes[i], leaves);
    benchmark::DoNotOptimize(proof);
    return proof.ok();
  });
}

void BM_ConsistencyProof(benchmark::State& state, int64_t leaves) {
  TreeFixture& f = FixtureFor(leaves);
  TimeEach(state, [&](int i) {
    auto proof = tlog::ConsistencyProof(f.tree, f.old_sizes[i], leaves);
    benchmark::DoNotOptimize(proof);
    return proof.ok();
  });
}

void BM_VerifyInclusion(benchmark::State& state, int64_t leaves) {
  TreeFixture& f = FixtureFor(leaves);
  const Hash256 root = f.tree.Root();
  std::vector<std::vector<Hash256>> proofs;
  std::vector<Hash256> leaf_hashes;
  for (int64_t index : f.indexes) {
    proofs.push_back(*tlog::InclusionProof(f.tree, index, leaves));
    leaf_hashes.push_back(*f.tree.Node(0, index));
  }
  TimeEach(state, [&](int i) {
    return tlog::VerifyInclusion(leaf_hashes[i], f.indexes[i], leaves,
                                 proofs[i], root)
        .ok();
  });
}

void BM_VerifyConsistency(benchmark::State& state, int64_t leaves) {
  TreeFixture& f = FixtureFor(leaves);
  const Hash256 root = f.tree.Root();
  std::vector<std::vector<Hash256>> proofs;
  std::vector<Hash256> old_roots;
  for (int64_t old_size : f.old_sizes) {
    proofs.push_back(*tlog::ConsistencyProof(f.tree, old_size, leaves));
    old_roots.push_back(*tlog::RootAt(f.tree, old_size));
  }
  TimeEach(state, [&](int i) {
    return tlog::VerifyConsistency(f.old_sizes[i], leaves, proofs[i],
                                   old_roots[i], root)
        .ok();
  });
}

}  // namespace

void RegisterTransparencyBenchmarks(const std::vector<int64_t>& tree_sizes) {
  benchmark::RegisterBenchmark("tlog_append", BM_Append)
      ->Unit(benchmark::kNanosecond);
  benchmark::RegisterBenchmark("tlog_hash_and_append", BM_HashAndAppend)
      ->Unit(benchmark::kNanosecond);
  for (int64_t n : tree_sizes) {
    benchmark::RegisterBenchmark(
        absl::StrCat("tlog_inclusion_proof/", n).c_str(), BM_InclusionProof, n)
        ->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(
        absl::StrCat("tlog_consistency_proof/", n).c_str(), BM_ConsistencyProof,
        n)
        ->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(
        absl::StrCat("tlog_verify_inclusion/", n).c_str(), BM_VerifyInclusion,
        n)
        ->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(
        absl::StrCat("tlog_verify_consistency/", n).c_str(),
        BM_VerifyConsistency, n)
        ->Unit(benchmark::kNanosecond);
  }
}

}  // namespace caregate::bench
