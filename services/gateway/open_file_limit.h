// The process's open file limit (RLIMIT_NOFILE) and the connection cap the
// gateway derives from it.
//
// The cap is a file descriptor number: Linux gives a new file the lowest free
// descriptor, so an accepted connection numbered `cap` or above proves that at
// least `cap` files are open, and is closed at once (O(1), no counting). What
// stays between the cap and the limit is the reserve for the gateway's own
// files (database, logs, gRPC internals, the watchdog's probe), so a flood of
// connections never makes a file operation fail.
//
// Thread-safe: plain system-call wrappers and pure functions.
#ifndef CAREGATE_SERVICES_GATEWAY_OPEN_FILE_LIMIT_H_
#define CAREGATE_SERVICES_GATEWAY_OPEN_FILE_LIMIT_H_

#include <cstdint>

#include "absl/status/statusor.h"

namespace caregate {

// Files that must stay below the open file limit whatever max_connections
// says.
inline constexpr int64_t kMinFileReserve = 64;
// The derived cap never exceeds this: each connection waiting for its TLS
// handshake holds 23-30 KiB (measured with gRPC 1.51), so 4096 of them at most
// about 120 MiB.
inline constexpr int kDefaultMaxConnections = 4096;

// Raises the soft RLIMIT_NOFILE to the hard limit and returns the new soft
// limit. Call before starting threads. INTERNAL if getrlimit/setrlimit fail.
absl::StatusOr<int64_t> RaiseOpenFileLimit();

// The current soft RLIMIT_NOFILE. INTERNAL if getrlimit fails.
absl::StatusOr<int64_t> OpenFileLimit();

// The descriptor number at and above which accepted connections are closed:
// `max_connections` when set (non-zero), else the limit minus
// max(128, limit / 8), at most kDefaultMaxConnections. FAILED_PRECONDITION,
// naming network.max_connections or the limit, when fewer than kMinFileReserve
// files would stay in reserve or the cap would be below 64.
absl::StatusOr<int> ConnectionFdCap(int64_t open_file_limit,
                                    int max_connections);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_GATEWAY_OPEN_FILE_LIMIT_H_
