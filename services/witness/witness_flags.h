// The command line of caregate-witness. "--flag value" and "--flag=value"
// both work; --log-key may repeat. Free functions; thread-safe.
#ifndef CAREGATE_SERVICES_WITNESS_WITNESS_FLAGS_H_
#define CAREGATE_SERVICES_WITNESS_WITNESS_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace caregate::witness {

inline constexpr char kDefaultListen[] = "127.0.0.1:7380";

struct WitnessFlags {
  bool help = false;
  std::string listen = kDefaultListen;
  std::string state_dir;
  std::string name;
  std::vector<std::string> log_keys;
};

// `args` without the program name. INVALID_ARGUMENT naming the flag for an
// unknown flag, a missing value, a stray argument or a missing --state
// (unless --help).
absl::StatusOr<WitnessFlags> ParseWitnessFlags(
    absl::Span<const char* const> args);

// The --help text.
std::string WitnessUsage();

}  // namespace caregate::witness

#endif  // CAREGATE_SERVICES_WITNESS_WITNESS_FLAGS_H_
