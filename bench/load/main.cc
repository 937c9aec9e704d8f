// caregate-bench: drives a running caregate gateway on this machine with N
// concurrent calls per scenario and reports throughput and latency
// percentiles. See BENCHMARKS.md.
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/load/channels.h"
#include "bench/load/closed_loop.h"
#include "bench/load/cpu_usage.h"
#include "bench/load/load_options.h"
#include "bench/load/report.h"
#include "bench/load/stream_watch.h"
#include "bench/load/workloads.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"

ABSL_FLAG(std::string, gateway, "127.0.0.1:7443",
          "The gateway, HOST:PORT on this machine (loopback only); several "
          "replicas of one database separated by commas, calls spread over "
          "them round robin.");
ABSL_FLAG(std::string, profile, "",
          "Client profile DIR/pki/<principal>: uses <profile>.crt, "
          "<profile>.key and DIR/pki/ca.crt. A THERAPIST (dr-rivera) for "
          "check, send, mixed and --consents.");
ABSL_FLAG(std::string, scenarios, "health,check,send",
          "Comma-separated: health, payload, check, send, mixed.");
ABSL_FLAG(int, concurrency, 64, "Calls kept in flight.");
ABSL_FLAG(double, rate, 0,
          "Calls per second started on a schedule (an open loop, at most "
          "--concurrency in flight); 0: a closed loop.");
ABSL_FLAG(int, connections, 4, "HTTP/2 connections the calls are spread over.");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10),
          "Measured time per scenario (at most 10m).");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(2),
          "Unmeasured time before each scenario (at most 1m).");
ABSL_FLAG(absl::Duration, call_timeout, absl::Seconds(10),
          "Deadline of every call.");
ABSL_FLAG(int64_t, consents, 0,
          "Setup: record bench patients 0..N-1's consents through "
          "RecordConsent first (idempotent across runs).");
ABSL_FLAG(int64_t, preloaded, 0,
          "Bench patients 0..N-1 already have consents in the store "
          "(caregate-bench-seed); nothing is recorded for them.");
ABSL_FLAG(bool, json, false, "One JSON object per scenario per line.");
ABSL_FLAG(std::string, gateway_pid, "",
          "The gateways' process ids (same machine, separated by commas): "
          "also report their CPU time per call (summed), read from /proc.");
ABSL_FLAG(std::string, stream_profile, "",
          "A clinic's profile DIR/pki/lakeside-obgyn-inbox: during send and "
          "mixed, stream its inbox from the last --gateway and report the "
          "time from each message's commit to its arrival (stream_*).");
ABSL_FLAG(absl::Duration, wait_ready, absl::ZeroDuration(),
          "Only wait (up to this long) until the gateway's health check "
          "says SERVING, print the time waited, and exit 0 (1 on timeout).");

