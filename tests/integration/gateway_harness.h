// Starts the real gateway for integration tests: a fresh dev setup (written
// by the same code as `caregatectl dev-init`) in a temp directory, real mTLS
// on 127.0.0.1 with an ephemeral port, a real SQLite file, and a FakeClock the
// test controls. Not thread-safe; one per test.
#ifndef CAREGATE_TESTS_INTEGRATION_GATEWAY_HARNESS_H_
#define CAREGATE_TESTS_INTEGRATION_GATEWAY_HARNESS_H_

#include <functional>
#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"
#include "services/common/clock.h"
#include "services/config/gateway_config.h"
#include "services/gateway/gateway.h"
#include "spdlog/logger.h"

namespace caregate::testing {

class GatewayHarness {
 public:
  // Writes the dev setup, lets `edit_config` change the config text, and
  // starts the gateway; fails the test on error.
  explicit GatewayHarness(
      std::function<void(std::string&)> edit_config = nullptr);
  ~GatewayHarness();

  // A channel authenticated as `principal_id` (its dev certificate).
  std::shared_ptr<grpc::Channel> Channel(const std::string& principal_id) const;
  // A channel with explicit PEM credentials (empty cert/key: no client cert).
  std::shared_ptr<grpc::Channel> ChannelWith(const std::string& root_pem,
                                             const std::string& cert_pem,
                                             const std::string& key_pem) const;

  // Stops the gateway (graceful) and starts it again on the same data.
  void Restart();
  void Stop();

  FakeClock& clock() { return clock_; }
  const std::string& dir() const { return dir_; }
  std::string db_path() const { return dir_ + "/data/caregate.db"; }
  int port() const { return port_; }
  const GatewayConfig& config() const { return *config_; }
  std::string ReadFile(const std::string& relative) const;

 private:
  void StartGateway();

  std::string dir_;
  FakeClock clock_;
  std::shared_ptr<const GatewayConfig> config_;
  std::unique_ptr<Gateway> gateway_;
  int port_ = 0;
};

// Captures what the gateway logs through spdlog, formatted as caregated
// formats it (JSON lines, services/rpc/json_log.h), at every level. While
// alive it replaces spdlog's default logger; the destructor restores the
// previous one (spdlog's registry keeps the JSON format for loggers created
// later). Create it before the GatewayHarness whose output it captures.
// text() is thread-safe (the gateway's threads log while a test reads).
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Everything logged so far.
  std::string text() const;

 private:
  class Sink;
  std::shared_ptr<Sink> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

// Context with a deadline, for calls in tests.
std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 10);

}  // namespace caregate::testing

#endif  // CAREGATE_TESTS_INTEGRATION_GATEWAY_HARNESS_H_
