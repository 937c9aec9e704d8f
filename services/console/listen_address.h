// The console's --listen address: a literal loopback IP and a port. The
// console serves on loopback only, so anything that could listen beyond the
// machine (0.0.0.0, [::], a LAN address, a host name) is refused.
//
// Pure functions, thread-safe.
#ifndef CAREGATE_SERVICES_CONSOLE_LISTEN_ADDRESS_H_
#define CAREGATE_SERVICES_CONSOLE_LISTEN_ADDRESS_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace caregate::console {

inline constexpr std::string_view kDefaultListen = "127.0.0.1:0";

struct LoopbackAddress {
  std::string host;  // "127.0.0.1" (any of 127.0.0.0/8) or "::1"
  int port = 0;      // 0: any free port

  // "127.0.0.1:8080" or "[::1]:8080", for URLs and Host checks.
  std::string HostPort(int bound_port) const;
};

// Parses "IPV4:PORT" or "[IPV6]:PORT". INVALID_ARGUMENT "--listen: ..." for
// a malformed address or port, and for an address that is not loopback
// (naming it and saying that the console serves on loopback only).
absl::StatusOr<LoopbackAddress> ParseLoopbackListen(std::string_view text);

}  // namespace caregate::console

#endif  // CAREGATE_SERVICES_CONSOLE_LISTEN_ADDRESS_H_
