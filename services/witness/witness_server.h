// WitnessServer: serves a Witness over plain HTTP (cpp-httplib).
//
//   POST /add-checkpoint                  C2SP tlog-witness add-checkpoint
//   GET  /<hex SHA-256(origin)>/checkpoint  the latest cosigned checkpoint of
//                                          that origin (the tlog-witness
//                                          monitoring endpoint), 404 if none
//
// Replies: 200 with the cosignature line(s), or the refusal's status code
// (witness_protocol.h) with a one-line text/plain reason; 409 carries the
// recorded size as text/x.tlog.size. Request bodies are limited to
// kMaxRequestBytes (413 beyond), and connections to timeouts. A reverse
// proxy can add TLS; the protocol needs none (cosignatures are
// self-authenticating and checkpoints are public).
//
// Bind() then Serve() (blocks) from one thread; Stop() from any thread, at
// any time (before, during or after Serve(); Serve() then returns or does
// not start). The listening socket is open from Bind() until the server
// is stopped or destroyed.
// Every request is logged (method, path, status, reason) on the default
// spdlog logger; checkpoints hold no personal data.
#ifndef CAREGATE_SERVICES_WITNESS_WITNESS_SERVER_H_
#define CAREGATE_SERVICES_WITNESS_WITNESS_SERVER_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/witness/witness.h"

namespace httplib {
class Server;
}

namespace caregate::witness {

inline constexpr size_t kMaxRequestBytes = 64 * 1024;

class WitnessServer {
 public:
  // Binds `listen` ("host:port", "[ipv6]:port"; port 0 picks a free one).
  // INVALID_ARGUMENT for a malformed address, UNAVAILABLE when it cannot be
  // bound. `witness` must outlive the server.
  static absl::StatusOr<std::unique_ptr<WitnessServer>> Bind(
      Witness* witness, std::string_view listen);
  ~WitnessServer();

  int port() const { return port_; }
  // Serves until Stop(). UNAVAILABLE if the accept loop fails.
  absl::Status Serve();
  void Stop();

 private:
  WitnessServer(std::unique_ptr<httplib::Server> server, int port);
  // Runs httplib's accept loop; returns its result.
  bool RunAcceptLoop();
  // Stops the accept loop once it runs (returns if it has ended).
  void StopAcceptLoop();

  const std::unique_ptr<httplib::Server> server_;
  const int port_;
  absl::Mutex mu_;
  bool stop_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  bool served_ ABSL_GUARDED_BY(mu_) = false;
};

// Splits "host:port" / "[v6]:port"; INVALID_ARGUMENT when malformed.
absl::StatusOr<std::pair<std::string, int>> ParseListenAddress(
    std::string_view listen);

}  // namespace caregate::witness

#endif  // CAREGATE_SERVICES_WITNESS_WITNESS_SERVER_H_
