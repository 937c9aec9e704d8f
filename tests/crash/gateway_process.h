// The system under test for the crash-safety driver: a development setup
// written by the real `caregatectl dev-init` on a free 127.0.0.1 port, and
// the real `caregated` run on it as a child process that can be SIGKILLed and
// restarted on the same data.
//
// DevSetup is immutable after Create() and thread-safe; its channels may be
// shared by threads. GatewayProcess is not thread-safe: drive it from the
// main thread (see child_process.h). Errors are absl::Status with the
// failing step in the message.
#ifndef CAREGATE_TESTS_CRASH_GATEWAY_PROCESS_H_
#define CAREGATE_TESTS_CRASH_GATEWAY_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "tests/crash/child_process.h"

namespace caregate::crash {

// A port of 127.0.0.1 that is free now, below the ephemeral range.
absl::StatusOr<int> PickFreePort();

class DevSetup {
 public:
  // Runs `caregatectl dev-init DIR --listen 127.0.0.1:PORT [extra_args]`
  // with a port that was free a moment ago; DIR must not exist yet.
  static absl::StatusOr<DevSetup> Create(
      const std::string& caregatectl, const std::string& dir,
      const std::vector<std::string>& extra_args = {});

  const std::string& dir() const { return dir_; }
  int port() const { return port_; }
  std::string config_path() const { return dir_ + "/caregate.textproto"; }
  std::string db_path() const { return dir_ + "/data/caregate.db"; }

  // A new mTLS channel (its own connection) authenticated as `principal_id`,
  // reconnecting quickly after a restart.
  std::shared_ptr<grpc::Channel> Channel(const std::string& principal_id) const;
  // The same, to a gateway of this setup listening on 127.0.0.1:`port` (a
  // replica run with another config).
  std::shared_ptr<grpc::Channel> ChannelTo(
      int port, const std::string& principal_id) const;

 private:
  std::string dir_;
  int port_ = 0;
  std::string ca_pem_;
  std::map<std::string, std::pair<std::string, std::string>> cert_and_key_;
};

class GatewayProcess {
 public:
  GatewayProcess(std::string caregated, const DevSetup* setup);
  ~GatewayProcess();  // SIGKILLs a running gateway.
  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;

  // Starts `caregated --config ... [extra_args]`; logs go to
  // DIR/caregated.log.
  absl::Status Spawn(const SpawnOptions& options = {},
                     const std::vector<std::string>& extra_args = {});
  // Polls grpc.health.v1 (bounded tries) until SERVING; fails early when the
  // process exits.
  absl::Status WaitServing(absl::Duration timeout);
  // SIGKILL, then reaps it (also one that already exited).
  absl::Status Kill();
  // Sends SIGTERM and returns at once: a graceful shutdown begins.
  absl::Status BeginStop();
  // SIGTERM, then waits up to `grace`; OK only for exit status 0.
  absl::Status Stop(absl::Duration grace);

  // Waits up to `timeout` for the gateway to exit by itself and returns its
  // wait status; DEADLINE_EXCEEDED (still running) otherwise.
  absl::StatusOr<int> WaitExit(absl::Duration timeout);

  bool running() const { return pid_ > 0; }
  // The running gateway's process id (-1 when not running).
  pid_t pid() const { return pid_; }
  int starts() const { return starts_; }
  std::string log_path() const { return setup_->dir() + "/caregated.log"; }

 private:
  const std::string binary_;
  const DevSetup* const setup_;
  pid_t pid_ = -1;
  int starts_ = 0;
};

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_GATEWAY_PROCESS_H_
