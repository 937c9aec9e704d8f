#include "services/gateway/socket_address.h"

#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"

namespace caregate {

bool SocketAddress::IsWildcard() const {
  if (family() == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&storage);
    return in->sin_addr.s_addr == htonl(INADDR_ANY);
  }
  if (family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    return IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
  }
  return false;
}

int SocketAddress::port() const {
  if (family() == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  }
  if (family() == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  }
  return 0;
}

std::string SocketAddress::ToString() const {
  char host[NI_MAXHOST] = "?";
  getnameinfo(get(), length, host, sizeof(host), nullptr, 0, NI_NUMERICHOST);
  return family() == AF_INET6 ? absl::StrCat("[", host, "]:", port())
                              : absl::StrCat(host, ":", port());
}

absl::StatusOr<std::vector<SocketAddress>> ResolveHostPort(
    std::string_view address) {
  const auto invalid = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", AsAbsl(address), "\": ", AsAbsl(why)));
  };
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return invalid("must be host:port");
  std::string_view host = address.substr(0, colon);
  const std::string_view port_text = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  const bool digits = !port_text.empty() && port_text.size() <= 5 &&
                      std::all_of(port_text.begin(), port_text.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || !absl::SimpleAtoi(AsAbsl(port_text), &port) || port > 65535) {
    return invalid("port must be 0-65535");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* results = nullptr;
  const std::string host_string(host);
  const int rc = getaddrinfo(host.empty() ? nullptr : host_string.c_str(),
                             std::to_string(port).c_str(), &hints, &results);
  if (rc != 0) return invalid(gai_strerror(rc));
  std::vector<SocketAddress> addresses;
  for (const addrinfo* ai = results; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
    SocketAddress a;
    std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
    a.length = ai->ai_addrlen;
    addresses.push_back(a);
  }
  freeaddrinfo(results);
  if (addresses.empty()) return invalid("no address");
  return addresses;
}

}  // namespace caregate
