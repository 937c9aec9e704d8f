// The assembled gateway: store, keys, consent index, ledger and the four
// caregate.v1 services behind one mTLS gRPC server, plus gRPC health checking
// and server reflection.
//
// The gateway owns its listening socket and accept loop (ConnectionAcceptor)
// and hands connections to gRPC: connections beyond network.max_connections
// open files are closed at once, a connection that has not finished the TLS
// handshake within network.handshake_timeout is closed, and running out of
// files never stops accepting.
//
// Start() fails fast with a message naming what is wrong (an unreadable key
// file, a store that cannot be opened, an address that cannot be bound).
// Shutdown() is graceful: the server stops accepting, in-flight calls get up
// to the configured grace period, queued writes commit, a final checkpoint is
// signed and the store is closed. Thread-safe.
#ifndef CAREGATE_SERVICES_GATEWAY_GATEWAY_H_
#define CAREGATE_SERVICES_GATEWAY_GATEWAY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/common/clock.h"
#include "services/config/gateway_config.h"

namespace caregate {

class Gateway {
 public:
  struct Options {
    // Time source for decisions and audit events.
    const Clock* clock = RealClock::Get();
    // Listen here instead of the configured address (tests use
    // "127.0.0.1:0").
    std::string listen_address_override;
    // Threads for blocking store reads.
    int executor_threads = 2;
  };

  static absl::StatusOr<std::unique_ptr<Gateway>> Start(
      std::shared_ptr<const GatewayConfig> config, Options options);
  ~Gateway();

  // The TCP port the server listens on.
  int port() const { return port_; }
  // Where a client on this host reaches the server ("127.0.0.1:7443"), for
  // the watchdog's probe.
  const std::string& local_address() const { return local_address_; }
  // Idempotent.
  void Shutdown();
  // Blocks until Shutdown() has completed.
  void Wait();

 private:
  struct Parts;
  Gateway() = default;

  std::unique_ptr<Parts> parts_;
  int port_ = 0;
  std::string local_address_;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_GATEWAY_GATEWAY_H_
