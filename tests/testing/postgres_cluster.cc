#include "tests/testing/postgres_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/crash/child_process.h"
#include "tests/testing/postgres_test_database.h"

namespace caregate::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kDebianBinDir[] = "/usr/lib/postgresql/15/bin";
constexpr absl::Duration kToolTimeout = absl::Seconds(120);
constexpr int kStartAttempts = 3;
constexpr absl::Duration kStandbyTimeout = absl::Seconds(60);

// Settings every test cluster gets; see the header.
constexpr std::pair<const char*, const char*> kTestSettings[] = {
    {"listen_addresses", "'127.0.0.1'"}, {"fsync", "off"},
    {"full_page_writes", "off"},         {"synchronous_commit", "on"},
    {"max_connections", "200"},          {"shared_buffers", "32MB"},
    {"log_min_messages", "warning"},
};

absl::Status Errno(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

bool IsExecutable(const fs::path& path) {
  return access(path.c_str(), X_OK) == 0;
}

absl::StatusOr<std::string> FindBinDir() {
  if (const char* dir = std::getenv("CAREGATE_PG_BIN_DIR"); dir && *dir) {
    return std::string(dir);
  }
  if (IsExecutable(fs::path(kDebianBinDir) / "initdb")) return kDebianBinDir;
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "", ':')) {
    if (!dir.empty() && IsExecutable(fs::path(std::string(dir)) / "initdb")) {
      return std::string(dir);
    }
  }
  return absl::FailedPreconditionError(
      absl::StrCat("PostgreSQL server binaries not found (", kDebianBinDir,
                   " or initdb on PATH): install the `postgresql` package "
                   "(scripts/install-deps.sh)"));
}

bool RunningAsRoot() { return geteuid() == 0; }

// A loopback TCP port that was free a moment ago.
absl::StatusOr<int> PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  const bool ok =
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  const int error = errno;
  close(fd);
  if (!ok) {
    errno = error;
    return Errno("pick a free port");
  }
  return ntohs(addr.sin_port);
}

fs::path TempBase() {
  // The socket path must stay under the 107 bytes of sun_path.
  const char* tmp = std::getenv("TMPDIR");
  if (tmp != nullptr && *tmp != '\0' && std::strlen(tmp) < 60) return tmp;
  return "/tmp";
}

// A fresh directory for the cluster, owned by whoever runs the server.
absl::StatusOr<std::string> MakeRootDir() {
  std::string pattern = (TempBase() / "caregate-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return Errno("mkdtemp");
  if (!RunningAsRoot()) return pattern;
  const passwd* pw = getpwnam("postgres");
  if (pw == nullptr) {
    fs::remove_all(pattern);
    return absl::FailedPreconditionError(
        "running as root, but there is no `postgres` user to run the server "
        "(install the `postgresql` package)");
  }
  if (chown(pattern.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    absl::Status status = Errno(absl::StrCat("chown ", pattern));
    fs::remove_all(pattern);
    return status;
  }
  return pattern;
}

std::string Tail(const fs::path& path, size_t max_bytes) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() <= max_bytes ? all : all.substr(all.size() - max_bytes);
}

struct ProcStat {
  char state = '?';
  pid_t ppid = 0;
};

// The state and parent of process `pid`, from /proc (nullopt when gone).
std::optional<ProcStat> ReadProcStat(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(paren + 1));
  ProcStat stat;
  if (!(fields >> stat.state >> stat.ppid)) return std::nullopt;
  return stat;
}

// The processes whose parent is `pid`.
std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> children;
  std::error_code error;
  for (const fs::directory_entry& entry :
       fs::directory_iterator("/proc", error)) {
    int child = 0;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &child)) continue;
    const std::optional<ProcStat> stat = ReadProcStat(child);
    if (stat.has_value() && stat->ppid == pid) children.push_back(child);
  }
  return children;
}

absl::StatusOr<std::map<std::string, std::string>> ReadStateFile(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cluster state file ", path));
  }
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  for (const char* key : {"root", "port", "bin_dir", "conninfo"}) {
    if (!values.contains(key)) {
      return absl::DataLossError(
          absl::StrCat("cluster state file ", path, ": no ", key));
    }
  }
  return values;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresCluster>> PostgresCluster::Start(
    const Options& options) {
  absl::StatusOr<std::string> bin_dir = FindBinDir();
  if (!bin_dir.ok()) return bin_dir.status();
  absl::StatusOr<std::string> root = MakeRootDir();
  if (!root.ok()) return root.status();
  auto cluster =
      std::unique_ptr<PostgresCluster>(new PostgresCluster(*bin_dir, *root, 0));
  if (absl::Status s = cluster->InitDb(options); !s.ok()) return s;
  if (absl::Status s = cluster->StartOnFreePort(); !s.ok()) return s;
  return cluster;
}

