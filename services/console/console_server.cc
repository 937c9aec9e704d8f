#include "services/console/console_server.h"

#include <optional>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "httplib.h"
#include "services/console/web_assets.h"

namespace caregate::console {
namespace {

constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'";

// The "token" parameter of the URL's query string (not of a form body).
std::optional<std::string> UrlToken(const httplib::Request& req) {
  const size_t q = req.target.find('?');
  if (q == std::string::npos) return std::nullopt;
  httplib::Params query;
  httplib::detail::parse_query_text(req.target.substr(q + 1), query);
  auto it = query.find("token");
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Header(const httplib::Request& req,
                                  const char* name) {
  if (!req.has_header(name)) return std::nullopt;
  return req.get_header_value(name);
}

void Refuse(httplib::Response& res, int status, const std::string& reason) {
  res.status = status;
  const absl::Status error = status == 401
                                 ? absl::UnauthenticatedError(reason)
                                 : absl::PermissionDeniedError(reason);
  res.set_content(ErrorResponse(error).body, "application/json");
}

}  // namespace

absl::StatusOr<std::unique_ptr<ConsoleServer>> ConsoleServer::Create(
    const LoopbackAddress& listen, std::string token, const ConsoleApi* api) {
  auto server = std::make_unique<httplib::Server>();
  const int port =
      listen.port == 0
          ? server->bind_to_any_port(listen.host)
          : (server->bind_to_port(listen.host, listen.port) ? listen.port : -1);
  if (port <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ",
                                               listen.HostPort(listen.port),
                                               " (is the port in use?)"));
  }
  std::unique_ptr<ConsoleServer> console(new ConsoleServer(
      std::move(server), port, listen.HostPort(port), std::move(token), api));
  console->InstallRoutes();
  return console;
}

ConsoleServer::ConsoleServer(std::unique_ptr<httplib::Server> server, int port,
                             std::string host_port, std::string token,
                             const ConsoleApi* api)
    : server_(std::move(server)),
      port_(port),
      host_port_(std::move(host_port)),
      token_(token),
      auth_(std::move(token), host_port_, port),
      api_(api) {}

ConsoleServer::~ConsoleServer() { Stop(); }

std::string ConsoleServer::Url() const {
  return absl::StrCat("http://", host_port_, "/?token=", token_);
}

bool ConsoleServer::Run() { return server_->listen_after_bind(); }

void ConsoleServer::Stop() { server_->stop(); }

void ConsoleServer::InstallRoutes() {
  server_->set_payload_max_length(64 * 1024);
  server_->set_default_headers({
      {"Content-Security-Policy", kContentSecurityPolicy},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-store"},
      {"X-Frame-Options", "DENY"},
  });
  server_->set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        const std::optional<std::string> token = UrlToken(req);
        const std::optional<std::string> origin = Header(req, "Origin");
        const std::optional<std::string> site = Header(req, "Sec-Fetch-Site");
        const std::string cookie = req.get_header_value("Cookie");
        const std::string host = req.get_header_value("Host");
        RequestFacts facts;
        facts.method = req.method;
        facts.url_token = token;
        facts.cookie_header = cookie;
        facts.host = host;
        facts.origin = origin;
        facts.fetch_site = site;
        facts.has_console_header = req.has_header(kConsoleHeader.data());
        const AuthDecision decision = auth_.Authorize(facts);
        if (decision.refusal != 0) {
          Refuse(res, decision.refusal, decision.reason);
          return httplib::Server::HandlerResponse::Handled;
        }
        if (decision.set_cookie) {
          res.set_header("Set-Cookie", auth_.SetCookieValue());
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  auto serve = [this](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/api/", 0) == 0) {
      const ApiResponse r = api_->Handle(req.method, req.path, req.params);
      res.status = r.status;
      for (const auto& [name, value] : r.headers) res.set_header(name, value);
      res.set_content(r.body, r.content_type);
      return;
    }
    const WebAsset* asset = FindWebAsset(req.path);
    if (asset == nullptr || req.method != "GET") {
      res.status = 404;
      res.set_content("not found\n", "text/plain");
      return;
    }
    res.set_content(asset->body.data(), asset->body.size(),
                    std::string(asset->content_type));
  };
  server_->Get(".*", serve);
  server_->Post(".*", serve);
}

}  // namespace caregate::console
