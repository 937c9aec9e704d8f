// The resident memory of this process, from /proc/self/status (Linux).
// Thread-safe. Returns 0 when the figure cannot be read.
#ifndef CAREGATE_BENCH_MICRO_PROCESS_MEMORY_H_
#define CAREGATE_BENCH_MICRO_PROCESS_MEMORY_H_

#include <cstdint>

namespace caregate::bench {

// VmRSS: resident now, bytes.
uint64_t ResidentBytes();
// VmHWM: the peak resident size so far, bytes.
uint64_t PeakResidentBytes();

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_MICRO_PROCESS_MEMORY_H_
