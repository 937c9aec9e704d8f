// What caregate-bench is asked to do, and the checks that keep it bounded:
// loopback targets only, a capped duration, concurrency and consent count.
//
// Plain values and functions; thread-safe. Errors are INVALID_ARGUMENT naming
// the flag.
#ifndef CAREGATE_BENCH_LOAD_LOAD_OPTIONS_H_
#define CAREGATE_BENCH_LOAD_LOAD_OPTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace caregate::bench {

enum class Scenario { kHealth, kPayload, kCheck, kSend, kMixed };

// "health", "payload", "check", "send", "mixed".
std::string_view ScenarioName(Scenario scenario);
// A comma-separated list of scenario names, run in the order given.
absl::StatusOr<std::vector<Scenario>> ParseScenarios(std::string_view list);

// Bounds.
inline constexpr int kMaxConcurrency = 1024;
inline constexpr double kMaxRate = 1'000'000;
inline constexpr int kMaxConnections = 64;
inline constexpr absl::Duration kMaxDuration = absl::Minutes(10);
inline constexpr absl::Duration kMaxWarmup = absl::Minutes(1);
inline constexpr int64_t kMaxConsents = 2'000'000;
inline constexpr int64_t kMaxPreloaded = 20'000'000;
inline constexpr int kMaxGateways = 8;

struct LoadOptions {
  // HOST:PORT each, loopback only; at least one. Calls are spread over
  // them round robin (replicas of one database).
  std::vector<std::string> gateways;
  // DIR/pki/<principal>: the client certificate is profile + ".crt", its key
  // profile + ".key", the CA DIR/pki/ca.crt.
  std::string profile;
  std::vector<Scenario> scenarios;
  int concurrency = 64;
  // Calls per second of an open loop (LoopOptions::rate); 0: closed loop.
  double rate = 0;
  int connections = 4;
  absl::Duration duration = absl::Seconds(10);
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration call_timeout = absl::Seconds(10);
  // Consents to record through RecordConsent before the scenarios.
  int64_t consents = 0;
  // Bench consents already in the gateway's store (caregate-bench-seed).
  int64_t preloaded = 0;
  bool json = false;
  // The gateways' process ids, to report their CPU time per call (summed);
  // empty: not measured.
  std::vector<int> gateway_pids;
  // When set: a clinic's profile (DIR/pki/<org>-inbox of the bench
  // recipient, lakeside-obgyn) that streams its inbox from the last gateway
  // during the send and mixed scenarios, to measure the time from each
  // message's commit to its arrival on the stream.
  std::string stream_profile;
};

// Splits a comma-separated --gateway list ("127.0.0.1:7443,127.0.0.1:7444").
std::vector<std::string> ParseGateways(std::string_view list);
// Splits a comma-separated --gateway_pid list; INVALID_ARGUMENT naming
// gateway_pid for a part that is not a positive number.
absl::StatusOr<std::vector<int>> ParseGatewayPids(std::string_view list);

// True for 127.0.0.0/8, localhost and [::1] with a port, e.g.
// "127.0.0.1:7443".
bool IsLoopbackTarget(std::string_view host_port);

// Checks every field against the bounds above.
absl::Status ValidateLoadOptions(const LoadOptions& options);

// The profile's files: certificate, key and the CA beside them.
struct ProfileFiles {
  std::string cert;
  std::string key;
  std::string ca;
};
ProfileFiles ProfilePaths(std::string_view profile);

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_LOAD_LOAD_OPTIONS_H_
