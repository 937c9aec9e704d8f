// CPU time consumed by a process (Linux /proc), so the benchmarks can report
// CPU per call, a figure that other work on a shared machine disturbs far
// less than throughput. Thread-safe plain functions.
#ifndef CAREGATE_BENCH_LOAD_CPU_USAGE_H_
#define CAREGATE_BENCH_LOAD_CPU_USAGE_H_

#include <optional>
#include <string_view>

#include "absl/time/time.h"

namespace caregate::bench {

// User + system time of process `pid` so far (every thread), from
// /proc/<pid>/stat, in clock ticks (usually 10 ms); nullopt when the process
// is gone or the file cannot be parsed.
std::optional<absl::Duration> ProcessCpuTime(int pid);

// User + system time of this process so far (microsecond resolution).
absl::Duration SelfCpuTime();

// Parses the utime + stime fields of a /proc/<pid>/stat line.
std::optional<absl::Duration> ParseProcStatCpu(std::string_view stat,
                                               long ticks_per_second);

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_LOAD_CPU_USAGE_H_
