// `caregatectl health`: asks the gateway's grpc.health.v1 service whether
// it is serving, optionally waiting for it to come up.
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/absl_compat.h"
#include "services/ctl/client_command.h"
#include "services/ctl/commands.h"
#include "services/ctl/output.h"
#include "services/ctl/time_text.h"

namespace caregate::ctl {
namespace {

using HealthResponse = ::grpc::health::v1::HealthCheckResponse;

constexpr std::string_view kProgram = "caregatectl health";

// One Check; with `wait`, waits for the channel to be ready until `deadline`.
grpc::Status CheckOnce(ClientCommand& cmd, bool wait, absl::Time deadline,
                       HealthResponse* response) {
  auto stub = ::grpc::health::v1::Health::NewStub(cmd.channel());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(
      wait ? deadline : absl::Now() + cmd.connection().timeout));
  context.set_wait_for_ready(wait);
  return stub->Check(&context, ::grpc::health::v1::HealthCheckRequest(),
                     response);
}

}  // namespace

std::string_view HealthUsage() {
  static const std::string* usage = new std::string(absl::StrCat(
      "usage: caregatectl health [--wait DURATION] [--json] [connection "
      "flags]\n"
      "\n"
      "Asks the gateway whether it is serving (grpc.health.v1). Exit 0 when\n"
      "it is, 1 when it is not or cannot be reached. Any principal's\n"
      "certificate will do.\n"
      "\n"
      "flags:\n"
      "  --wait DURATION  keep trying until the gateway serves or DURATION\n"
      "                   has passed (e.g. 30s); default: one try\n"
      "  --json           print the HealthCheckResponse as JSON\n\n",
      AsAbsl(kConnectionFlagsHelp),
      "\n"
      "examples:\n"
      "  caregatectl health --profile dev/pki/dr-rivera\n"
      "  caregatectl health --profile dev/pki/gateway-admin --wait 30s\n"));
  return *usage;
}

int RunHealth(const std::vector<std::string>& args, CommandIo io) {
  ClientCommand cmd(kProgram, io);
  std::string wait_text;
  cmd.flags().AddString("wait", &wait_text);
  if (!cmd.Parse(args, 0, 0, "")) return cmd.exit_code();
  absl::Duration wait = absl::ZeroDuration();
  if (!wait_text.empty()) {
    absl::StatusOr<absl::Duration> parsed = ParseDurationText(wait_text);
    if (!parsed.ok()) {
      return cmd.Usage(absl::StrCat("--wait: ", parsed.status().message()));
    }
    wait = *parsed;
  }
  if (!cmd.Connect()) return cmd.exit_code();
  const absl::Time deadline = absl::Now() + wait;
  HealthResponse response;
  grpc::Status status;
  for (;;) {
    response.Clear();
    status = CheckOnce(cmd, wait > absl::ZeroDuration(), deadline, &response);
    const bool serving =
        status.ok() && response.status() == HealthResponse::SERVING;
    if (serving || absl::Now() + absl::Milliseconds(100) >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
      wait > absl::ZeroDuration()) {
    return cmd.Fail(absl::StrCat("the gateway at ", cmd.connection().target,
                                 " did not become ready within ",
                                 absl::FormatDuration(wait)));
  }
  if (!status.ok()) return cmd.RpcFailed(status);
  if (cmd.json()) {
    PrintJsonLine(response, cmd.out());
  } else {
    cmd.out() << HealthResponse::ServingStatus_Name(response.status())
              << " (gateway " << cmd.connection().target << ")\n";
  }
  if (response.status() != HealthResponse::SERVING) {
    return cmd.Fail(absl::StrCat("the gateway at ", cmd.connection().target,
                                 " is not serving"));
  }
  return kExitOk;
}

}  // namespace caregate::ctl
