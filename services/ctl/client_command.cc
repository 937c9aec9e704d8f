#include "services/ctl/client_command.h"

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/ctl/output.h"

namespace caregate::ctl {

ClientCommand::ClientCommand(std::string_view program, CommandIo io)
    : program_(program), io_(io) {
  AddConnectionFlags(flags_, &connection_flags_);
  flags_.AddBool("json", &json_);
}

std::optional<std::vector<std::string>> ClientCommand::Parse(
    const std::vector<std::string>& args, size_t min_positionals,
    size_t max_positionals, std::string_view what) {
  absl::StatusOr<std::vector<std::string>> positionals = flags_.Parse(args);
  if (!positionals.ok()) {
    Usage(std::string(positionals.status().message()));
    return std::nullopt;
  }
  if (positionals->size() < min_positionals) {
    Usage(absl::StrCat("missing ", AsAbsl(what)));
    return std::nullopt;
  }
  if (positionals->size() > max_positionals) {
    Usage(max_positionals == 0
              ? absl::StrCat("unexpected argument \"", (*positionals)[0], "\"")
              : absl::StrCat("expected only ", AsAbsl(what)));
    return std::nullopt;
  }
  return *std::move(positionals);
}

bool ClientCommand::Connect() {
  absl::StatusOr<Connection> connection = ctl::Connect(connection_flags_);
  if (!connection.ok()) {
    exit_code_ = StatusError(program_, connection.status(), io_);
    return false;
  }
  connection_ = *std::move(connection);
  return true;
}

int ClientCommand::Usage(std::string_view message) {
  return exit_code_ = UsageError(program_, message, io_);
}

int ClientCommand::Fail(std::string_view message) {
  return exit_code_ = Failed(program_, message, io_);
}

int ClientCommand::RpcFailed(const grpc::Status& status) {
  return Fail(DescribeRpcError(status, connection_));
}

}  // namespace caregate::ctl
