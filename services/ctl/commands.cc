// The table of caregatectl subcommands. Add a line here for a new one.
//
// Built apart from caregate_ctl (as caregate_ctl_commands), so commands from
// libraries that themselves build on caregate_ctl (the console) can join the
// table without a dependency cycle.
#include "services/ctl/commands.h"

#include "services/console/console_command.h"
#include "services/ctl/cli.h"
#include "services/ctl/dev_init_command.h"

namespace caregate::ctl {

const std::vector<Command>& AllCommands() {
  static const auto* commands = new std::vector<Command>{
      {"dev-init", kDevInitSummary, kDevInitUsage, RunDevInitCommand},
      {"health", "check that the gateway is serving", HealthUsage(), RunHealth},
      {"consent", "record, revoke, get, list and export consents (therapist)",
       "", RunConsentGroup, /*group=*/true},
      {"check", "dry-run a disclosure against the consents (therapist)",
       CheckUsage(), RunCheck},
      {"send", "send a disclosure if the consents permit it (therapist)",
       SendUsage(), RunSend},
      {"disclosure", "show a sent disclosure's delivery (therapist)", "",
       RunDisclosureGroup, /*group=*/true},
      {"inbox", "list, watch, show and acknowledge messages (clinic)", "",
       RunInboxGroup, /*group=*/true},
      {"delivery", "list stuck push deliveries and retry them (compliance)", "",
       RunDeliveryGroup, /*group=*/true},
      {"audit", "query, verify, export the audit log (compliance)", "",
       RunAuditGroup, /*group=*/true},
      {"console", "a local web console for the audit log (compliance)",
       console::ConsoleUsage(), console::RunConsoleCommand},
  };
  return *commands;
}

int RunCli(const std::vector<std::string>& args, CommandIo io) {
  return RunCli(AllCommands(), args, io);
}

}  // namespace caregate::ctl
