// caregatectl: the command-line client of caregate. See services/ctl/cli.h.
#include <iostream>
#include <string>
#include <vector>

#include "grpc/support/log.h"
#include "services/ctl/cli.h"

namespace {
// gRPC's own log lines (e.g. a failed TLS handshake) would break the
// one-line error convention; the CLI reports failures itself.
void DiscardGrpcLog(gpr_log_func_args*) {}
}  // namespace

int main(int argc, char** argv) {
  gpr_set_log_function(DiscardGrpcLog);
  std::vector<std::string> args(argv + 1, argv + argc);
  return caregate::ctl::RunCli(args, {std::cout, std::cerr});
}
