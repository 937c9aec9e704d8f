// The table of caregatectl subcommands. Add a line here for a new one.
#include "services/ctl/commands.h"

#include "services/ctl/cli.h"
#include "services/ctl/dev_init_command.h"

namespace caregate::ctl {

const std::vector<Command>& AllCommands() {
  static const auto* commands = new std::vector<Command>{
      {"dev-init", kDevInitSummary, kDevInitUsage, RunDevInitCommand},
      {"health", "check that the gateway is serving", HealthUsage(), RunHealth},
      {"consent", "record, revoke, get and list consents (therapist)", "",
       RunConsentGroup, /*group=*/true},
      {"check", "dry-run a disclosure against the consents (therapist)",
       CheckUsage(), RunCheck},
      {"send", "send a disclosure if the consents permit it (therapist)",
       SendUsage(), RunSend},
      {"disclosure", "show a sent disclosure's delivery (therapist)", "",
       RunDisclosureGroup, /*group=*/true},
      {"inbox", "list, watch, show and acknowledge messages (clinic)", "",
       RunInboxGroup, /*group=*/true},
      {"audit", "query, verify, export the audit log (compliance)", "",
       RunAuditGroup, /*group=*/true},
  };
  return *commands;
}

}  // namespace caregate::ctl
