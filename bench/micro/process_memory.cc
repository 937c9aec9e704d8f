#include "bench/micro/process_memory.h"

#include <cstdlib>
#include <fstream>
#include <string>

namespace caregate::bench {
namespace {

// The value of a "<field>:   1234 kB" line of /proc/self/status, in bytes.
uint64_t StatusField(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = field + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    return std::strtoull(line.c_str() + prefix.size(), nullptr, 10) * 1024;
  }
  return 0;
}

}  // namespace

uint64_t ResidentBytes() { return StatusField("VmRSS"); }
uint64_t PeakResidentBytes() { return StatusField("VmHWM"); }

}  // namespace caregate::bench
