#include "services/console/console_command.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/console/console_api.h"
#include "services/console/console_auth.h"
#include "services/console/console_server.h"
#include "services/console/grpc_console_gateway.h"
#include "services/console/listen_address.h"
#include "services/ctl/connection.h"
#include "services/ctl/flags.h"
#include "services/ctl/output.h"

extern char** environ;

namespace caregate::console {
namespace {

constexpr std::string_view kProgram = "caregatectl console";

// The principal the console acts as, for its pages: the profile's (or the
// certificate's) file name without extension.
std::string PrincipalName(const ctl::ConnectionFlags& flags) {
  std::string path = ctl::EffectiveProfile(flags);
  if (path.empty()) path = flags.cert;
  return std::filesystem::path(path).stem().string();
}

// Starts `xdg-open url` detached (its output discarded) and reaps it on a
// detached thread; false when it could not be started.
bool OpenBrowser(const std::string& url) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null",
                                   O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null",
                                   O_WRONLY, 0);
  char program[] = "xdg-open";
  std::string arg = url;
  char* argv[] = {program, arg.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, program, &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  std::thread([pid] { waitpid(pid, nullptr, 0); }).detach();
  return true;
}

// Serves until SIGINT or SIGTERM. The signals are blocked in every thread
// (the server's workers inherit the mask) and taken by one waiter thread.
bool ServeUntilSignalled(ConsoleServer& server, const sigset_t& signals) {
  std::atomic<bool> served{false};
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    // Stop() before Run() has started is lost: repeat until Run() returned.
    while (!served) {
      server.Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const bool ok = server.Run();
  served = true;
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  return ok;
}

// Connects, serves on `listen` until a signal of `signals` (blocked by the
// caller) arrives, and returns the exit code.
int Serve(const LoopbackAddress& listen, const ctl::ConnectionFlags& flags,
          bool no_browser, const sigset_t& signals, ctl::CommandIo io) {
  absl::StatusOr<ctl::Connection> connection = ctl::Connect(flags);
  if (!connection.ok()) {
    return ctl::StatusError(kProgram, connection.status(), io);
  }
  const SessionInfo session{PrincipalName(flags), connection->target};
  GrpcConsoleGateway gateway(*std::move(connection));
  const ConsoleApi api(&gateway, session);
  absl::StatusOr<std::unique_ptr<ConsoleServer>> server =
      ConsoleServer::Create(listen, NewConsoleToken(), &api);
  if (!server.ok()) {
    return ctl::Failed(kProgram, std::string(server.status().message()), io);
  }
  const std::string url = (*server)->Url();
  io.out << "caregate console: " << url << std::endl;
  if (!no_browser && !OpenBrowser(url)) {
    io.err << "caregate console: could not start xdg-open; open the URL "
              "above in a browser\n";
  }
  if (!ServeUntilSignalled(**server, signals)) {
    return ctl::Failed(kProgram, "the web server stopped with an error", io);
  }
  return ctl::kExitOk;
}

}  // namespace

std::string_view ConsoleUsage() {
  static const auto* usage = new std::string(absl::StrCat(
      "usage: caregatectl console [--listen 127.0.0.1:PORT] [--no-browser]\n"
      "         --profile DIR/pki/PRINCIPAL\n"
      "\n"
      "Serves a web console for compliance staff on this machine: the audit\n"
      "log's verification and signed checkpoint, counts and charts for a\n"
      "period, the audit log with filters and paging, each event with its\n"
      "hash-chain link checked, a patient's consents, a printable accounting\n"
      "of disclosures (45 CFR 164.528), and exports (the verified JSON of\n"
      "`audit export`, and CSV). It calls the gateway over mTLS as the\n"
      "profile's principal, so the gateway's role rules and its audit of\n"
      "every read (AUDIT_ACCESSED) apply as for the other commands; what the\n"
      "gateway refuses, the page shows as refused.\n"
      "\n"
      "Prints one line, `caregate console: "
      "http://127.0.0.1:PORT/?token=TOKEN`,\n"
      "and opens it in the browser (xdg-open) unless --no-browser. Every\n"
      "request needs the token (random for each run): in the URL, or in the\n"
      "cookie the first visit sets. Stop it with Ctrl-C.\n"
      "\n"
      "flags:\n"
      "  --listen HOST:PORT  where to serve (default 127.0.0.1:0, a free\n"
      "                      port); loopback only: 127.0.0.0/8 or [::1]\n"
      "  --no-browser        only print the URL\n",
      AsAbsl(ctl::kConnectionFlagsHelp),
      "\nexamples:\n"
      "  caregatectl console --profile dev/pki/compliance-officer\n"
      "  caregatectl console --profile dev/pki/compliance-officer \\\n"
      "    --listen 127.0.0.1:8443 --no-browser\n"));
  return *usage;
}

int RunConsoleCommand(const std::vector<std::string>& args, ctl::CommandIo io) {
  ctl::FlagSet flags;
  ctl::ConnectionFlags connection_flags;
  std::string listen_text(kDefaultListen);
  bool no_browser = false;
  ctl::AddConnectionFlags(flags, &connection_flags);
  flags.AddString("listen", &listen_text);
  flags.AddBool("no-browser", &no_browser);
  absl::StatusOr<std::vector<std::string>> positionals = flags.Parse(args);
  if (!positionals.ok()) {
    return ctl::UsageError(kProgram,
                           std::string(positionals.status().message()), io);
  }
  if (!positionals->empty()) {
    return ctl::UsageError(
        kProgram,
        absl::StrCat("unexpected argument \"", (*positionals)[0], "\""), io);
  }
  absl::StatusOr<LoopbackAddress> listen = ParseLoopbackListen(listen_text);
  if (!listen.ok()) {
    return ctl::UsageError(kProgram, std::string(listen.status().message()),
                           io);
  }
  // Block the stop signals before any thread starts (gRPC's included), so
  // that only the waiter of ServeUntilSignalled takes them.
  sigset_t signals, previous;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, &previous);
  const int code = Serve(*listen, connection_flags, no_browser, signals, io);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return code;
}

}  // namespace caregate::console