absl::StatusOr<std::unique_ptr<PostgresCluster>> PostgresCluster::StartStandby(
    const PostgresCluster& primary, const std::string& name,
    const Options& options) {
  absl::StatusOr<std::string> root = MakeRootDir();
  if (!root.ok()) return root.status();
  auto standby = std::unique_ptr<PostgresCluster>(
      new PostgresCluster(primary.bin_dir_, *root, 0));
  // -R writes standby.signal and primary_conninfo (with application_name)
  // into postgresql.auto.conf, as the server's user.
  absl::Status status = standby->RunTool(
      "pg_basebackup",
      {"-D", standby->data_dir(), "-d",
       absl::StrCat(primary.TcpConninfo(), " application_name=", name), "-R",
       "-X", "stream", "-c", "fast", "--no-sync"});
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat(
        status.message(), "\n", Tail(standby->root_ + "/tools.log", 2000)));
  }
  // The copied postgresql.conf names the primary's socket directory.
  std::vector<std::pair<std::string, std::string>> settings = {
      {"unix_socket_directories", absl::StrCat("'", standby->root_, "'")}};
  settings.insert(settings.end(), options.settings.begin(),
                  options.settings.end());
  if (absl::Status s = standby->AppendSettings(settings); !s.ok()) return s;
  if (absl::Status s = standby->StartOnFreePort(); !s.ok()) return s;

  // Streaming, and it has reported a flush position: from then on the
  // primary counts it as a synchronous standby if its settings name it.
  const std::string query = absl::StrCat(
      "SELECT state || CASE WHEN flush_lsn IS NULL THEN ', nothing flushed' "
      "ELSE '' END FROM pg_stat_replication WHERE application_name = '",
      name, "'");
  const absl::Time deadline = absl::Now() + kStandbyTimeout;
  absl::StatusOr<std::string> state;
  while (absl::Now() < deadline) {
    state = QueryText(primary.Conninfo() + " dbname=postgres", query);
    if (state.ok() && *state == "streaming") return standby;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("standby ", name, " not streaming after ",
                   absl::FormatDuration(kStandbyTimeout), ": ",
                   state.ok() ? absl::StrCat("state '", *state, "'")
                              : state.status().ToString(),
                   "\n", Tail(standby->root_ + "/server.log", 2000)));
}

absl::Status PostgresCluster::StartOnFreePort() {
  // Another process may take the port between the pick and the bind.
  absl::Status started;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    absl::StatusOr<int> port = PickFreePort();
    if (!port.ok()) return port.status();
    port_ = *port;
    started = StartServer();
    if (started.ok()) return started;
  }
  return started;
}

absl::StatusOr<std::unique_ptr<PostgresCluster>> PostgresCluster::Attach(
    const std::string& state_file) {
  auto values = ReadStateFile(state_file);
  if (!values.ok()) return values.status();
  int port = 0;
  if (!absl::SimpleAtoi((*values)["port"], &port)) {
    return absl::DataLossError(
        absl::StrCat("cluster state file ", state_file, ": bad port"));
  }
  auto cluster = std::unique_ptr<PostgresCluster>(
      new PostgresCluster((*values)["bin_dir"], (*values)["root"], port));
  cluster->running_ = true;
  return cluster;
}

PostgresCluster::~PostgresCluster() {
  if (!detached_) Stop().IgnoreError();
}

absl::Status PostgresCluster::RunTool(
    std::string_view name, const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  if (RunningAsRoot()) argv = {"/usr/sbin/runuser", "-u", "postgres", "--"};
  argv.push_back((fs::path(bin_dir_) / name).string());
  argv.insert(argv.end(), args.begin(), args.end());
  return crash::RunChild(argv, root_ + "/tools.log", kToolTimeout);
}

