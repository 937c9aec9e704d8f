// The in-process microbenchmarks of caregate-microbench (Google Benchmark),
// registered at run time so the large cases (1M consents: about 1 GB and a
// minute of setup) run only when asked for. See BENCHMARKS.md.
//
// Each Register* adds its benchmarks to Google Benchmark's registry; call
// them before benchmark::Initialize, from main only.
#ifndef CAREGATE_BENCH_MICRO_MICRO_BENCHMARKS_H_
#define CAREGATE_BENCH_MICRO_MICRO_BENCHMARKS_H_

#include <cstdint>
#include <vector>

#include "bench/common/latency_histogram.h"
#include "benchmark/benchmark.h"

namespace caregate::bench {

// decide/<consents>: one ConsentIndex::Decide, with p50/p90/p99/max counters
// (nanoseconds) from a LatencyHistogram over every single decision.
void RegisterDecisionBenchmarks(const std::vector<int64_t>& consent_counts);
// check_path/validate, check_path/decide, check_path/build_response and
// check_path/all: the stages of one CheckDisclosure after parse (validate,
// decide with 1k consents, build and serialize the response), run through
// the plain functions DisclosureService::Check calls.
void RegisterCheckPathBenchmarks();
// audit_verify/<events>: ChainVerifier over a chain (events/s).
void RegisterAuditBenchmarks();
// aes_gcm_seal_open/4096 (DataCipher) and sign_message/4096 (the Ed25519
// signature of a delivered message, on the send path).
void RegisterCryptoBenchmarks();
// startup_index_load/<consents>: open a SQLite store holding that many
// consents and load them all into a ConsentIndex (ForEachConsent + Upsert);
// counters: seconds, process RSS after the load and its growth.
void RegisterStartupBenchmarks(const std::vector<int64_t>& consent_counts);

// sqlite_commit/batching_vfs and sqlite_commit/default_vfs: one commit of a
// send group's shape (35 rows, ~240 pages) through the store's batching VFS
// and through SQLite's default one (CPU time, the kernel's included).
void RegisterSqliteCommitBenchmarks();

// tlog_append, tlog_hash_and_append, and per tree size N:
// tlog_inclusion_proof/N, tlog_consistency_proof/N (p50/p90/p99 counters),
// tlog_verify_inclusion/N, tlog_verify_consistency/N: the RFC 6962 tree of
// services/transparency (the N-leaf tree is built in memory first).
void RegisterTransparencyBenchmarks(const std::vector<int64_t>& tree_sizes);

// Writes the latency percentiles of `h` (nanoseconds) as counters.
void SetLatencyCounters(benchmark::State& state, const LatencyHistogram& h);

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_MICRO_MICRO_BENCHMARKS_H_
