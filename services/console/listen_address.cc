#include "services/console/listen_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"

namespace caregate::console {
namespace {

absl::Status Invalid(std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("--listen: ", AsAbsl(why)));
}

// True for a literal IPv4 address in 127.0.0.0/8 or the IPv6 ::1; sets
// `*is_ip` when `host` is a literal address at all.
bool IsLoopbackLiteral(const std::string& host, bool ipv6, bool* is_ip) {
  if (ipv6) {
    in6_addr a6{};
    *is_ip = inet_pton(AF_INET6, host.c_str(), &a6) == 1;
    return *is_ip && IN6_IS_ADDR_LOOPBACK(&a6);
  }
  in_addr a4{};
  *is_ip = inet_pton(AF_INET, host.c_str(), &a4) == 1;
  return *is_ip && (ntohl(a4.s_addr) >> 24) == 127;
}

}  // namespace

std::string LoopbackAddress::HostPort(int bound_port) const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return ipv6 ? absl::StrCat("[", host, "]:", bound_port)
              : absl::StrCat(host, ":", bound_port);
}

absl::StatusOr<LoopbackAddress> ParseLoopbackListen(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Invalid("expected HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string_view host = text.substr(0, colon);
  const bool ipv6 = host.front() == '[';
  if (ipv6) {
    if (host.size() < 3 || host.back() != ']') {
      return Invalid("expected [IPV6]:PORT, e.g. [::1]:8080");
    }
    host = host.substr(1, host.size() - 2);
  }
  LoopbackAddress address;
  address.host = std::string(host);
  const std::string_view port_text = text.substr(colon + 1);
  if (!absl::SimpleAtoi(AsAbsl(port_text), &address.port) || address.port < 0 ||
      address.port > 65535) {
    return Invalid(absl::StrCat("bad port \"", AsAbsl(port_text), "\""));
  }
  bool is_ip = false;
  if (!IsLoopbackLiteral(address.host, ipv6, &is_ip)) {
    return Invalid(absl::StrCat(
        is_ip ? "" : "not an IP address: ", address.host,
        is_ip ? " is not a loopback address" : "",
        "; the console serves on loopback only (127.0.0.1 or [::1])"));
  }
  return address;
}

}  // namespace caregate::console
