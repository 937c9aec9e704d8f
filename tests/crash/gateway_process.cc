#include "tests/crash/gateway_process.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/crash/child_process.h"

namespace caregate::crash {
namespace {

// Ports below this are left to well-known services.
constexpr int kMinPort = 20000;

// Every principal of the dev sample directory the driver acts as.
constexpr const char* kPrincipals[] = {
    "dr-rivera",
    "dr-novak",
    "core-pelvic-pt-inbox",
    "lakeside-obgyn-inbox",
    "compliance-officer",
};

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The lower bound of the kernel's ephemeral port range (32768 by default).
int EphemeralLow() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  if (!(in >> low) || low <= kMinPort + 1000) return 32768;
  return low;
}

bool CanBind(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok =
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

// Below the ephemeral range: while the gateway is down between a kill and
// its restart, no other process's port-0 listener or outgoing connection can
// take it.
absl::StatusOr<int> PickFreePort() {
  const int high = EphemeralLow() - 1;
  std::mt19937 rng(std::random_device{}());
  for (int i = 0; i < 100; ++i) {
    const int port = kMinPort + static_cast<int>(rng() % (high - kMinPort));
    if (CanBind(port)) return port;
  }
  return absl::UnavailableError(
      "no free 127.0.0.1 port below the ephemeral range");
}

absl::StatusOr<DevSetup> DevSetup::Create(
    const std::string& caregatectl, const std::string& dir,
    const std::vector<std::string>& extra_args) {
  DevSetup setup;
  setup.dir_ = dir;
  absl::StatusOr<int> port = PickFreePort();
  if (!port.ok()) return port.status();
  setup.port_ = *port;
  std::vector<std::string> argv = {caregatectl, "dev-init", dir, "--listen",
                                   absl::StrCat("127.0.0.1:", setup.port_)};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  absl::Status init = RunChild(argv, dir + ".dev-init.log", absl::Seconds(60));
  if (!init.ok()) return init;
  absl::StatusOr<std::string> ca = ReadFile(dir + "/pki/ca.crt");
  if (!ca.ok()) return ca.status();
  setup.ca_pem_ = *ca;
  for (const char* principal : kPrincipals) {
    const std::string base = absl::StrCat(dir, "/pki/", principal);
    absl::StatusOr<std::string> cert = ReadFile(base + ".crt");
    absl::StatusOr<std::string> key = ReadFile(base + ".key");
    if (!cert.ok()) return cert.status();
    if (!key.ok()) return key.status();
    setup.cert_and_key_[principal] = {*cert, *key};
  }
  return setup;
}

std::shared_ptr<grpc::Channel> DevSetup::Channel(
    const std::string& principal_id) const {
  return ChannelTo(port_, principal_id);
}

std::shared_ptr<grpc::Channel> DevSetup::ChannelTo(
    int port, const std::string& principal_id) const {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ca_pem_;
  const auto it = cert_and_key_.find(principal_id);
  if (it != cert_and_key_.end()) {
    options.pem_cert_chain = it->second.first;
    options.pem_private_key = it->second.second;
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // Reconnect soon after a restart. GRPC_ARG_MIN_RECONNECT_BACKOFF_MS stays
  // at its default: it is also the connect (TCP + TLS handshake) timeout,
  // which must hold on a loaded machine.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::SslCredentials(options), args);
}

GatewayProcess::GatewayProcess(std::string caregated, const DevSetup* setup)
    : binary_(std::move(caregated)), setup_(setup) {}

GatewayProcess::~GatewayProcess() {
  if (running()) Kill().IgnoreError();
}

absl::Status GatewayProcess::Spawn(const SpawnOptions& options,
                                   const std::vector<std::string>& extra_args) {
  if (running()) return absl::FailedPreconditionError("gateway already runs");
  std::vector<std::string> argv = {binary_, "--config", setup_->config_path()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  absl::StatusOr<pid_t> pid = SpawnChild(argv, log_path(), options);
  if (!pid.ok()) return pid.status();
  pid_ = *pid;
  ++starts_;
  return absl::OkStatus();
}

absl::Status GatewayProcess::WaitServing(absl::Duration timeout) {
  auto stub =
      grpc::health::v1::Health::NewStub(setup_->Channel("compliance-officer"));
  constexpr absl::Duration kTry = absl::Milliseconds(250);
  const int tries = std::max<int64_t>(1, timeout / kTry);
  for (int i = 0; i < tries; ++i) {
    if (!running()) return absl::FailedPreconditionError("gateway not started");
    absl::StatusOr<std::optional<int>> exited = PollChild(pid_);
    if (!exited.ok()) return exited.status();
    if (exited->has_value()) {
      pid_ = -1;
      return absl::InternalError(absl::StrCat(
          "caregated exited during startup: ", DescribeWaitStatus(**exited),
          " (log: ", log_path(), ")"));
    }
    grpc::ClientContext ctx;
    ctx.set_wait_for_ready(true);
    ctx.set_deadline(std::chrono::system_clock::now() +
                     absl::ToChronoMilliseconds(kTry));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = stub->Check(&ctx, request, &response);
    if (status.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::OkStatus();
    }
  }
  return absl::DeadlineExceededError(
      absl::StrCat("caregated not SERVING within ",
                   absl::FormatDuration(timeout), " (log: ", log_path(), ")"));
}

absl::Status GatewayProcess::Kill() {
  if (!running()) return absl::FailedPreconditionError("gateway not running");
  if (kill(pid_, SIGKILL) != 0) {
    return absl::InternalError(absl::StrCat("kill: ", std::strerror(errno)));
  }
  absl::StatusOr<int> status = WaitChild(pid_, absl::Seconds(30));
  if (!status.ok()) return status.status();
  pid_ = -1;
  return absl::OkStatus();
}

absl::StatusOr<int> GatewayProcess::WaitExit(absl::Duration timeout) {
  if (!running()) return absl::FailedPreconditionError("gateway not running");
  absl::StatusOr<int> status = WaitChild(pid_, timeout);
  if (status.ok()) pid_ = -1;
  return status;
}

absl::Status GatewayProcess::BeginStop() {
  if (!running()) return absl::FailedPreconditionError("gateway not running");
  if (kill(pid_, SIGTERM) != 0) {
    return absl::InternalError(absl::StrCat("kill: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status GatewayProcess::Stop(absl::Duration grace) {
  if (!running()) return absl::FailedPreconditionError("gateway not running");
  kill(pid_, SIGTERM);
  absl::StatusOr<int> status = WaitChild(pid_, grace);
  if (!status.ok()) {
    Kill().IgnoreError();
    return absl::DeadlineExceededError(absl::StrCat(
        "caregated ignored SIGTERM for ", absl::FormatDuration(grace)));
  }
  pid_ = -1;
  if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat("caregated stopped with ", DescribeWaitStatus(*status)));
}

}  // namespace caregate::crash
