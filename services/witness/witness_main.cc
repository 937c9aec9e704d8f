// caregate-witness: a C2SP tlog-witness for caregate's audit log (and any
// log that speaks the protocol). See `caregate-witness --help`.
#include <csignal>
#include <cstdio>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "services/witness/witness.h"
#include "services/witness/witness_flags.h"
#include "services/witness/witness_server.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "caregate-witness: %s\n",
               std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::StatusOr<caregate::witness::WitnessFlags> flags =
      caregate::witness::ParseWitnessFlags(
          absl::MakeConstSpan(argv + 1, argc - 1));
  if (!flags.ok()) {
    std::fprintf(stderr, "caregate-witness: %s (see --help)\n",
                 std::string(flags.status().message()).c_str());
    return 2;
  }
  if (flags->help) {
    std::fputs(caregate::witness::WitnessUsage().c_str(), stdout);
    return 0;
  }
  // Block the stop signals before any thread exists, so every thread
  // inherits the mask and one thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  spdlog::set_default_logger(spdlog::stderr_logger_mt("caregate-witness"));

  caregate::witness::WitnessOptions options;
  options.state_dir = flags->state_dir;
  options.name = flags->name;
  options.log_keys = flags->log_keys;
  auto witness = caregate::witness::Witness::Open(options);
  if (!witness.ok()) return Fail(witness.status());
  auto server =
      caregate::witness::WitnessServer::Bind(witness->get(), flags->listen);
  if (!server.ok()) return Fail(server.status());

  // The contract: the verifier key is the first line on stdout, printed once
  // the port is bound (so a reader of that line can connect).
  std::printf("%s\n", (*witness)->verifier_key().c_str());
  std::fflush(stdout);
  spdlog::info("{} witness {} on port {} ({} log key(s)); state in {}",
               (*witness)->created() ? "created" : "loaded", (*witness)->name(),
               (*server)->port(), flags->log_keys.size(), flags->state_dir);

  std::thread stopper([&stop_signals, s = server->get()] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    spdlog::info("received signal {}, stopping", signal);
    s->Stop();
  });
  absl::Status served = (*server)->Serve();
  if (!served.ok()) {
    stopper.detach();  // still waiting for a signal; the process ends
    return Fail(served);
  }
  // Serve() returns once the stopper's Stop() has begun: the server is
  // destroyed only after that call has returned.
  stopper.join();
  return 0;
}
