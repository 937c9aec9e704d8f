// caregate-microbench: the in-process microbenchmarks (Google Benchmark).
//
//   caregate-microbench [--large] [--benchmark_filter=...] [other
//   --benchmark_* flags]
//
// Without --large: decide/1000 and /100000, startup_index_load/10000, the
// check path's stages (check_path/...), the audit and crypto benchmarks, a
// group commit through each SQLite VFS (sqlite_commit/...), the transparency
// tree at 100000 leaves (a few seconds). --large adds
// decide/1000000, startup_index_load/1000000 (about 1 GB and a minute or two of
// setup) and the tree at 10000000 leaves (about 640 MB and half a minute of
// setup).
#include <cstring>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "bench/micro/micro_benchmarks.h"

int main(int argc, char** argv) {
  // As caregated runs (caregated_main.cc): Debian's Abseil records a lock
  // graph and a stack trace on every Mutex lock unless told not to.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  bool large = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::strcmp(argv[i], "--large") == 0) {
      large = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  std::vector<int64_t> decide = {1'000, 100'000};
  std::vector<int64_t> startup = {10'000};
  std::vector<int64_t> tree = {100'000};
  if (large) {
    decide.push_back(1'000'000);
    startup.push_back(1'000'000);
    tree.push_back(10'000'000);
  }
  caregate::bench::RegisterStartupBenchmarks(startup);
  caregate::bench::RegisterDecisionBenchmarks(decide);
  caregate::bench::RegisterCheckPathBenchmarks();
  caregate::bench::RegisterAuditBenchmarks();
  caregate::bench::RegisterCryptoBenchmarks();
  caregate::bench::RegisterSqliteCommitBenchmarks();
  caregate::bench::RegisterTransparencyBenchmarks(tree);
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
