// Operational logging as JSON lines: one object per line with time, level and
// msg, plus rpc, principal, status and duration for finished calls.
//
// Never pass request content (bodies, titles, names, notes) to these
// functions or to spdlog: only ids, enum names and status codes.
#ifndef CAREGATE_SERVICES_RPC_JSON_LOG_H_
#define CAREGATE_SERVICES_RPC_JSON_LOG_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace caregate {

// Installs the JSON-lines format on spdlog's default logger (stderr). Any
// plain spdlog message becomes {"time":..,"level":..,"msg":"<escaped>"}.
void InstallJsonLogFormat();

// Makes the default logger write to stderr in batches from one background
// thread (BatchedLogSink), so RPC threads never make a system call or wait on
// the terminal or a pipe to log, then installs the JSON format. Lines reach
// stderr within ~200 ms, warnings and errors at once; spdlog::shutdown()
// writes what is left. If stderr stops being read, lines are dropped and
// counted: these are operational logs, not the audit record.
void InstallBatchedJsonStderrLogger();

// Sends protobuf's and gRPC's own log output through spdlog, so every line on
// stderr is a JSON object (no "[libprotobuf ERROR ...]" lines among them).
// Their messages name fields and files, never request content. Call once,
// after the logger is installed.
void RouteLibraryLogsToSpdlog();

// Appends `text` to `out` as the body of a JSON string (without quotes).
void AppendJsonEscaped(std::string_view text, std::string* out);

// Logs one finished RPC.
void LogFinishedCall(std::string_view rpc, std::string_view principal_id,
                     absl::StatusCode code, absl::Duration duration);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_RPC_JSON_LOG_H_
