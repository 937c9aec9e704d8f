// How caregate-bench reports a scenario: one JSON object per line (--json)
// or a readable line. Plain functions; thread-safe.
//
// JSON fields: scenario, concurrency, connections, duration_s, warmup_s,
// calls, errors, rps, p50_ms, p90_ms, p99_ms, max_ms, mean_ms,
// consents_loaded, error_codes {CODE: n}, ops {name: n},
// client_cpu_us_per_call and server_cpu_us_per_call (when measured; the
// gateway figure sums every --gateway_pid), gateways (the number of
// gateways the calls were spread over), stream_messages, stream_p50_ms,
// stream_p99_ms and stream_max_ms (commit to arrival on a clinic's inbox
// stream, when --stream_profile watched one), stream_error (when it failed),
// first_error (only when there were errors). `rps` counts successful calls per
// second of the measured window; latencies are of every call completed in the
// window.
#ifndef CAREGATE_BENCH_LOAD_REPORT_H_
#define CAREGATE_BENCH_LOAD_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "bench/load/closed_loop.h"

namespace caregate::bench {

struct ScenarioReport {
  std::string scenario;
  int concurrency = 0;
  int connections = 0;
  int gateways = 1;
  absl::Duration warmup;
  int64_t consents_loaded = 0;
  const LoopResult* result = nullptr;  // borrowed
  // CPU time the load generator / the gateway spent in the window, per call
  // completed in it; unknown when not measured.
  std::optional<double> client_cpu_us_per_call;
  std::optional<double> server_cpu_us_per_call;
  // Commit-to-stream-arrival latency (stream_watch.h), when watched; borrowed.
  const LatencyHistogram* stream_latency_ns = nullptr;
  std::string stream_error;
};

std::string ReportJson(const ScenarioReport& report);
std::string ReportText(const ScenarioReport& report);

// `text` as the inside of a JSON string.
std::string JsonEscape(std::string_view text);

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_LOAD_REPORT_H_
