#include "tests/cli/cli_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "services/pki/dev_pki.h"

extern char** environ;

namespace caregate::testing {
namespace {

namespace fs = std::filesystem;

}  // namespace

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

namespace {

std::vector<std::string> ChildEnvironment(
    const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.rfind("CAREGATE_PROFILE=", 0) == 0 ||
        entry.rfind("CAREGATE_GATEWAY=", 0) == 0) {
      continue;
    }
    env.emplace_back(entry);
  }
  for (const auto& [key, value] : extra) env.push_back(key + "=" + value);
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Spawns `argv` with stdout and stderr to the given files; -1 on failure.
pid_t Spawn(std::vector<std::string> argv, std::vector<std::string> env,
            const std::string& out_path, const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(),
                       c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class CliGatewayEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { CliGateway::Get().Start(); }
  void TearDown() override { CliGateway::Get().Stop(); }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new CliGatewayEnvironment);

}  // namespace

pid_t SpawnLogged(std::vector<std::string> argv, const std::string& log_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> env = ChildEnvironment({});
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(),
                       c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

CtlResult RunCtl(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env) {
  static std::atomic<int> counter = 0;
  const std::string base =
      absl::StrCat(::testing::TempDir(), "/ctl_", getpid(), "_", counter++);
  std::vector<std::string> argv = {CAREGATECTL_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  CtlResult result;
  pid_t pid = Spawn(argv, ChildEnvironment(env), base + ".out", base + ".err");
  if (pid < 0) {
    ADD_FAILURE() << "cannot start " << CAREGATECTL_BIN;
    return result;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) result.code = WEXITSTATUS(status);
  result.out = Slurp(base + ".out");
  result.err = Slurp(base + ".err");
  fs::remove(base + ".out");
  fs::remove(base + ".err");
  return result;
}

CliGateway& CliGateway::Get() {
  static CliGateway* gateway = new CliGateway();
  return *gateway;
}

void CliGateway::Start() {
  if (Prepare()) Launch();
}

bool CliGateway::Prepare() {
  dir_ = absl::StrCat(::testing::TempDir(), "/caregate_", name_, "_", getpid());
  fs::remove_all(dir_);
  address_ = absl::StrCat("127.0.0.1:", FreePort());
  pki::DevInitOptions options;
  options.dir = dir_;
  options.listen = address_;
  options.push_endpoints = push_endpoints_;
  auto files = pki::RunDevInit(options);
  if (!files.ok()) {
    ADD_FAILURE() << "dev-init: " << files.status();
    return false;
  }
  if (!extra_config_.empty()) {
    std::ofstream(dir_ + "/caregate.textproto", std::ios::app)
        << "\n"
        << extra_config_ << "\n";
  }
  fs::create_directories(dir_ + "/scratch");
  return true;
}

void CliGateway::Restart() {
  StopKeepingData();
  Launch();
}

void CliGateway::Launch() {
  pid_ = Spawn({CAREGATED_BIN, "--config", dir_ + "/caregate.textproto"},
               ChildEnvironment({}), dir_ + "/caregated.log",
               dir_ + "/caregated.log");
  if (pid_ < 0) {
    ADD_FAILURE() << "cannot start " << CAREGATED_BIN;
    return;
  }
  // Bounded: each try waits at most a second for the gateway to serve.
  for (int attempt = 0; attempt < 30; ++attempt) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "caregated exited: " << Slurp(dir_ + "/caregated.log");
      return;
    }
    if (As("gateway-admin", {"health", "--wait", "1s"}).code == 0) return;
  }
  ADD_FAILURE() << "caregated did not become healthy: "
                << Slurp(dir_ + "/caregated.log");
}

std::pair<int, std::string> CliGateway::LaunchExpectingExit() {
  const std::string log = dir_ + "/caregated-refused.log";
  const pid_t pid =
      Spawn({CAREGATED_BIN, "--config", dir_ + "/caregate.textproto"},
            ChildEnvironment({}), log, log);
  if (pid < 0) return {-1, "cannot start caregated"};
  for (int i = 0; i < 300; ++i) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(log)};
    }
    usleep(100 * 1000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return {-1, Slurp(log)};
}

void CliGateway::Stop() {
  StopKeepingData();
  if (!dir_.empty()) fs::remove_all(dir_);
}

void CliGateway::StopKeepingData() { EndWith(SIGTERM); }

void CliGateway::Kill() { EndWith(SIGKILL); }

void CliGateway::EndWith(int signal) {
  const pid_t pid = pid_.exchange(-1);
  if (pid > 0) {
    kill(pid, signal);
    waitpid(pid, nullptr, 0);
  }
}

std::string CliGateway::Profile(const std::string& principal) const {
  return dir_ + "/pki/" + principal;
}

std::string CliGateway::PublicKeyPath() const {
  return dir_ + "/keys/audit-signing.pub.pem";
}

std::string CliGateway::DbPath() const { return dir_ + "/data/caregate.db"; }

CtlResult CliGateway::As(const std::string& principal,
                         std::vector<std::string> args) const {
  args.push_back("--profile");
  args.push_back(Profile(principal));
  return RunCtl(args);
}

std::string CliGateway::WriteFile(const std::string& name,
                                  const std::string& content) const {
  const std::string path = dir_ + "/scratch/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  return path;
}

std::string CliGateway::ReadFile(const std::string& path) const {
  return Slurp(path);
}

std::string NewPatientId() {
  static std::atomic<int> counter = 0;
  return absl::StrCat("p-", 2000 + counter++);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines =
      absl::StrSplit(text, '\n', absl::SkipEmpty());
  return lines;
}

std::string FieldValue(const std::string& text, const std::string& key) {
  for (const std::string& line : Lines(text)) {
    if (line.rfind(key + " ", 0) != 0) continue;
    std::string_view rest = std::string_view(line).substr(key.size());
    const size_t start = rest.find_first_not_of(' ');
    return start == std::string_view::npos ? ""
                                           : std::string(rest.substr(start));
  }
  return "";
}

bool ParseJson(const std::string& line, google::protobuf::Message* message) {
  auto status = google::protobuf::util::JsonStringToMessage(line, message);
  EXPECT_TRUE(status.ok()) << "not " << message->GetTypeName()
                           << " JSON: " << line;
  return status.ok();
}

}  // namespace caregate::testing
