// The console's HTTP server (cpp-httplib) on a loopback address: every
// request passes ConsoleAuth first (401 without the token, 403 for a
// refused Host or POST); /api/... goes to ConsoleApi, anything else is an
// embedded page or asset (web_assets.h). Responses carry a strict
// Content-Security-Policy (scripts, styles and connections from the console
// only, no framing), no-store caching and no Referer, so the token in the
// first URL does not leak. Requests are not logged: their URLs may name
// patients.
//
// Thread-safety: Run() serves on its caller's thread (requests are handled
// on httplib's worker threads); Stop() may be called from any thread, also
// before Run(). The API must outlive the server.
#ifndef CAREGATE_SERVICES_CONSOLE_CONSOLE_SERVER_H_
#define CAREGATE_SERVICES_CONSOLE_CONSOLE_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/console/console_api.h"
#include "services/console/console_auth.h"
#include "services/console/listen_address.h"

namespace httplib {
class Server;
}

namespace caregate::console {

class ConsoleServer {
 public:
  // Binds `listen` (port 0: a free port) and prepares the routes; serves
  // nothing until Run(). UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<ConsoleServer>> Create(
      const LoopbackAddress& listen, std::string token, const ConsoleApi* api);
  ~ConsoleServer();

  // The port bound.
  int port() const { return port_; }
  // "http://<host:port>/?token=<token>": the URL to open.
  std::string Url() const;

  // Serves until Stop(); false when the server could not run.
  bool Run();
  void Stop();

 private:
  ConsoleServer(std::unique_ptr<httplib::Server> server, int port,
                std::string host_port, std::string token,
                const ConsoleApi* api);
  void InstallRoutes();

  std::unique_ptr<httplib::Server> server_;
  const int port_;
  const std::string host_port_;
  const std::string token_;
  const ConsoleAuth auth_;
  const ConsoleApi* const api_;
};

}  // namespace caregate::console

#endif  // CAREGATE_SERVICES_CONSOLE_CONSOLE_SERVER_H_
