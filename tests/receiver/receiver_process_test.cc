// caregate-receiver as a real process: started on a free loopback port (the
// first stdout line names it), pushed to by the gateway's GrpcPushTransport
// over mTLS with dev-init certificates, stopped with SIGTERM and restarted
// on the same --out directory.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/push/grpc_push_transport.h"
#include "services/push/push_test_support.h"

namespace caregate {
namespace {

namespace fs = std::filesystem;
using push::PushResult;
using push::testing::DevSetup;
using push::testing::ResultCollector;
using push::testing::SignedMessage;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr int kTimeoutMs = 20000;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The binary run with `args`: stdout through a pipe, stderr to a file.
class ReceiverProcess {
 public:
  ReceiverProcess(std::vector<std::string> args, const fs::path& stderr_path) {
    args.insert(args.begin(), CAREGATE_RECEIVER_BIN);
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
  ~ReceiverProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(stdout_fd_);
  }

  // The first stdout line, without "\n"; empty if none came in time.
  std::string FirstLine() {
    std::string line;
    char c;
    while (line.empty() || line.back() != '\n') {
      pollfd fd{stdout_fd_, POLLIN, 0};
      if (poll(&fd, 1, kTimeoutMs) <= 0) return "";
      if (read(stdout_fd_, &c, 1) != 1) return "";
      line.push_back(c);
    }
    line.pop_back();
    return line;
  }

  // Sends `signal` (unless 0), waits (bounded) for the exit; the exit code,
  // or -1 for death by signal or a timeout.
  int Wait(int signal = SIGTERM) {
    if (signal != 0) kill(pid_, signal);
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    pollfd fd{pidfd, POLLIN, 0};
    const int ready = poll(&fd, 1, kTimeoutMs);
    close(pidfd);
    if (ready != 1) return -1;
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  bool exited_ = false;
};

class ReceiverProcessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { setup_ = new DevSetup(); }
  static void TearDownTestSuite() { delete setup_; }
  void SetUp() override {
    static int n = 0;
    out_ = setup_->Path(absl::StrCat("clinic-inbox-", ++n));
    log_ = setup_->Path(absl::StrCat("receiver-", n, ".log"));
  }

  std::vector<std::string> Args(bool ack = false) const {
    std::vector<std::string> args = {
        "--listen",   "127.0.0.1:0",
        "--tls-cert", setup_->Path(pki::kReceiverCertFile),
        "--tls-key",  setup_->Path(pki::kReceiverKeyFile),
        "--ca",       setup_->Path(pki::kCaCertFile),
        "--pubkey",   setup_->Path(pki::kAuditSigningPublicKeyFile),
        "--out",      out_};
    if (ack) args.push_back("--ack");
    return args;
  }

  // "127.0.0.1:PORT" from the receiver's first line.
  static std::string Address(const std::string& first_line) {
    const std::string prefix = "caregate-receiver listening on ";
    EXPECT_THAT(first_line, HasSubstr(prefix));
    const size_t start = first_line.find(prefix) + prefix.size();
    return first_line.substr(start, first_line.find(',', start) - start);
  }

  static PushResult Push(const std::string& address, const v1::Message& message,
                         int attempt) {
    push::GrpcPushOptions options;
    options.endpoint = address;
    options.ca_pem = setup_->Read(pki::kCaCertFile);
    options.client_cert_pem = setup_->Read(pki::kDeliveryCertFile);
    options.client_key_pem = setup_->Read(pki::kDeliveryKeyFile);
    auto transport = push::GrpcPushTransport::Create(options);
    EXPECT_TRUE(transport.ok());
    ResultCollector results;
    EXPECT_TRUE(
        (*transport)->TryDeliver(message, attempt, results.Callback("")));
    auto entries = results.WaitFor(1, absl::Milliseconds(kTimeoutMs));
    EXPECT_EQ(entries.size(), 1u);
    return entries.empty() ? PushResult{} : entries[0].result;
  }

