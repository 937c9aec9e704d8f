#include "services/rpc/json_log.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "spdlog/async.h"
#include "spdlog/pattern_formatter.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace caregate {
namespace {

// Marks a payload that already holds JSON members.
constexpr char kPreformatted = '\x1e';

// The %* flag: the message as JSON members.
class JsonPayloadFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view payload(msg.payload.data(), msg.payload.size());
    std::string out;
    if (!payload.empty() && payload.front() == kPreformatted) {
      out.assign(payload.substr(1));
    } else {
      out = "\"msg\":\"";
      AppendJsonEscaped(payload, &out);
      out += "\"";
    }
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonPayloadFlag>();
  }
};

}  // namespace

void AppendJsonEscaped(std::string_view text, std::string* out) {
  for (unsigned char ch : text) {
    switch (ch) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (ch < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", ch);
        } else {
          out->push_back(static_cast<char>(ch));
        }
    }
  }
}

void InstallJsonLogFormat() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(
      spdlog::pattern_time_type::utc, std::string("\n"));
  formatter->add_flag<JsonPayloadFlag>('*').set_pattern(
      "{\"time\":\"%Y-%m-%dT%H:%M:%S.%fZ\",\"level\":\"%l\",%*}");
  spdlog::set_formatter(std::move(formatter));
}

void InstallAsyncJsonStderrLogger() {
  spdlog::init_thread_pool(/*queue_size=*/16384, /*thread_count=*/1);
  auto logger = std::make_shared<spdlog::async_logger>(
      "caregated", std::make_shared<spdlog::sinks::stderr_sink_mt>(),
      spdlog::thread_pool(), spdlog::async_overflow_policy::overrun_oldest);
  spdlog::set_default_logger(std::move(logger));
  InstallJsonLogFormat();
}

void LogFinishedCall(std::string_view rpc, std::string_view principal_id,
                     absl::StatusCode code, absl::Duration duration) {
  std::string line(1, kPreformatted);
  line += "\"msg\":\"rpc finished\",\"rpc\":\"";
  AppendJsonEscaped(rpc, &line);
  line += "\",\"principal\":\"";
  AppendJsonEscaped(principal_id, &line);
  absl::StrAppend(
      &line, "\",\"status\":\"", absl::StatusCodeToString(code),
      "\",\"duration_ms\":",
      absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(duration)));
  if (code == absl::StatusCode::kOk) {
    spdlog::info(line);
  } else {
    spdlog::warn(line);
  }
}

}  // namespace caregate
