#include "services/witness/witness_server.h"

#include <httplib.h>

#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/transparency/witness_protocol.h"
#include "spdlog/spdlog.h"

namespace caregate::witness {
namespace {

constexpr char kTextPlain[] = "text/plain; charset=utf-8";

void Reply(const httplib::Request& req,
           const absl::StatusOr<std::string>& result, httplib::Response& res) {
  res.status = tlog::HttpStatusFor(result.status());
  if (result.ok()) {
    res.set_content(*result, kTextPlain);
    return;
  }
  spdlog::warn("{} {} refused ({}): {}", req.method, req.path, res.status,
               std::string(result.status().message()));
  if (std::optional<int64_t> size = tlog::WitnessSizeOf(result.status())) {
    res.set_content(tlog::FormatTreeSizeBody(*size),
                    std::string(tlog::kTreeSizeContentType));
  } else {
    res.set_content(absl::StrCat(result.status().message(), "\n"), kTextPlain);
  }
}

void InstallRoutes(httplib::Server& server, Witness* witness) {
  server.Post("/add-checkpoint",
              [witness](const httplib::Request& req, httplib::Response& res) {
                Reply(req, witness->AddCheckpoint(req.body), res);
              });
  server.Get(R"(/([0-9a-f]{64})/checkpoint)",
             [witness](const httplib::Request& req, httplib::Response& res) {
               Reply(req, witness->LatestCheckpoint(req.matches[1].str()), res);
             });
  server.Get("/add-checkpoint",
             [](const httplib::Request&, httplib::Response& res) {
               res.status = 405;
               res.set_header("Allow", "POST");
               res.set_content("add-checkpoint takes POST\n", kTextPlain);
             });
  server.set_logger(
      [](const httplib::Request& req, const httplib::Response& res) {
        spdlog::info("{} {} {} -> {}", req.remote_addr, req.method, req.path,
                     res.status);
      });
}

}  // namespace

absl::StatusOr<std::pair<std::string, int>> ParseListenAddress(
    std::string_view listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address \"", AsAbsl(listen), "\" is not host:port"));
  }
  std::string_view host = listen.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return absl::InvalidArgumentError(absl::StrCat(
          "listen address \"", AsAbsl(listen), "\": bad [IPv6] host"));
    }
    host = host.substr(1, host.size() - 2);
  }
  int port = -1;
  if (!absl::SimpleAtoi(AsAbsl(listen.substr(colon + 1)), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address \"", AsAbsl(listen), "\": port is not 0-65535"));
  }
  return std::make_pair(std::string(host), port);
}

absl::StatusOr<std::unique_ptr<WitnessServer>> WitnessServer::Bind(
    Witness* witness, std::string_view listen) {
  absl::StatusOr<std::pair<std::string, int>> address =
      ParseListenAddress(listen);
  if (!address.ok()) return address.status();
  auto server = std::make_unique<httplib::Server>();
  server->set_payload_max_length(kMaxRequestBytes);
  server->set_read_timeout(5, 0);
  server->set_write_timeout(5, 0);
  // Short: a stop (SIGTERM) waits for idle kept-alive connections to end.
  server->set_keep_alive_timeout(1);
  server->set_keep_alive_max_count(100);
  InstallRoutes(*server, witness);
  int port = address->second;
  if (port == 0) {
    port = server->bind_to_any_port(address->first);
  } else if (!server->bind_to_port(address->first, port)) {
    port = -1;
  }
  if (port <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ",
                                               AsAbsl(listen),
                                               " (in use, or not a local "
                                               "address)"));
  }
  return std::unique_ptr<WitnessServer>(
      new WitnessServer(std::move(server), port));
}

WitnessServer::WitnessServer(std::unique_ptr<httplib::Server> server, int port)
    : server_(std::move(server)), port_(port) {}

WitnessServer::~WitnessServer() {
  bool never_served;
  {
    absl::MutexLock lock(&mu_);
    never_served = !serving_;
    serving_ = true;
  }
  if (never_served) {
    // httplib closes its listening socket only when stopping its accept
    // loop: run the loop and stop it at once.
    std::thread loop([this] { RunAcceptLoop(); });
    StopAcceptLoop();
    loop.join();
  }
}

bool WitnessServer::RunAcceptLoop() {
  const bool ok = server_->listen_after_bind();
  absl::MutexLock lock(&mu_);
  served_ = true;
  return ok;
}

void WitnessServer::StopAcceptLoop() {
  // httplib ignores stop() until its accept loop has marked itself running,
  // which happens microseconds after the loop starts: wait for that (or for
  // the loop to have ended), then stop it.
  while (!server_->is_running()) {
    {
      absl::MutexLock lock(&mu_);
      if (served_) return;
    }
    std::this_thread::yield();
  }
  server_->stop();
}

absl::Status WitnessServer::Serve() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_requested_ || serving_) return absl::OkStatus();
    serving_ = true;
  }
  if (!RunAcceptLoop()) {
    return absl::UnavailableError("the HTTP accept loop failed");
  }
  return absl::OkStatus();
}

void WitnessServer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_requested_ = true;
    if (!serving_) return;  // Serve() will not start; the destructor closes
  }
  StopAcceptLoop();
}

}  // namespace caregate::witness
