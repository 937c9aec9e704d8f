// For caregatectl's CLI tests: the real caregated binary started as a child
// process on a fresh dev setup (temp directory, free loopback port, real mTLS,
// real SQLite), and the real caregatectl binary run as a subprocess with its
// exit code, stdout and stderr captured.
//
// One CliGateway serves every test of a test process (a gtest global
// environment starts it before the first test and stops it with SIGTERM
// after the last); under ctest each test runs in its own process and so gets
// its own gateway. Tests therefore never rely on what others did: they use
// their own patient ids. Not thread-safe.
#ifndef CAREGATE_TESTS_CLI_CLI_HARNESS_H_
#define CAREGATE_TESTS_CLI_CLI_HARNESS_H_

#include <sys/types.h>

#include <atomic>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/message.h"

namespace caregate::testing {

// What a caregatectl run produced.
struct CtlResult {
  int code = -1;  // exit code; -1 when it did not exit normally
  std::string out;
  std::string err;
};

// Runs caregatectl with `args` and the environment of the test process
// without CAREGATE_PROFILE and CAREGATE_GATEWAY, plus `env`.
CtlResult RunCtl(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env = {});

// A loopback port that was free a moment ago.
int FreePort();

// Starts `argv` (the test process's environment, without CAREGATE_PROFILE
// and CAREGATE_GATEWAY) with stdout and stderr appended to `log_path`;
// returns its pid, or -1.
pid_t SpawnLogged(std::vector<std::string> argv, const std::string& log_path);

class CliGateway {
 public:
  // A gateway whose setup lives in TempDir()/caregate_<name>_<pid>; names
  // other than "cli" (the shared gateway's) give a test a gateway of its own.
  explicit CliGateway(std::string name = "cli") : name_(std::move(name)) {}

  // The gateway of this test process; started by the global environment.
  static CliGateway& Get();

  // Before Start(): the clinics that take pushes, as dev-init's --push
  // (org id -> "host:port" or https URL), and text appended to the config
  // dev-init writes (e.g. a delivery_policy).
  void set_push_endpoints(std::map<std::string, std::string> endpoints) {
    push_endpoints_ = std::move(endpoints);
  }
  void set_extra_config(std::string textproto) {
    extra_config_ = std::move(textproto);
  }

  // Writes the dev setup, starts caregated and waits (bounded) for health.
  // Fails the current test (ADD_FAILURE) when it cannot.
  void Start();
  // Start() in two steps, for a test that edits the setup in between:
  // Prepare() writes the dev setup (false, and a test failure, when it
  // cannot), Launch() starts caregated on it and waits for health.
  bool Prepare();
  void Launch();
  // SIGTERM, then waits for the process to exit. Idempotent.
  void Stop();
  // SIGTERM and waits, like Stop(), but keeps the setup and the data, so
  // that Restart() serves the same database on the same address.
  void StopKeepingData();
  // SIGKILL (a crash: nothing flushed, no shutdown), then waits for the
  // process; keeps the setup and the data, like StopKeepingData(). Safe to
  // call from another thread while this one runs caregatectl.
  void Kill();
  // Starts caregated again on the existing setup and waits for health.
  void Restart();
  // Starts caregated on the existing setup expecting it to refuse to serve:
  // waits (at most 30 s) for it to exit and returns its exit status (-1,
  // after killing it, when it did not exit) and its log.
  std::pair<int, std::string> LaunchExpectingExit();

  const std::string& dir() const { return dir_; }
  const std::string& address() const { return address_; }
  // "DIR/pki/<principal>", for --profile.
  std::string Profile(const std::string& principal) const;
  std::string PublicKeyPath() const;
  // The gateway's SQLite file (dev-init's DIR/data/caregate.db).
  std::string DbPath() const;

  // RunCtl with `args` + {"--profile", Profile(principal)}.
  CtlResult As(const std::string& principal,
               std::vector<std::string> args) const;

  // A file under the setup's scratch folder with `content`; returns its path.
  std::string WriteFile(const std::string& name,
                        const std::string& content) const;
  std::string ReadFile(const std::string& path) const;

 private:
  // Sends `signal` to the running caregated and waits for it to end.
  void EndWith(int signal);

  std::string name_;
  std::map<std::string, std::string> push_endpoints_;
  std::string extra_config_;
  std::string dir_;
  std::string address_;
  std::atomic<pid_t> pid_ = -1;
};

// A patient id no other test uses.
std::string NewPatientId();

// Lines of `text`, without empty ones.
std::vector<std::string> Lines(const std::string& text);

// The value of the "key  value" line for `key` in human output, or "".
std::string FieldValue(const std::string& text, const std::string& key);

// Parses each line of `text` (the --json output of a list) into a fresh `M`;
// fails the test on a line that is not M's protobuf JSON.
template <typename M>
std::vector<M> ParseJsonLines(const std::string& text);
bool ParseJson(const std::string& line, google::protobuf::Message* message);

template <typename M>
std::vector<M> ParseJsonLines(const std::string& text) {
  std::vector<M> out;
  for (const std::string& line : Lines(text)) {
    M m;
    if (!ParseJson(line, &m)) break;
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace caregate::testing

#endif  // CAREGATE_TESTS_CLI_CLI_HARNESS_H_