absl::Status PostgresCluster::InitDb(const Options& options) {
  absl::Status status = RunTool(
      "initdb", {"-D", data_dir(), "-U", "postgres", "-A", "trust", "-E",
                 "UTF8", "--locale=C", "--no-sync", "--no-instructions"});
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat(status.message(), "\n", Tail(root_ + "/tools.log", 2000)));
  }
  std::vector<std::pair<std::string, std::string>> settings = {
      {"unix_socket_directories", absl::StrCat("'", root_, "'")}};
  for (const auto& [name, value] : kTestSettings) {
    settings.emplace_back(name, value);
  }
  settings.insert(settings.end(), options.settings.begin(),
                  options.settings.end());
  return AppendSettings(settings);
}

absl::Status PostgresCluster::AppendSettings(
    const std::vector<std::pair<std::string, std::string>>& settings) const {
  // Appending keeps the file's owner (the server's user).
  std::ofstream conf(data_dir() + "/postgresql.conf", std::ios::app);
  conf << "\n# caregate test cluster\n";
  for (const auto& [name, value] : settings) {
    conf << name << " = " << value << "\n";
  }
  conf.close();
  if (!conf) return Errno("write postgresql.conf");
  return absl::OkStatus();
}

absl::Status PostgresCluster::StartServer() {
  const std::string log = root_ + "/server.log";
  absl::Status status =
      RunTool("pg_ctl", {"start", "-D", data_dir(), "-l", log, "-w", "-t", "60",
                         "-s", "-o", absl::StrCat("-p ", port_)});
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("start PostgreSQL on port ", port_,
                                            ": ", status.message(), "\n",
                                            Tail(log, 2000)));
  }
  running_ = true;
  return absl::OkStatus();
}

absl::Status PostgresCluster::Stop() {
  absl::Status status;
  if (running_) {
    status = RunTool("pg_ctl", {"stop", "-D", data_dir(), "-m", "immediate",
                                "-w", "-t", "60", "-s"});
    running_ = false;
  }
  std::error_code ignored;
  if (!root_.empty()) fs::remove_all(root_, ignored);
  root_.clear();
  return status;
}

absl::Status PostgresCluster::Kill() {
  if (!running_) return absl::FailedPreconditionError("server not running");
  std::ifstream pid_file(data_dir() + "/postmaster.pid");
  pid_t pid = 0;
  if (!(pid_file >> pid) || pid <= 1) {
    return absl::InternalError(
        absl::StrCat("no postmaster pid in ", data_dir(), "/postmaster.pid"));
  }
  // Each backend is in a session of its own, so no process group holds them
  // all. A stopped postmaster forks no new ones while they are killed.
  if (kill(pid, SIGSTOP) != 0) return Errno("stop postmaster");
  for (pid_t child : ChildrenOf(pid)) kill(child, SIGKILL);
  if (kill(pid, SIGKILL) != 0) return Errno("kill postmaster");
  running_ = false;
  // Not our child: gone once it is a zombie or has no /proc entry.
  const absl::Time deadline = absl::Now() + kToolTimeout;
  while (absl::Now() < deadline) {
    const std::optional<ProcStat> stat = ReadProcStat(pid);
    if (!stat.has_value() || stat->state == 'Z') return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(5));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("postmaster ", pid, " still alive after SIGKILL"));
}

absl::Status PostgresCluster::Promote() {
  if (!running_) return absl::FailedPreconditionError("server not running");
  absl::Status status =
      RunTool("pg_ctl", {"promote", "-D", data_dir(), "-w", "-t", "60", "-s"});
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("promote: ", status.message(), "\n",
                                            Tail(root_ + "/server.log", 2000)));
  }
  return absl::OkStatus();
}

std::string PostgresCluster::Conninfo() const {
  return absl::StrCat("host=", root_, " port=", port_, " user=postgres");
}

std::string PostgresCluster::TcpConninfo() const {
  return absl::StrCat("host=127.0.0.1 port=", port_, " user=postgres");
}

absl::Status PostgresCluster::WriteStateFile(const std::string& path) const {
  const fs::path dir = fs::path(path).parent_path();
  std::error_code error;
  if (!dir.empty()) fs::create_directories(dir, error);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "root=" << root_ << "\nport=" << port_ << "\nbin_dir=" << bin_dir_
        << "\nconninfo=" << Conninfo() << "\n";
    out.close();
    if (!out) return Errno(absl::StrCat("write ", tmp));
  }
  fs::rename(tmp, path, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("rename ", tmp, ": ", error.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ConninfoFromStateFile(const std::string& path) {
  auto values = ReadStateFile(path);
  if (!values.ok()) return values.status();
  return (*values)["conninfo"];
}

}  // namespace caregate::testing
