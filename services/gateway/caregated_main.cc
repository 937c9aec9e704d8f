// caregated: the caregate gateway. Serves caregate.v1 over mTLS until SIGTERM
// or SIGINT, then shuts down gracefully.
#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/synchronization/mutex.h"
#include "services/config/gateway_config.h"
#include "services/gateway/gateway.h"
#include "services/rpc/json_log.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, config, "",
          "Path of the gateway configuration (protobuf text format), e.g. "
          "DIR/caregate.textproto from `caregatectl dev-init DIR`.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "caregated --config FILE\n\n"
      "The caregate consent-gated care-coordination gateway. Serves the\n"
      "caregate.v1 API over mutual TLS on the configured address until\n"
      "SIGTERM or SIGINT. Logs are JSON lines on stderr.\n\n"
      "Example:\n  caregatectl dev-init ./dev && caregated --config "
      "./dev/caregate.textproto");
  absl::ParseCommandLine(argc, argv);
  // Allocations of 256 KiB and more (request and message buffers) are
  // mapped and unmapped on their own, so memory a burst of large messages
  // used goes back to the system instead of staying in malloc's heap; a
  // fixed threshold also stops glibc from raising it after such a burst.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  // Debian builds Abseil with Mutex deadlock detection on, which records a
  // lock graph and a stack trace on every lock. The tests keep it on; the
  // gateway's hot paths cannot afford it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Block the stop signals before any thread exists (the log thread, gRPC's),
  // so every thread inherits the mask; one thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  caregate::InstallBatchedJsonStderrLogger();
  caregate::RouteLibraryLogsToSpdlog();
  // Write the buffered log lines on every return.
  struct FlushLogsOnExit {
    ~FlushLogsOnExit() { spdlog::shutdown(); }
  } flush_logs_on_exit;
  const std::string path = absl::GetFlag(FLAGS_config);
  if (path.empty()) {
    std::fprintf(stderr, "caregated: --config FILE is required (see --help)\n");
    return 2;
  }
  auto config = caregate::GatewayConfig::LoadFile(path);
  if (!config.ok()) {
    std::fprintf(stderr, "caregated: %s\n",
                 std::string(config.status().message()).c_str());
    return 1;
  }

  auto gateway = caregate::Gateway::Start(*config, {});
  if (!gateway.ok()) {
    std::fprintf(stderr, "caregated: %s\n",
                 std::string(gateway.status().message()).c_str());
    return 1;
  }
  std::thread([&stop_signals, g = gateway->get()] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    spdlog::info("received signal {}", signal);
    g->Shutdown();
  }).detach();
  (*gateway)->Wait();
  gateway->reset();
  return 0;
}
