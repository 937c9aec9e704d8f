// caregated: the caregate gateway. Serves caregate.v1 over mTLS until SIGTERM
// or SIGINT, then shuts down gracefully (exit 0). Its watchdog probes it; when
// it has not been serving for network.watchdog_failure_limit it shuts down
// and exits with status 3, so that its supervisor restarts it.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <optional>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/synchronization/mutex.h"
#include "services/common/thread_name.h"
#include "services/config/gateway_config.h"
#include "services/gateway/gateway.h"
#include "services/gateway/open_file_limit.h"
#include "services/gateway/systemd_notifier.h"
#include "services/gateway/tls_probe.h"
#include "services/gateway/watchdog.h"
#include "services/rpc/json_log.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, config, "",
          "Path of the gateway configuration (protobuf text format), e.g. "
          "DIR/caregate.textproto from `caregatectl dev-init DIR`.");
ABSL_FLAG(std::string, testing_watchdog_probe_address, "",
          "For tests only: the watchdog probes this host:port instead of the "
          "gateway's own address.");

namespace {

// The exit status after the watchdog found the gateway not serving.
constexpr int kWatchdogExitCode = 3;

// The first reason to stop (a signal, the watchdog) and the exit status it
// asks for. Thread-safe.
class StopRequest {
 public:
  void Request(int exit_code) {
    absl::MutexLock lock(&mu_);
    if (!exit_code_.has_value()) exit_code_ = exit_code;
  }
  int Wait() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](std::optional<int>* code) { return code->has_value(); },
        &exit_code_));
    return *exit_code_;
  }

 private:
  absl::Mutex mu_;
  std::optional<int> exit_code_ ABSL_GUARDED_BY(mu_);
};

std::unique_ptr<caregate::Watchdog> StartWatchdog(
    const caregate::GatewayConfig& config, const caregate::Gateway& gateway,
    const caregate::SystemdNotifier* notifier, StopRequest* stop) {
  const caregate::NetworkSettings& network = config.network();
  std::string target = absl::GetFlag(FLAGS_testing_watchdog_probe_address);
  if (target.empty()) target = gateway.local_address();
  const absl::Duration timeout =
      std::min(network.watchdog_interval, absl::Seconds(10));
  if (notifier->watchdog_timeout().has_value() &&
      network.watchdog_failure_limit + network.watchdog_interval >=
          *notifier->watchdog_timeout()) {
    spdlog::warn(
        "network.watchdog_failure_limit {} plus watchdog_interval {} reaches "
        "systemd's WatchdogSec {}: systemd will abort the gateway first",
        absl::FormatDuration(network.watchdog_failure_limit),
        absl::FormatDuration(network.watchdog_interval),
        absl::FormatDuration(*notifier->watchdog_timeout()));
  }
  caregate::Watchdog::Options options;
  options.probe = [target, timeout] {
    return caregate::ProbeTlsServer(target, timeout);
  };
  options.interval = network.watchdog_interval;
  options.failure_limit = network.watchdog_failure_limit;
  options.notifier = notifier;
  options.on_failure = [stop](const absl::Status&) {
    stop->Request(kWatchdogExitCode);
  };
  return caregate::Watchdog::Start(std::move(options));
}

// After the watchdog fired the gateway may be wedged: give the graceful
// shutdown its grace period and a little more, then exit regardless.
void ExitAfter(absl::Duration limit, int exit_code) {
  std::thread([limit, exit_code] {
    absl::SleepFor(limit);
    std::fprintf(stderr, "caregated: shutdown took over %s; exiting\n",
                 absl::FormatDuration(limit).c_str());
    _exit(exit_code);
  }).detach();
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "caregated --config FILE\n\n"
      "The caregate consent-gated care-coordination gateway. Serves the\n"
      "caregate.v1 API over mutual TLS on the configured address until\n"
      "SIGTERM or SIGINT. Logs are JSON lines on stderr. Exits 3 when its\n"
      "watchdog finds it no longer serving.\n\n"
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
  // The connection cap is derived from the open file limit: use all of it.
  const absl::StatusOr<int64_t> file_limit = caregate::RaiseOpenFileLimit();
  caregate::InstallBatchedJsonStderrLogger();
  caregate::RouteLibraryLogsToSpdlog();
  // Write the buffered log lines on every return.
  struct FlushLogsOnExit {
    ~FlushLogsOnExit() { spdlog::shutdown(); }
  } flush_logs_on_exit;
  if (!file_limit.ok()) {
    spdlog::warn("open file limit not raised: {}",
                 std::string(file_limit.status().message()));
  }
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
  auto notifier = caregate::SystemdNotifier::FromEnvironment();
  if (!notifier.ok()) {
    std::fprintf(stderr, "caregated: %s\n",
                 std::string(notifier.status().message()).c_str());
    return 1;
  }

  auto gateway = caregate::Gateway::Start(*config, {});
  if (!gateway.ok()) {
    std::fprintf(stderr, "caregated: %s\n",
                 std::string(gateway.status().message()).c_str());
    return 1;
  }
  StopRequest stop;
  std::thread([&stop_signals, &stop] {
    caregate::SetCurrentThreadName("signal-wait");
    int signal = 0;
    sigwait(&stop_signals, &signal);
    spdlog::info("received signal {}", signal);
    stop.Request(0);
  }).detach();
  std::unique_ptr<caregate::Watchdog> watchdog =
      StartWatchdog(**config, **gateway, notifier->get(), &stop);

  const int exit_code = stop.Wait();
  watchdog.reset();
  (*notifier)->Notify("STOPPING=1").IgnoreError();
  if (exit_code != 0) {
    ExitAfter((*config)->shutdown_grace() + absl::Seconds(5), exit_code);
  }
  (*gateway)->Shutdown();
  gateway->reset();
  return exit_code;
}
