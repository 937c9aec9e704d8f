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
// tlog_store_append: what the gateway's writer adds per audit event: the
//   Append plus Store::PutTreeNodes of the completed nodes but the leaf
//   (DropLeaves, as the ledger: the store derives leaves) into SQLite, in
//   transactions of 256 events (a group), commits included, no fsync.
// tlog_store_inclusion_proof/<N>, tlog_store_consistency_proof/<N>: proofs
//   as AuditService serves them, reading the nodes of a SQLite store holding
//   a tree of N leaves (StoreNodeSource), timed one by one.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>

#include "absl/strings/str_cat.h"
#include "bench/micro/micro_benchmarks.h"
#include "services/audit/audit_tree.h"
#include "services/store/sqlite_store.h"
#include "services/store/store_node_source.h"
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

// A SQLite store in a temp dir holding a tree of `leaves` synthetic leaves.
struct StoreTree {
  std::string dir;
  std::unique_ptr<Store> store;
  std::vector<int64_t> indexes;
  std::vector<int64_t> old_sizes;
  ~StoreTree() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

std::unique_ptr<StoreTree> SeedStoreTree(int64_t leaves) {
  auto t = std::make_unique<StoreTree>();
  t->dir = (std::filesystem::temp_directory_path() /
            absl::StrCat("caregate_tlog_bench_", getpid(), "_", leaves))
               .string();
  std::filesystem::remove_all(t->dir);
  std::filesystem::create_directories(t->dir);
  auto store = OpenSqliteStore(t->dir + "/db.sqlite");
  if (!store.ok()) return nullptr;
  t->store = *std::move(store);
  tlog::CompactRange range;
  std::vector<tlog::NodeHash> nodes;
  for (int64_t i = 0; i < leaves;) {
    auto txn = t->store->BeginWrite();
    if (!txn.ok()) return nullptr;
    for (int64_t end = std::min(leaves, i + 100'000); i < end; ++i) {
      range.Append(SyntheticLeafHash(i), &nodes);
    }
    if (!(*txn)->PutTreeNodes(nodes).ok() || !(*txn)->Commit().ok()) {
      return nullptr;
    }
    nodes.clear();
  }
  std::mt19937_64 random(7);
  std::uniform_int_distribution<int64_t> leaf(0, leaves - 1);
  std::uniform_int_distribution<int64_t> size(1, leaves - 1);
  for (int i = 0; i < kProofPool; ++i) {
    t->indexes.push_back(leaf(random));
    t->old_sizes.push_back(size(random));
  }
  return t;
}

StoreTree* StoreTreeFor(int64_t leaves) {
  static std::unique_ptr<StoreTree> tree;
  if (tree == nullptr || tree->indexes.empty() ||
      *tree->store->GetTreeSize() != leaves) {
    tree.reset();
    tree = SeedStoreTree(leaves);
  }
  return tree.get();
}

void BM_StoreInclusionProof(benchmark::State& state, int64_t leaves) {
  StoreTree* t = StoreTreeFor(leaves);
  if (t == nullptr) return state.SkipWithError("cannot seed the store");
  StoreNodeSource nodes(t->store.get());
  TimeEach(state, [&](int i) {
    auto proof = tlog::InclusionProof(nodes, t->indexes[i], leaves);
    benchmark::DoNotOptimize(proof);
    return proof.ok();
  });
}

void BM_StoreConsistencyProof(benchmark::State& state, int64_t leaves) {
  StoreTree* t = StoreTreeFor(leaves);
  if (t == nullptr) return state.SkipWithError("cannot seed the store");
  StoreNodeSource nodes(t->store.get());
  TimeEach(state, [&](int i) {
    auto proof = tlog::ConsistencyProof(nodes, t->old_sizes[i], leaves);
    benchmark::DoNotOptimize(proof);
    return proof.ok();
  });
}

void BM_StoreAppend(benchmark::State& state) {
  auto t = SeedStoreTree(0);
  if (t == nullptr) return state.SkipWithError("cannot open the store");
  tlog::CompactRange range;
  std::vector<tlog::NodeHash> nodes;
  int64_t i = 0;
  std::unique_ptr<WriteTransaction> txn;
  for (auto _ : state) {
    if (txn == nullptr) txn = *t->store->BeginWrite();
    nodes.clear();
    range.Append(SyntheticLeafHash(i), &nodes);
    DropLeaves(nodes);  // as the ledger: the store derives leaves
    if (!txn->PutTreeNodes(nodes).ok()) {
      return state.SkipWithError("PutTreeNodes failed");
    }
    if (++i % 256 == 0) {
      if (!txn->Commit().ok()) return state.SkipWithError("commit failed");
      txn.reset();
    }
  }
  if (txn != nullptr) txn->Commit().IgnoreError();
}

}  // namespace

void RegisterTransparencyBenchmarks(const std::vector<int64_t>& tree_sizes) {
  benchmark::RegisterBenchmark("tlog_append", BM_Append)
      ->Unit(benchmark::kNanosecond);
  benchmark::RegisterBenchmark("tlog_hash_and_append", BM_HashAndAppend)
      ->Unit(benchmark::kNanosecond);
  benchmark::RegisterBenchmark("tlog_store_append", BM_StoreAppend)
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
    benchmark::RegisterBenchmark(
        absl::StrCat("tlog_store_inclusion_proof/", n).c_str(),
        BM_StoreInclusionProof, n)
        ->Unit(benchmark::kNanosecond);
    benchmark::RegisterBenchmark(
        absl::StrCat("tlog_store_consistency_proof/", n).c_str(),
        BM_StoreConsistencyProof, n)
        ->Unit(benchmark::kNanosecond);
  }
}

}  // namespace caregate::bench
