#include "services/console/console_auth.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "openssl/crypto.h"
#include "services/common/absl_compat.h"
#include "services/crypto/encoding.h"
#include "services/crypto/random.h"

namespace caregate::console {
namespace {

AuthDecision Refuse(int status, std::string reason) {
  AuthDecision d;
  d.refusal = status;
  d.reason = std::move(reason);
  return d;
}

}  // namespace

std::string NewConsoleToken() { return HexEncode(RandomBytes(32)); }

ConsoleAuth::ConsoleAuth(std::string token, std::string host_port, int port)
    : token_(std::move(token)),
      host_port_(std::move(host_port)),
      localhost_port_(absl::StrCat("localhost:", port)),
      origin_(absl::StrCat("http://", host_port_)),
      localhost_origin_(absl::StrCat("http://", localhost_port_)),
      cookie_name_(absl::StrCat("caregate_console_", port)) {}

std::string ConsoleAuth::SetCookieValue() const {
  return absl::StrCat(cookie_name_, "=", token_,
                      "; Path=/; HttpOnly; SameSite=Strict");
}

bool ConsoleAuth::TokenMatches(std::string_view candidate) const {
  return candidate.size() == token_.size() &&
         CRYPTO_memcmp(candidate.data(), token_.data(), token_.size()) == 0;
}

bool ConsoleAuth::HostAllowed(std::string_view host) const {
  return host == host_port_ || host == localhost_port_;
}

bool ConsoleAuth::SameOrigin(std::string_view origin) const {
  return origin == origin_ || origin == localhost_origin_;
}

std::optional<std::string_view> ConsoleAuth::CookieToken(
    std::string_view header) const {
  for (absl::string_view part : absl::StrSplit(AsAbsl(header), ';')) {
    part = absl::StripAsciiWhitespace(part);
    const size_t eq = part.find('=');
    if (eq == absl::string_view::npos) continue;
    if (part.substr(0, eq) == AsAbsl(cookie_name_)) {
      const absl::string_view value = part.substr(eq + 1);
      return std::string_view(value.data(), value.size());
    }
  }
  return std::nullopt;
}

AuthDecision ConsoleAuth::Authorize(const RequestFacts& r) const {
  AuthDecision allowed;
  if (r.url_token.has_value()) {
    if (!TokenMatches(*r.url_token)) {
      return Refuse(401, "wrong console token");
    }
    allowed.set_cookie = true;
  } else {
    const std::optional<std::string_view> cookie = CookieToken(r.cookie_header);
    if (!cookie.has_value()) {
      return Refuse(401,
                    "no console token: open the URL that `caregatectl "
                    "console` printed");
    }
    if (!TokenMatches(*cookie)) return Refuse(401, "wrong console token");
  }
  if (!HostAllowed(r.host)) {
    return Refuse(403, "the Host header does not name the console");
  }
  if (r.method == "GET" || r.method == "HEAD") return allowed;
  if (r.method != "POST") return Refuse(403, "method not allowed");
  if (!r.has_console_header) {
    return Refuse(403,
                  "a state-changing request must come from the console's own "
                  "page");
  }
  if (r.origin.has_value() && !SameOrigin(*r.origin)) {
    return Refuse(403, "cross-origin request refused");
  }
  if (r.fetch_site.has_value() && *r.fetch_site != "same-origin") {
    return Refuse(403, "cross-site request refused");
  }
  return allowed;
}

}  // namespace caregate::console
