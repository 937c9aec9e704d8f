// The plumbing every caregatectl command that calls the gateway shares:
// the connection flags plus --json, positional-argument checks, connecting,
// and turning failures into one line on stderr with the right exit code.
//
// Typical use:
//   ClientCommand cmd("caregatectl consent get", io);
//   auto ids = cmd.Parse(args, 1, 1, "CONSENT_ID");
//   if (!ids || !cmd.Connect()) return cmd.exit_code();
//   ... stub(cmd.channel()), cmd.Context() ...
//   if (!status.ok()) return cmd.RpcFailed(status);
//
// Thread-compatible; one per command run.
#ifndef CAREGATE_SERVICES_CTL_CLIENT_COMMAND_H_
#define CAREGATE_SERVICES_CTL_CLIENT_COMMAND_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "services/ctl/cli.h"
#include "services/ctl/connection.h"
#include "services/ctl/flags.h"

namespace caregate::ctl {

class ClientCommand {
 public:
  // `program` prefixes error lines, e.g. "caregatectl consent get".
  ClientCommand(std::string_view program, CommandIo io);

  // Declare the command's own flags here before Parse().
  FlagSet& flags() { return flags_; }

  // Parses `args` and checks that there are min..max positionals (named
  // `what` in the error). std::nullopt after a usage error.
  std::optional<std::vector<std::string>> Parse(
      const std::vector<std::string>& args, size_t min_positionals,
      size_t max_positionals, std::string_view what);

  // Resolves the connection; false after reporting why.
  bool Connect();

  bool json() const { return json_; }
  const Connection& connection() const { return connection_; }
  const ConnectionFlags& connection_flags() const { return connection_flags_; }
  std::shared_ptr<grpc::Channel> channel() const { return connection_.channel; }
  std::unique_ptr<grpc::ClientContext> Context() const {
    return NewContext(connection_);
  }
  std::ostream& out() { return io_.out; }
  CommandIo io() const { return io_; }

  // Report and return the exit code (also kept for exit_code()).
  int Usage(std::string_view message);
  int Fail(std::string_view message);
  int RpcFailed(const grpc::Status& status);
  int exit_code() const { return exit_code_; }

 private:
  std::string program_;
  CommandIo io_;
  FlagSet flags_;
  ConnectionFlags connection_flags_;
  bool json_ = false;
  Connection connection_;
  int exit_code_ = kExitOk;
};

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_CLIENT_COMMAND_H_
