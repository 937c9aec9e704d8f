#include "tests/replicas/replica_set.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/crash/child_process.h"

namespace caregate::replicas {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// Replaces the value of the first line starting with `key: "` .. `"`.
absl::Status ReplaceQuotedValue(std::string& text, const std::string& key,
                                const std::string& value) {
  const std::string start = absl::StrCat("\n", key, ": \"");
  const size_t at = text.find(start);
  if (at == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("no ", key, " in config"));
  }
  const size_t begin = at + start.size();
  const size_t end = text.find('"', begin);
  if (end == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("unterminated ", key));
  }
  text.replace(begin, end - begin, value);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ReplicaConfigText(const std::string& dev_config,
                                              int port,
                                              const std::string& conninfo) {
  std::string text = dev_config;
  absl::Status s = ReplaceQuotedValue(text, "listen_address",
                                      absl::StrCat("127.0.0.1:", port));
  if (!s.ok()) return s;
  const size_t storage = text.find("\nstorage {");
  const size_t sqlite =
      storage == std::string::npos ? storage : text.find("sqlite {", storage);
  const size_t close =
      sqlite == std::string::npos ? sqlite : text.find('}', sqlite);
  if (close == std::string::npos) {
    return absl::InvalidArgumentError(
        "no storage { sqlite { ... } } in config");
  }
  text.replace(sqlite, close + 1 - sqlite,
               absl::StrCat("postgres { conninfo: \"", conninfo, "\" }"));
  return text;
}

absl::StatusOr<std::unique_ptr<ReplicaSet>> ReplicaSet::Create(
    int replicas, const ReplicaOptions& options) {
  auto set = std::unique_ptr<ReplicaSet>(new ReplicaSet());
  if (!options.conninfo.empty()) {
    set->database_.conninfo = options.conninfo;
  } else {
    absl::StatusOr<testing::TestDatabase> database =
        testing::CreateTestDatabase();
    if (!database.ok()) return database.status();
    set->database_ = *std::move(database);
    set->database_created_ = true;
  }

  const std::string dir =
      absl::StrCat(::testing::TempDir(), "/replicas_", getpid(), "_",
                   absl::ToUnixMicros(absl::Now()));
  absl::StatusOr<crash::DevSetup> setup =
      crash::DevSetup::Create(CAREGATECTL_BIN, dir, options.dev_init_args);
  if (!setup.ok()) return setup.status();
  set->setup_ = std::make_unique<crash::DevSetup>(*std::move(setup));
  absl::StatusOr<std::string> dev_config = ReadFile(set->setup_->config_path());
  if (!dev_config.ok()) return dev_config.status();

  for (int i = 0; i < replicas; ++i) {
    Replica replica;
    absl::StatusOr<int> port = crash::PickFreePort();
    if (!port.ok()) return port.status();
    replica.port = *port;
    absl::StatusOr<std::string> text =
        ReplicaConfigText(*dev_config, replica.port, set->database_.conninfo);
    if (!text.ok()) return text.status();
    if (!options.extra_config.empty()) {
      absl::StrAppend(&*text, "\n", options.extra_config, "\n");
    }
    // Beside the dev config, so its relative paths resolve the same.
    replica.config_path = absl::StrCat(dir, "/replica-", i, ".textproto");
    absl::Status written = WriteFile(replica.config_path, *text);
    if (!written.ok()) return written;
    set->replicas_.push_back(replica);
  }
  return set;
}

ReplicaSet::~ReplicaSet() {
  for (Replica& replica : replicas_) {
    if (replica.pid <= 0) continue;
    kill(replica.pid, SIGKILL);
    crash::WaitChild(replica.pid, absl::Seconds(30)).IgnoreError();
  }
  if (database_created_) testing::DropTestDatabase(database_).IgnoreError();
}

std::string ReplicaSet::log_path(int i) const {
  return absl::StrCat(setup_->dir(), "/replica-", i, ".log");
}

std::shared_ptr<grpc::Channel> ReplicaSet::Channel(
    int i, const std::string& principal_id) const {
  return setup_->ChannelTo(replicas_[i].port, principal_id);
}

absl::Status ReplicaSet::StartAll(absl::Duration timeout) {
  for (int i = 0; i < size(); ++i) {
    if (replicas_[i].pid > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("replica ", i, " runs"));
    }
    absl::StatusOr<pid_t> pid = crash::SpawnChild(
        {CAREGATED_BIN, "--config", replicas_[i].config_path}, log_path(i));
    if (!pid.ok()) return pid.status();
    replicas_[i].pid = *pid;
  }
  const absl::Time deadline = absl::Now() + timeout;
  for (int i = 0; i < size(); ++i) {
    absl::Status serving = WaitServing(i, deadline);
    if (!serving.ok()) return serving;
  }
  return absl::OkStatus();
}

absl::Status ReplicaSet::Start(int i, absl::Duration timeout) {
  if (replicas_[i].pid > 0) {
    return absl::FailedPreconditionError(absl::StrCat("replica ", i, " runs"));
  }
  absl::StatusOr<pid_t> pid = crash::SpawnChild(
      {CAREGATED_BIN, "--config", replicas_[i].config_path}, log_path(i));
  if (!pid.ok()) return pid.status();
  replicas_[i].pid = *pid;
  return WaitServing(i, absl::Now() + timeout);
}

void ReplicaSet::Kill(int i) {
  if (replicas_[i].pid <= 0) return;
  kill(replicas_[i].pid, SIGKILL);
  crash::WaitChild(replicas_[i].pid, absl::Seconds(30)).IgnoreError();
  replicas_[i].pid = -1;
}

absl::Status ReplicaSet::WaitServing(int i, absl::Time deadline) {
  auto stub =
      grpc::health::v1::Health::NewStub(Channel(i, "compliance-officer"));
  constexpr absl::Duration kTry = absl::Milliseconds(250);
  while (absl::Now() < deadline) {
    absl::StatusOr<std::optional<int>> exited =
        crash::PollChild(replicas_[i].pid);
    if (!exited.ok()) return exited.status();
    if (exited->has_value()) {
      replicas_[i].pid = -1;
      return absl::InternalError(absl::StrCat(
          "replica ", i, " exited during startup: ",
          crash::DescribeWaitStatus(**exited), " (log: ", log_path(i), ")"));
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
  return absl::DeadlineExceededError(absl::StrCat(
      "replica ", i, " not SERVING in time (log: ", log_path(i), ")"));
}

absl::Status ReplicaSet::Stop(int i, absl::Duration grace) {
  Replica& replica = replicas_[i];
  if (replica.pid <= 0) return absl::FailedPreconditionError("not running");
  kill(replica.pid, SIGTERM);
  absl::StatusOr<int> status = crash::WaitChild(replica.pid, grace);
  if (!status.ok()) {
    kill(replica.pid, SIGKILL);
    crash::WaitChild(replica.pid, absl::Seconds(30)).IgnoreError();
    replica.pid = -1;
    return absl::DeadlineExceededError(
        absl::StrCat("replica ", i, " ignored SIGTERM"));
  }
  replica.pid = -1;
  if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("replica ", i, " stopped with ",
                                          crash::DescribeWaitStatus(*status)));
}

}  // namespace caregate::replicas
