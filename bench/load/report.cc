#include "bench/load/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace caregate::bench {
namespace {

double Ms(uint64_t nanos) { return static_cast<double>(nanos) / 1e6; }

std::string Number(double value, int decimals) {
  return absl::StrFormat("%.*f", decimals, value);
}

}  // namespace

std::string JsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char ch : text) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (ch < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", ch);
        } else {
          out.push_back(static_cast<char>(ch));
        }
    }
  }
  return out;
}

std::string ReportJson(const ScenarioReport& report) {
  const LoopResult& r = *report.result;
  const LatencyHistogram& h = *r.latency_ns;
  std::string out = absl::StrCat(
      "{\"scenario\":\"", JsonEscape(report.scenario), "\"",
      ",\"concurrency\":", report.concurrency,
      ",\"connections\":", report.connections,
      ",\"gateways\":", report.gateways,
      ",\"duration_s\":", Number(absl::ToDoubleSeconds(r.window), 3),
      ",\"warmup_s\":", Number(absl::ToDoubleSeconds(report.warmup), 3),
      ",\"calls\":", r.calls, ",\"errors\":", r.errors,
      ",\"rps\":", Number(r.rps(), 1));
  absl::StrAppend(&out, ",\"p50_ms\":", Number(Ms(h.Percentile(50)), 3),
                  ",\"p90_ms\":", Number(Ms(h.Percentile(90)), 3),
                  ",\"p99_ms\":", Number(Ms(h.Percentile(99)), 3),
                  ",\"max_ms\":", Number(Ms(h.max()), 3),
                  ",\"mean_ms\":", Number(h.mean() / 1e6, 3),
                  ",\"consents_loaded\":", report.consents_loaded);
  out += ",\"error_codes\":{";
  bool first = true;
  for (int i = 0; i < kErrorClasses; ++i) {
    if (r.errors_by_class[i] == 0) continue;
    absl::StrAppend(&out, first ? "" : ",", "\"", ErrorClassName(i),
                    "\":", r.errors_by_class[i]);
    first = false;
  }
  out += "},\"ops\":{";
  for (size_t i = 0; i < r.op_names.size() && i < r.calls_by_op.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ",", "\"", JsonEscape(r.op_names[i]),
                    "\":", r.calls_by_op[i]);
  }
  out += "}";
  if (report.client_cpu_us_per_call.has_value()) {
    absl::StrAppend(&out, ",\"client_cpu_us_per_call\":",
                    Number(*report.client_cpu_us_per_call, 1));
  }
  if (report.server_cpu_us_per_call.has_value()) {
    absl::StrAppend(&out, ",\"server_cpu_us_per_call\":",
                    Number(*report.server_cpu_us_per_call, 1));
  }
  if (report.stream_latency_ns != nullptr) {
    const LatencyHistogram& s = *report.stream_latency_ns;
    absl::StrAppend(&out, ",\"stream_messages\":", s.count(),
                    ",\"stream_p50_ms\":", Number(Ms(s.Percentile(50)), 3),
                    ",\"stream_p99_ms\":", Number(Ms(s.Percentile(99)), 3),
                    ",\"stream_max_ms\":", Number(Ms(s.max()), 3));
  }
  if (!report.stream_error.empty()) {
    absl::StrAppend(&out, ",\"stream_error\":\"",
                    JsonEscape(report.stream_error), "\"");
  }
  if (!r.first_error.empty()) {
    absl::StrAppend(&out, ",\"first_error\":\"", JsonEscape(r.first_error),
                    "\"");
  }
  out += "}";
  return out;
}

std::string ReportText(const ScenarioReport& report) {
  const LoopResult& r = *report.result;
  const LatencyHistogram& h = *r.latency_ns;
  std::string out = absl::StrFormat(
      "%-7s c=%d conns=%d %6.2fs calls=%d errors=%d rps=%.1f  "
      "p50=%.3fms p90=%.3fms p99=%.3fms max=%.3fms  consents=%d",
      report.scenario, report.concurrency, report.connections,
      absl::ToDoubleSeconds(r.window), r.calls, r.errors, r.rps(),
      Ms(h.Percentile(50)), Ms(h.Percentile(90)), Ms(h.Percentile(99)),
      Ms(h.max()), report.consents_loaded);
  if (report.gateways > 1) {
    absl::StrAppendFormat(&out, " gateways=%d", report.gateways);
  }
  if (report.stream_latency_ns != nullptr) {
    const LatencyHistogram& s = *report.stream_latency_ns;
    absl::StrAppendFormat(&out,
                          "  stream: %d messages p50=%.3fms p99=%.3fms "
                          "max=%.3fms",
                          s.count(), Ms(s.Percentile(50)),
                          Ms(s.Percentile(99)), Ms(s.max()));
  }
  if (!report.stream_error.empty()) {
    absl::StrAppend(&out, "\n        stream error: ", report.stream_error);
  }
  if (report.server_cpu_us_per_call.has_value()) {
    absl::StrAppendFormat(&out, "  cpu/call: gateway %.1fus",
                          *report.server_cpu_us_per_call);
  }
  if (report.client_cpu_us_per_call.has_value()) {
    absl::StrAppendFormat(&out, " bench %.1fus",
                          *report.client_cpu_us_per_call);
  }
  if (!r.first_error.empty()) {
    absl::StrAppend(&out, "\n        first error: ", r.first_error);
  }
  return out;
}

}  // namespace caregate::bench
