// caregate-witness as a real process: started on a loopback port picked
// free, spoken to over HTTP with WitnessClient (and raw requests where the
// exact reply matters), stopped with SIGTERM and restarted on its state.
#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/crypto/sha256.h"
#include "services/transparency/witness_client.h"
#include "services/witness/test_log.h"
#include "tests/testing/status_matchers.h"

namespace caregate::witness {
namespace {

using ::caregate::testing::StatusIs;
using testing::FreshTempDir;
using ::testing::HasSubstr;
using testing::TestLog;

constexpr int kStartTimeoutMs = 10000;

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// The binary run with `args`: stdout through a pipe, stderr to a file.
class WitnessProcess {
 public:
  WitnessProcess(std::vector<std::string> args,
                 const std::filesystem::path& stderr_path) {
    args.insert(args.begin(), CAREGATE_WITNESS_BIN);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) ADD_FAILURE() << "pipe2";
    const int err = open(stderr_path.c_str(),
                         O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {  // async-signal-safe calls only until exec
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(126);
      dup2(out[1], STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    close(err);
    stdout_fd_ = out[0];
  }
  ~WitnessProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(stdout_fd_);
  }

  // The first stdout line (without "\n"), waiting at most kStartTimeoutMs;
  // empty if the process printed none.
  std::string FirstLine() {
    std::string line;
    char c;
    while (line.empty() || line.back() != '\n') {
      pollfd fd{stdout_fd_, POLLIN, 0};
      if (poll(&fd, 1, kStartTimeoutMs) <= 0) return "";
      if (read(stdout_fd_, &c, 1) != 1) return "";
      line.push_back(c);
    }
    line.pop_back();
    return line;
  }

  // Sends `signal` (unless 0) and waits (bounded) for the exit; returns the
  // exit code, or -1 for a signal or a timeout.
  int Wait(int signal = SIGTERM) {
    if (signal != 0) kill(pid_, signal);
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    pollfd fd{pidfd, POLLIN, 0};
    const int ready = poll(&fd, 1, kStartTimeoutMs);
    close(pidfd);
    if (ready != 1) return -1;
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string RestOfStdout() {
    std::string rest;
    char buffer[4096];
    ssize_t n;
    while ((n = read(stdout_fd_, buffer, sizeof(buffer))) > 0) {
      rest.append(buffer, n);
    }
    return rest;
  }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  bool exited_ = false;
};

class WitnessProcessTest : public ::testing::Test {
 protected:
  WitnessProcessTest() : dir_(FreshTempDir("witness_process")) {}

  // Starts the witness on a free port; returns its first stdout line.
  std::string Start(std::vector<std::string> extra = {}) {
    port_ = FreePort();
    std::vector<std::string> args = {
        "--listen", absl::StrCat("127.0.0.1:", port_),
        "--state",  (dir_ / "state").string(),
        "--name",   "witness.test/w1"};
    args.insert(args.end(), extra.begin(), extra.end());
    process_ = std::make_unique<WitnessProcess>(args, dir_ / "stderr.log");
    const std::string vkey = process_->FirstLine();
    EXPECT_FALSE(vkey.empty()) << Stderr();
    return vkey;
  }

  std::unique_ptr<tlog::WitnessClient> Client(const std::string& vkey) {
    auto client = tlog::WitnessClient::Create(
        absl::StrCat("http://127.0.0.1:", port_), vkey, {absl::Seconds(5), ""});
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  std::string Stderr() const {
    std::ifstream in(dir_ / "stderr.log");
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }

  std::filesystem::path dir_;
  int port_ = 0;
  std::unique_ptr<WitnessProcess> process_;
};

TEST_F(WitnessProcessTest, PrintsItsVerifierKeyFirst) {
  const std::string vkey = Start();
  auto verifier = tlog::NoteVerifier::FromVerifierKey(vkey);
  ASSERT_TRUE(verifier.ok()) << verifier.status() << ": " << vkey;
  EXPECT_EQ((*verifier)->name(), "witness.test/w1");
  EXPECT_EQ((*verifier)->type(), tlog::NoteKeyType::kCosignatureV1);
  EXPECT_EQ(process_->Wait(SIGTERM), 0);
  EXPECT_EQ(process_->RestOfStdout(), "");  // logs go to stderr
  EXPECT_THAT(Stderr(), HasSubstr("created witness witness.test/w1"));
}

TEST_F(WitnessProcessTest, CosignsConsistentCheckpointsAndRefusesTheRest) {
  const std::string vkey = Start();
  auto client = Client(vkey);
  TestLog log("log.test/a");
  log.Append(9);
  absl::StatusOr<tlog::WitnessCosignature> cosigned =
      client->AddCheckpoint(0, {}, log.Note(5));
  CG_ASSERT_OK(cosigned);
  CG_ASSERT_OK(client->AddCheckpoint(5, log.Proof(5, 9), log.Note(9)));

  // Rollback to a smaller tree.
  EXPECT_THAT(client->AddCheckpoint(9, {}, log.Note(5)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("HTTP 400: old size 9 is larger")));
  // A stale old size: 409 with the recorded size, as text/x.tlog.size.
  httplib::Client raw("127.0.0.1", port_);
  httplib::Result conflict =
      raw.Post("/add-checkpoint", log.Request(5, 9), "text/plain");
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->status, 409);
  EXPECT_EQ(conflict->body, "9\n");
  EXPECT_EQ(conflict->get_header_value("Content-Type"), "text/x.tlog.size");
  // A fork at the recorded size.
  TestLog fork("log.test/a", "fork");
  fork.Append(12);
  EXPECT_THAT(client->AddCheckpoint(9, {}, fork.Note(9)),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("two different roots for tree size 9")));
  // A rewritten history with its own valid-looking proof.
  EXPECT_THAT(client->AddCheckpoint(9, fork.Proof(9, 12), fork.Note(12)),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("not consistent with the one this witness "
                                 "cosigned at size 9")));
  // A bad proof for an honest extension.
  log.Append(3);
  std::vector<tlog::Hash256> proof = log.Proof(9, 12);
  proof[0][0] ^= 1;
  EXPECT_THAT(client->AddCheckpoint(9, proof, log.Note(12)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("HTTP 422")));
  // A malformed body names the problem.
  httplib::Result malformed =
      raw.Post("/add-checkpoint", "old 01\n\n", "text/plain");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_THAT(malformed->body, HasSubstr("old size is not a decimal"));
  // An oversized body is refused before it is read.
  httplib::Result huge =
      raw.Post("/add-checkpoint", std::string(128 * 1024, 'x'), "text/plain");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  // The honest log goes on.
  CG_EXPECT_OK(client->AddCheckpoint(9, log.Proof(9, 12), log.Note(12)));
  EXPECT_EQ(process_->Wait(SIGTERM), 0);
}

TEST_F(WitnessProcessTest, StateSurvivesARestart) {
  const std::string vkey = Start();
  TestLog log("log.test/a");
  log.Append(14);
  CG_ASSERT_OK(Client(vkey)->AddCheckpoint(0, {}, log.Note(9)));
  ASSERT_EQ(process_->Wait(SIGTERM), 0);

  EXPECT_EQ(Start(), vkey);  // same key, same name
  auto client = Client(vkey);
  absl::Status rollback = client->AddCheckpoint(0, {}, log.Note(3)).status();
  EXPECT_THAT(rollback, StatusIs(absl::StatusCode::kFailedPrecondition,
                                 HasSubstr("size 9")));
  EXPECT_EQ(tlog::WitnessSizeOf(rollback), 9);
  absl::StatusOr<std::optional<tlog::WitnessedCheckpoint>> held =
      client->LatestCheckpoint("log.test/a");
  CG_ASSERT_OK(held);
  ASSERT_TRUE(held->has_value());
  EXPECT_EQ((*held)->checkpoint.size, 9);
  EXPECT_EQ((*held)->checkpoint.root, log.Root(9));
  CG_EXPECT_OK(client->AddCheckpoint(9, log.Proof(9, 14), log.Note(14)));
  // The monitoring path is the hex SHA-256 of the origin.
  httplib::Client raw("127.0.0.1", port_);
  httplib::Result got =
      raw.Get(absl::StrCat("/", Sha256Hex("log.test/a"), "/checkpoint"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_THAT(got->body, ::testing::StartsWith("log.test/a\n14\n"));
  EXPECT_EQ(process_->Wait(SIGTERM), 0);
}

TEST_F(WitnessProcessTest, OnlyConfiguredLogsWithValidSignatures) {
  TestLog log("log.test/a");
  TestLog impostor("log.test/a");
  TestLog stranger("log.test/b");
  const std::string vkey = Start({"--log-key", log.verifier_key()});
  auto client = Client(vkey);
  for (TestLog* l : {&log, &impostor, &stranger}) l->Append(2);
  EXPECT_THAT(client->AddCheckpoint(0, {}, stranger.Note(2)),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("HTTP 404")));
  EXPECT_THAT(
      client->AddCheckpoint(0, {}, impostor.Note(2)),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("HTTP 403")));
  CG_EXPECT_OK(client->AddCheckpoint(0, {}, log.Note(2)));
  EXPECT_EQ(process_->Wait(SIGTERM), 0);
}

TEST_F(WitnessProcessTest, RefusesToStartWithoutItsState) {
  Start();
  ASSERT_EQ(process_->Wait(SIGTERM), 0);
  std::filesystem::remove(dir_ / "state" / "witness-state");
  port_ = FreePort();
  WitnessProcess again({"--listen", absl::StrCat("127.0.0.1:", port_),
                        "--state", (dir_ / "state").string()},
                       dir_ / "stderr.log");
  EXPECT_EQ(again.FirstLine(), "");
  EXPECT_EQ(again.Wait(0), 1);
  EXPECT_THAT(Stderr(), HasSubstr("witness-state does not: restore the "
                                  "missing file"));
}

TEST_F(WitnessProcessTest, HelpAndBadFlags) {
  WitnessProcess help({"--help"}, dir_ / "stderr.log");
  EXPECT_EQ(help.FirstLine(),
            "caregate-witness --state DIR [--listen HOST:PORT] [--name NAME]");
  EXPECT_THAT(help.RestOfStdout(), HasSubstr("--log-key VKEY"));
  EXPECT_EQ(help.Wait(0), 0);
  WitnessProcess bad({"--state", (dir_ / "s").string(), "--bogus"},
                     dir_ / "stderr.log");
  EXPECT_EQ(bad.Wait(0), 2);
  EXPECT_THAT(Stderr(), HasSubstr("unknown argument \"--bogus\""));
}

}  // namespace
}  // namespace caregate::witness
