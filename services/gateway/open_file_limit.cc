#include "services/gateway/open_file_limit.h"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"

namespace caregate {
namespace {

absl::Status Errno(const char* call) {
  return absl::InternalError(absl::StrCat(call, ": ", std::strerror(errno)));
}

// Limits above what an int descriptor cap can express count as this much.
int64_t Clamp(rlim_t value) {
  constexpr int64_t kMax = std::numeric_limits<int>::max();
  return value == RLIM_INFINITY
             ? kMax
             : std::min<int64_t>(static_cast<int64_t>(value), kMax);
}

}  // namespace

absl::StatusOr<int64_t> RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return Errno("getrlimit");
  if (limit.rlim_cur != limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return Errno("setrlimit");
  }
  return Clamp(limit.rlim_cur);
}

absl::StatusOr<int64_t> OpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return Errno("getrlimit");
  return Clamp(limit.rlim_cur);
}

absl::StatusOr<int> ConnectionFdCap(int64_t open_file_limit,
                                    int max_connections) {
  if (max_connections != 0) {
    if (max_connections < 64 ||
        max_connections > open_file_limit - kMinFileReserve) {
      return absl::FailedPreconditionError(absl::StrCat(
          "network.max_connections: ", max_connections,
          " must be between 64 and the open file limit (", open_file_limit,
          ") minus ", kMinFileReserve, "; raise LimitNOFILE or lower it"));
    }
    return max_connections;
  }
  const int64_t reserve = std::max<int64_t>(128, open_file_limit / 8);
  const int64_t cap = open_file_limit - reserve;
  if (cap < 64) {
    return absl::FailedPreconditionError(absl::StrCat(
        "open file limit ", open_file_limit,
        " is too low for the gateway: raise it (LimitNOFILE) to at least 192"));
  }
  return static_cast<int>(std::min<int64_t>(cap, kDefaultMaxConnections));
}

}  // namespace caregate
