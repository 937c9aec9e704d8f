#include "services/rpc/json_log.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/stubs/logging.h"
#include "grpc/support/log.h"
#include "services/rpc/batched_log_sink.h"
#include "spdlog/pattern_formatter.h"
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
    if (!payload.empty() && payload.front() == kPreformatted) {
      dest.append(payload.data() + 1, payload.data() + payload.size());
      return;
    }
    std::string out = "\"msg\":\"";
    AppendJsonEscaped(payload, &out);
    out += "\"";
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonPayloadFlag>();
  }
};

void ProtobufLog(google::protobuf::LogLevel level, const char* filename,
                 int line, const std::string& message) {
  using google::protobuf::LogLevel;
  const spdlog::level::level_enum to =
      level >= google::protobuf::LOGLEVEL_ERROR     ? spdlog::level::err
      : level == google::protobuf::LOGLEVEL_WARNING ? spdlog::level::warn
                                                    : spdlog::level::info;
  spdlog::log(to, "protobuf: {} ({}:{})", message, filename, line);
}

void GrpcLog(gpr_log_func_args* args) {
  const spdlog::level::level_enum to =
      args->severity == GPR_LOG_SEVERITY_ERROR   ? spdlog::level::err
      : args->severity == GPR_LOG_SEVERITY_INFO  ? spdlog::level::info
                                                 : spdlog::level::debug;
  spdlog::log(to, "grpc: {} ({}:{})", args->message, args->file, args->line);
}

}  // namespace

void RouteLibraryLogsToSpdlog() {
  google::protobuf::SetLogHandler(&ProtobufLog);
  gpr_set_log_function(&GrpcLog);
}

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

void InstallBatchedJsonStderrLogger() {
  auto logger = std::make_shared<spdlog::logger>(
      "caregated", std::make_shared<BatchedLogSink>(STDERR_FILENO,
                                                    BatchedLogSink::Options{}));
  spdlog::set_default_logger(std::move(logger));
  InstallJsonLogFormat();
}

void LogFinishedCall(std::string_view rpc, std::string_view principal_id,
                     absl::StatusCode code, absl::Duration duration) {
  const int64_t micros =
      std::max<int64_t>(0, absl::ToInt64Microseconds(duration));
  char millis[32];  // "%.3f" of the milliseconds, without floating point
  std::snprintf(millis, sizeof(millis), "%lld.%03lld",
                static_cast<long long>(micros / 1000),
                static_cast<long long>(micros % 1000));
  std::string line;
  line.reserve(160);
  line.push_back(kPreformatted);
  line += "\"msg\":\"rpc finished\",\"rpc\":\"";
  AppendJsonEscaped(rpc, &line);
  line += "\",\"principal\":\"";
  AppendJsonEscaped(principal_id, &line);
  absl::StrAppend(&line, "\",\"status\":\"", absl::StatusCodeToString(code),
                  "\",\"duration_ms\":", millis);
  if (code == absl::StatusCode::kOk) {
    spdlog::info(line);
  } else {
    spdlog::warn(line);
  }
}

}  // namespace caregate
