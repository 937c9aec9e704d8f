// Who may use the console: every request must carry the session token, in
// the URL (?token=...) or in the HttpOnly SameSite=Strict cookie that a
// request with the URL token sets; and a state-changing request (POST) must
// also come from the console's own page.
//
// The POST rule: the page's fetch() sends the custom header
// X-Caregate-Console, which another site's page cannot send without a CORS
// preflight the console never grants; an Origin header, when present, must be
// the console's own origin, and Sec-Fetch-Site, when present, "same-origin".
// A form or fetch from another site therefore never drives a POST, even with
// the cookie (which SameSite=Strict keeps from cross-site requests anyway).
// The Host header must name the console's address (or localhost with its
// port), which defeats DNS rebinding.
//
// The cookie's name carries the port: cookies are shared by every port of a
// host, and two consoles must not overwrite each other's.
//
// ConsoleAuth is immutable after construction and thread-safe.
#ifndef CAREGATE_SERVICES_CONSOLE_CONSOLE_AUTH_H_
#define CAREGATE_SERVICES_CONSOLE_CONSOLE_AUTH_H_

#include <optional>
#include <string>
#include <string_view>

namespace caregate::console {

// The custom header of the console page's own state-changing requests.
inline constexpr std::string_view kConsoleHeader = "X-Caregate-Console";

// A new session token: 32 bytes from the CSPRNG, as 64 hex characters.
std::string NewConsoleToken();

// What the authorization looks at in a request.
struct RequestFacts {
  std::string_view method;                     // "GET", "POST", ...
  std::optional<std::string_view> url_token;   // the "token" query parameter
  std::string_view cookie_header;              // "" when there is none
  std::string_view host;                       // the Host header
  std::optional<std::string_view> origin;      // the Origin header
  std::optional<std::string_view> fetch_site;  // Sec-Fetch-Site
  bool has_console_header = false;             // X-Caregate-Console is present
};

struct AuthDecision {
  // 0: allowed; 401: no or a wrong token; 403: token fine but the request is
  // refused (Host, or a POST not from the console's page).
  int refusal = 0;
  std::string reason;  // why, when refused; never contains the token
  // Allowed by a URL token: the response should set the session cookie.
  bool set_cookie = false;
};

class ConsoleAuth {
 public:
  // `token` is the session token; `host_port` the address the console
  // serves on, e.g. "127.0.0.1:8080" (its origin is http://<host_port>).
  ConsoleAuth(std::string token, std::string host_port, int port);

  AuthDecision Authorize(const RequestFacts& request) const;

  // "caregate_console_<port>".
  const std::string& cookie_name() const { return cookie_name_; }
  // The Set-Cookie value: "<name>=<token>; Path=/; HttpOnly; SameSite=Strict".
  std::string SetCookieValue() const;
  // "http://<host_port>".
  const std::string& origin() const { return origin_; }

 private:
  bool TokenMatches(std::string_view candidate) const;
  bool HostAllowed(std::string_view host) const;
  bool SameOrigin(std::string_view origin) const;
  // The value of our cookie in a Cookie header, if there is one.
  std::optional<std::string_view> CookieToken(std::string_view header) const;

  std::string token_;
  std::string host_port_;
  std::string localhost_port_;
  std::string origin_;
  std::string localhost_origin_;
  std::string cookie_name_;
};

}  // namespace caregate::console

#endif  // CAREGATE_SERVICES_CONSOLE_CONSOLE_AUTH_H_
