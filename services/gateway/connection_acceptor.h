// The gateway's listening sockets and the thread that accepts connections on
// them, in place of gRPC's own accept loop: gRPC 1.51 stops accepting for good
// once accept4 fails with EMFILE (grpc/grpc#16058, #20418), so a flood of
// idle connections used to wedge the gateway until restart.
//
// Each accepted connection (non-blocking, close-on-exec, TCP_NODELAY) goes to
// the handler, which owns it from then on, unless its descriptor number is at
// or above the cap, or its peer has already closed it: then it is closed at
// once (open_file_limit.h explains why the cap bounds the open files in
// O(1)). When accept fails for lack of files (EMFILE, ENFILE) the acceptor
// closes a descriptor it keeps in reserve, accepts one pending connection
// with it and closes that, and resumes after a 10 ms pause: accepting never
// stops before Stop(). Refusals and accept errors are logged with counts at
// most every 10 s.
//
// Listen() binds without SO_REUSEPORT, so a second gateway on the same
// address fails to start, and with SO_REUSEADDR, so a restart need not wait
// for TIME_WAIT. Thread-safe.
#ifndef CAREGATE_SERVICES_GATEWAY_CONNECTION_ACCEPTOR_H_
#define CAREGATE_SERVICES_GATEWAY_CONNECTION_ACCEPTOR_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/gateway/socket_address.h"

namespace caregate {

class ConnectionAcceptor {
 public:
  // Runs on the accept thread with the listening and the accepted
  // descriptor; takes ownership of `fd` and must not block.
  using Handler = std::function<void(int listen_fd, int fd)>;

  struct Counters {
    uint64_t handed_over = 0;
    // Closed at once: descriptor at or above the cap.
    uint64_t refused_at_cap = 0;
    // Accepted through the reserve descriptor and closed (EMFILE, ENFILE).
    uint64_t shed_without_files = 0;
    // Closed at once: the peer had already closed or reset it.
    uint64_t gone_before_accept = 0;
  };

  // Binds and listens on every address of `address` (host:port, see
  // socket_address.h); a wildcard host (0.0.0.0 or [::]) serves IPv6 and
  // IPv4 on every interface. Connections numbered `fd_cap` or above are
  // refused. INVALID_ARGUMENT for a malformed address; UNAVAILABLE naming the
  // address and the error when nothing could be bound; INTERNAL when the
  // reserve descriptor or the wake-up event cannot be made.
  static absl::StatusOr<std::unique_ptr<ConnectionAcceptor>> Listen(
      std::string_view address, int fd_cap);
  ~ConnectionAcceptor();  // Stop()
  ConnectionAcceptor(const ConnectionAcceptor&) = delete;
  ConnectionAcceptor& operator=(const ConnectionAcceptor&) = delete;

  // The bound TCP port (the same on every listening socket).
  int port() const { return port_; }
  // Where a client on this host reaches the gateway: the first bound address,
  // 127.0.0.1 for a wildcard.
  std::string LocalAddress() const;

  // Starts the accept thread. Call at most once, before Stop().
  void Start(Handler handler);
  // Stops accepting, waits for the accept thread and closes the listening
  // sockets; pending connections are reset by the kernel. Connections already
  // handed over are untouched. Idempotent.
  void Stop();

  Counters counters() const;

 private:
  ConnectionAcceptor() = default;
  absl::Status Bind(const SocketAddress& address);
  void Run();
  // Accepts what `listen_fd` has pending (at most a batch); returns how long
  // to pause before accepting again.
  absl::Duration AcceptPending(int listen_fd);
  void Admit(int listen_fd, int fd);
  void ShedOne(int listen_fd);
  void LogNow(bool force);

  std::vector<int> listen_fds_;
  std::vector<SocketAddress> bound_;
  int port_ = 0;
  int fd_cap_ = 0;
  int wake_fd_ = -1;
  int reserve_fd_ = -1;  // Accept thread only (after Start).
  Handler handler_;
  std::thread thread_;
  absl::Mutex stop_mu_;
  bool stopped_ ABSL_GUARDED_BY(stop_mu_) = false;

  std::atomic<uint64_t> handed_over_{0};
  std::atomic<uint64_t> refused_at_cap_{0};
  std::atomic<uint64_t> shed_without_files_{0};
  std::atomic<uint64_t> gone_before_accept_{0};
  // Accept thread only: what the next log line reports.
  struct Unlogged {
    uint64_t refused_at_cap = 0;
    uint64_t shed_without_files = 0;
    uint64_t errors = 0;
    int last_errno = 0;
    absl::Time last_line = absl::InfinitePast();
  } unlogged_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_GATEWAY_CONNECTION_ACCEPTOR_H_
