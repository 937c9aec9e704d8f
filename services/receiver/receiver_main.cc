// caregate-receiver: the reference CareReceiver a partner clinic runs in
// front of its own system (receiver_flags.cc has the usage text). Serves
// until SIGTERM or SIGINT. Exit status: 0 after a signal, 2 for a usage
// error, 1 when it cannot start.
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "services/receiver/receiver_flags.h"
#include "services/receiver/receiver_server.h"
#include "services/rpc/json_log.h"
#include "spdlog/spdlog.h"

namespace {

int Fail(int code, const absl::Status& status) {
  std::fprintf(stderr, "caregate-receiver: %s\n",
               std::string(status.message()).c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using caregate::care_receiver::ParseReceiverFlags;
  using caregate::care_receiver::ReceiverServer;
  auto command_line =
      ParseReceiverFlags(std::vector<std::string>(argv + 1, argv + argc));
  if (!command_line.ok()) return Fail(2, command_line.status());
  if (command_line->help) {
    std::fputs(caregate::care_receiver::ReceiverUsage().c_str(), stdout);
    return 0;
  }
  // Block the stop signals before any thread exists, so every thread
  // inherits the mask; one thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  caregate::InstallBatchedJsonStderrLogger();

  const auto& options = command_line->options;
  struct FlushLogsOnExit {
    ~FlushLogsOnExit() { spdlog::shutdown(); }
  } flush_logs_on_exit;
  auto server = ReceiverServer::Start(options);
  if (!server.ok()) {
    // A missing flag is a usage error; anything else a failure to start.
    const bool usage =
        server.status().code() == absl::StatusCode::kInvalidArgument &&
        server.status().message().substr(0, 2) == "--";
    return Fail(usage ? 2 : 1, server.status());
  }
  std::printf("caregate-receiver listening on %s, writing to %s\n",
              (*server)->address().c_str(), options.out_dir.c_str());
  std::fflush(stdout);
  std::thread stopper([&stop_signals, s = server->get()] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    spdlog::info("received signal {}, stopping", signal);
    s->Shutdown();
  });
  // Wait() returns once the stopper's Shutdown() has begun; the server is
  // destroyed only after that call has returned (destroying it while the
  // stopper was still inside Shutdown() raced on the server's executor).
  (*server)->Wait();
  stopper.join();
  server->reset();
  return 0;
}