  std::vector<std::string> OutFiles() const {
    std::vector<std::string> names;
    if (!fs::exists(out_)) return names;
    for (const auto& entry : fs::directory_iterator(out_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  static DevSetup* setup_;
  std::string out_;
  std::string log_;
};

DevSetup* ReceiverProcessTest::setup_ = nullptr;

TEST_F(ReceiverProcessTest, StoresEachMessageOnceAcrossRedeliveryAndRestart) {
  const v1::Message message = SignedMessage(setup_->signer(), "m-process");
  absl::Time received_at;
  {
    ReceiverProcess receiver(Args(), log_);
    const std::string first = receiver.FirstLine();
    EXPECT_THAT(first, MatchesRegex("caregate-receiver listening on "
                                    "127\\.0\\.0\\.1:[0-9]+, writing to .*"));
    const std::string address = Address(first);
    for (int attempt = 1; attempt <= 3; ++attempt) {
      PushResult result = Push(address, message, attempt);
      EXPECT_EQ(result.outcome, PushResult::Outcome::kDelivered)
          << result.error;
      EXPECT_FALSE(result.acknowledged);
      if (attempt == 1) received_at = result.received_at;
      EXPECT_EQ(result.received_at, received_at);
    }
    EXPECT_EQ(receiver.Wait(SIGTERM), 0);
  }
  ReceiverProcess restarted(Args(), log_);
  PushResult again = Push(Address(restarted.FirstLine()), message, 4);
  EXPECT_EQ(again.outcome, PushResult::Outcome::kDelivered) << again.error;
  EXPECT_EQ(again.received_at, received_at);
  EXPECT_EQ(restarted.Wait(SIGTERM), 0);
  EXPECT_THAT(OutFiles(), ::testing::ElementsAre("m-process.bundle.json",
                                                 "m-process.message.json"));

  // JSON log lines, one per delivery, naming the message but none of its
  // content or its patient.
  const std::string log = ReadAll(log_);
  EXPECT_THAT(log, HasSubstr("message m-process attempt 1: stored"));
  EXPECT_THAT(log, HasSubstr("message m-process attempt 3: duplicate"));
  EXPECT_THAT(log, HasSubstr("message m-process attempt 4: duplicate"));
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_THAT(line, MatchesRegex("\\{\"time\":.*\\}")) << line;
  }
  for (const v1::Section& section : message.sections()) {
    EXPECT_THAT(log, Not(HasSubstr(section.body())));
    EXPECT_THAT(log, Not(HasSubstr(section.title())));
  }
  EXPECT_THAT(log, Not(HasSubstr("\"" + message.patient_id() + "\"")));
}

TEST_F(ReceiverProcessTest, RefusesATamperedMessageAndWritesNothing) {
  ReceiverProcess receiver(Args(), log_);
  const std::string address = Address(receiver.FirstLine());
  v1::Message message = SignedMessage(setup_->signer(), "m-tampered");
  message.set_patient_id("p-2");
  PushResult result = Push(address, message, 1);
  EXPECT_EQ(result.outcome, PushResult::Outcome::kFailed);
  EXPECT_EQ(result.error, "INVALID_ARGUMENT");
  EXPECT_EQ(receiver.Wait(SIGTERM), 0);
  EXPECT_TRUE(OutFiles().empty());
  EXPECT_THAT(ReadAll(log_), HasSubstr("m-tampered attempt 1: refused"));
}

TEST_F(ReceiverProcessTest, AckFlagAcknowledges) {
  ReceiverProcess receiver(Args(/*ack=*/true), log_);
  PushResult result = Push(Address(receiver.FirstLine()),
                           SignedMessage(setup_->signer(), "m-ack"), 1);
  EXPECT_EQ(result.outcome, PushResult::Outcome::kDelivered);
  EXPECT_TRUE(result.acknowledged);
  EXPECT_EQ(receiver.Wait(SIGTERM), 0);
}

TEST_F(ReceiverProcessTest, HelpExplainsEveryFlag) {
  ReceiverProcess help({"--help"}, log_);
  std::string text = help.FirstLine();
  EXPECT_EQ(help.Wait(0), 0);
  EXPECT_THAT(text, HasSubstr("usage: caregate-receiver --listen HOST:PORT"));
}

TEST_F(ReceiverProcessTest, MissingFlagExitsWithUsageError) {
  std::vector<std::string> args = Args();
  args.resize(args.size() - 2);  // no --out
  ReceiverProcess receiver(args, log_);
  EXPECT_EQ(receiver.Wait(0), 2);
  EXPECT_THAT(ReadAll(log_), HasSubstr("--out is required"));
}

}  // namespace
}  // namespace caregate
