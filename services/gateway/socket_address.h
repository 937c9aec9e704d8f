// "host:port" strings as socket addresses, for the gateway's own listening
// sockets and its watchdog's probe.
//
// Thread-safe: pure functions over getaddrinfo/getnameinfo.
#ifndef CAREGATE_SERVICES_GATEWAY_SOCKET_ADDRESS_H_
#define CAREGATE_SERVICES_GATEWAY_SOCKET_ADDRESS_H_

#include <sys/socket.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace caregate {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  const sockaddr* get() const {
    return reinterpret_cast<const sockaddr*>(&storage);
  }
  // 0.0.0.0 or ::.
  bool IsWildcard() const;
  int port() const;
  // "127.0.0.1:7443", "[::1]:7443".
  std::string ToString() const;
};

// The addresses of "host:port" (host a name, an IPv4 address or a bracketed
// IPv6 address; port 0-65535), in getaddrinfo's order. INVALID_ARGUMENT
// naming `address` when it is not host:port or the host does not resolve.
absl::StatusOr<std::vector<SocketAddress>> ResolveHostPort(
    std::string_view address);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_GATEWAY_SOCKET_ADDRESS_H_