namespace caregate::bench {
namespace {

std::string NewRunId() {
  std::random_device device;
  return absl::StrFormat("r%08x%08x", device(), device());
}

// Polls the health service, each time on a new channel (a channel whose
// first connection failed would wait out its reconnect backoff).
int WaitReady(const LoadOptions& options, absl::Duration limit) {
  const absl::Time start = absl::Now();
  while (absl::Now() - start < limit) {
    auto channels = OpenChannels(options.gateways.front(), options.profile, 1);
    if (!channels.ok()) {
      std::fprintf(stderr, "caregate-bench: %s\n",
                   std::string(channels.status().message()).c_str());
      return 2;
    }
    auto stub = grpc::health::v1::Health::NewStub(channels->front());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(500));
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = stub->Check(
        &context, grpc::health::v1::HealthCheckRequest(), &response);
    if (status.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      std::printf("ready after %.3f s\n",
                  absl::ToDoubleSeconds(absl::Now() - start));
      return 0;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  std::fprintf(stderr, "caregate-bench: gateway not SERVING after %s\n",
               absl::FormatDuration(limit).c_str());
  return 1;
}

// Records the bench consents; returns how many are there, or -1.
int64_t Preload(const LoadOptions& options, const WorkloadContext& context) {
  if (options.consents == 0) return 0;
  std::unique_ptr<Workload> workload = NewRecordConsentsWorkload(context);
  LoopOptions loop;
  loop.concurrency = options.concurrency;
  loop.duration = absl::Hours(1);
  loop.max_calls = options.consents;
  LoopResult r = RunClosedLoop(*workload, loop);
  std::fprintf(stderr,
               "caregate-bench: setup recorded %lld consents in %.2f s "
               "(%.0f/s), %lld errors\n",
               static_cast<long long>(r.calls - r.errors),
               absl::ToDoubleSeconds(r.window), r.rps(),
               static_cast<long long>(r.errors));
  if (r.errors > 0 || r.calls != options.consents) {
    std::fprintf(stderr, "caregate-bench: setup failed: %s\n",
                 r.first_error.c_str());
    return -1;
  }
  return r.calls;
}

// The summed CPU time of `pids`; nothing when there are none or one cannot
// be read.
std::optional<absl::Duration> GatewaysCpuTime(const std::vector<int>& pids) {
  if (pids.empty()) return std::nullopt;
  absl::Duration sum;
  for (int pid : pids) {
    std::optional<absl::Duration> t = ProcessCpuTime(pid);
    if (!t.has_value()) return std::nullopt;
    sum += *t;
  }
  return sum;
}

// CPU time of this process and the gateways at the window's edges; tells a
// stream watch, if any, when the window begins and ends.
struct CpuSamples {
  absl::Duration client_begin, client_end;
  std::optional<absl::Duration> server_begin, server_end;

  void Hook(LoopOptions& loop, const std::vector<int>& gateway_pids,
            StreamWatch* watch) {
    loop.at_window_begin = [this, gateway_pids, watch] {
      if (watch != nullptr) watch->BeginWindow(absl::Now());
      client_begin = SelfCpuTime();
      server_begin = GatewaysCpuTime(gateway_pids);
    };
    loop.at_window_end = [this, gateway_pids, watch] {
      if (watch != nullptr) watch->EndWindow(absl::Now());
      client_end = SelfCpuTime();
      server_end = GatewaysCpuTime(gateway_pids);
    };
  }
  void Fill(int64_t calls, ScenarioReport& report) const {
    if (calls <= 0 || client_end <= client_begin) return;
    report.client_cpu_us_per_call =
        absl::ToDoubleMicroseconds(client_end - client_begin) / calls;
    if (server_begin.has_value() && server_end.has_value()) {
      report.server_cpu_us_per_call =
          absl::ToDoubleMicroseconds(*server_end - *server_begin) / calls;
    }
  }
};

// `connections` channels to each gateway, interleaved (gateway 0, 1, ...,
// 0, 1, ...) so that the workloads' round robin spreads calls evenly.
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> OpenAllChannels(
    const LoadOptions& options) {
  std::vector<std::vector<std::shared_ptr<grpc::Channel>>> per_gateway;
  for (const std::string& gateway : options.gateways) {
    auto channels = OpenChannels(gateway, options.profile, options.connections);
    if (!channels.ok()) return channels.status();
    per_gateway.push_back(*std::move(channels));
  }
  std::vector<std::shared_ptr<grpc::Channel>> all;
  for (int i = 0; i < options.connections; ++i) {
    for (auto& channels : per_gateway) all.push_back(channels[i]);
  }
  return all;
}

// A stream watch for the send and mixed scenarios when --stream_profile is
// given; nullptr otherwise.
absl::StatusOr<std::unique_ptr<StreamWatch>> MaybeWatchStream(
    const LoadOptions& options, Scenario scenario) {
  if (options.stream_profile.empty() ||
      (scenario != Scenario::kSend && scenario != Scenario::kMixed)) {
    return nullptr;
  }
  auto channels =
      OpenChannels(options.gateways.back(), options.stream_profile, 1);
  if (!channels.ok()) return channels.status();
  return std::make_unique<StreamWatch>(channels->front());
}

int Run(const LoadOptions& options, absl::Duration wait_ready) {
  if (wait_ready > absl::ZeroDuration()) return WaitReady(options, wait_ready);
  auto channels = OpenAllChannels(options);
  if (!channels.ok()) {
    std::fprintf(stderr, "caregate-bench: %s\n",
                 std::string(channels.status().message()).c_str());
    return 2;
  }
  WorkloadContext context;
  context.channels = *channels;
  context.call_timeout = options.call_timeout;
  context.run_id = NewRunId();
  const int64_t recorded = Preload(options, context);
  if (recorded < 0) return 1;
  context.patients = std::max(recorded, options.preloaded);
  int exit_code = 0;
  for (Scenario scenario : options.scenarios) {
    if (scenario != Scenario::kHealth && scenario != Scenario::kPayload &&
        context.patients == 0) {
      std::fprintf(stderr,
                   "caregate-bench: %s needs consents: pass --consents N "
                   "or --preloaded N\n",
                   std::string(ScenarioName(scenario)).c_str());
      return 2;
    }
    std::unique_ptr<Workload> workload = NewScenarioWorkload(scenario, context);
    absl::StatusOr<std::unique_ptr<StreamWatch>> watch =
        MaybeWatchStream(options, scenario);
    if (!watch.ok()) {
      std::fprintf(stderr, "caregate-bench: --stream_profile: %s\n",
                   std::string(watch.status().message()).c_str());
      return 2;
    }
    LoopOptions loop;
    loop.concurrency = options.concurrency;
    loop.rate = options.rate;
    loop.warmup = options.warmup;
    loop.duration = options.duration;
    CpuSamples cpu;
    cpu.Hook(loop, options.gateway_pids, watch->get());
    LoopResult result = RunClosedLoop(*workload, loop);
    ScenarioReport report;
    if (*watch != nullptr) {
      (*watch)->Stop();
      report.stream_latency_ns = &(*watch)->latency_ns();
      report.stream_error = (*watch)->error();
      if (!report.stream_error.empty()) exit_code = 3;
    }
    report.scenario = std::string(ScenarioName(scenario));
    report.concurrency = options.concurrency;
    report.connections = options.connections;
    report.gateways = static_cast<int>(options.gateways.size());
    report.warmup = options.warmup;
    report.consents_loaded = context.patients;
    report.result = &result;
    cpu.Fill(result.calls, report);
    const std::string line =
        options.json ? ReportJson(report) : ReportText(report);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    if (result.errors > 0 || result.calls == 0) exit_code = 3;
  }
  return exit_code;
}

}  // namespace
}  // namespace caregate::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "caregate-bench --gateway 127.0.0.1:PORT[,127.0.0.1:PORT2...] "
      "--profile DIR/pki/dr-rivera [--scenarios health,check,send,mixed] "
      "[--concurrency 64] [--rate N] [--duration 10s] [--warmup 2s] "
      "[--consents N] [--stream_profile DIR/pki/lakeside-obgyn-inbox] "
      "[--json]\n\n"
      "Load generator for a caregate gateway on this machine. Exit 0 when "
      "every scenario ran without errors, 3 when some calls failed, 1 when "
      "setup failed, 2 for a bad command line.");
  absl::ParseCommandLine(argc, argv);
  // As caregated runs (caregated_main.cc): Debian's Abseil records a lock
  // graph and a stack trace on every Mutex lock unless told not to, which
  // cost the load generator ~4% of its CPU on the 2 cores it shares.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  caregate::bench::LoadOptions options;
  options.gateways =
      caregate::bench::ParseGateways(absl::GetFlag(FLAGS_gateway));
  options.profile = absl::GetFlag(FLAGS_profile);
  options.concurrency = absl::GetFlag(FLAGS_concurrency);
  options.rate = absl::GetFlag(FLAGS_rate);
  options.connections = absl::GetFlag(FLAGS_connections);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.warmup = absl::GetFlag(FLAGS_warmup);
  options.call_timeout = absl::GetFlag(FLAGS_call_timeout);
  options.consents = absl::GetFlag(FLAGS_consents);
  options.preloaded = absl::GetFlag(FLAGS_preloaded);
  options.json = absl::GetFlag(FLAGS_json);
  options.stream_profile = absl::GetFlag(FLAGS_stream_profile);
  auto scenarios =
      caregate::bench::ParseScenarios(absl::GetFlag(FLAGS_scenarios));
  auto pids =
      caregate::bench::ParseGatewayPids(absl::GetFlag(FLAGS_gateway_pid));
  absl::Status valid = scenarios.status();
  if (valid.ok()) valid = pids.status();
  if (valid.ok()) {
    options.scenarios = *scenarios;
    options.gateway_pids = *pids;
    valid = caregate::bench::ValidateLoadOptions(options);
  }
  if (!valid.ok()) {
    std::fprintf(stderr, "caregate-bench: %s\n",
                 std::string(valid.message()).c_str());
    return 2;
  }
  return caregate::bench::Run(options, absl::GetFlag(FLAGS_wait_ready));
}
