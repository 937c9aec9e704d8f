#include "bench/load/cpu_usage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace caregate::bench {

std::optional<absl::Duration> ParseProcStatCpu(std::string_view stat,
                                               long ticks_per_second) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
  // count fields after its last ')'. utime and stime are fields 14 and 15.
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) {
    return std::nullopt;
  }
  std::istringstream fields{std::string(stat.substr(close + 1))};
  std::string field;
  long long utime = -1, stime = -1;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::strtoll(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoll(field.c_str(), nullptr, 10);
  }
  if (utime < 0 || stime < 0) return std::nullopt;
  return absl::Seconds(static_cast<double>(utime + stime) /
                       static_cast<double>(ticks_per_second));
}

std::optional<absl::Duration> ProcessCpuTime(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  return ParseProcStatCpu(line, sysconf(_SC_CLK_TCK));
}

absl::Duration SelfCpuTime() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return absl::DurationFromTimeval(usage.ru_utime) +
         absl::DurationFromTimeval(usage.ru_stime);
}

}  // namespace caregate::bench
