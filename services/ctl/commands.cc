// The table of caregatectl subcommands. Add a line here for a new one.
#include "services/ctl/cli.h"
#include "services/ctl/dev_init_command.h"

namespace caregate::ctl {

const std::vector<Command>& AllCommands() {
  static const auto* commands = new std::vector<Command>{
      {"dev-init", kDevInitSummary, kDevInitUsage, RunDevInitCommand},
  };
  return *commands;
}

}  // namespace caregate::ctl
