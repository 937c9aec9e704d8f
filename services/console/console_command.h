// `caregatectl console`: serves the compliance console on a loopback
// address until interrupted (SIGINT or SIGTERM). Joins caregatectl's table
// in services/ctl/commands.cc.
#ifndef CAREGATE_SERVICES_CONSOLE_CONSOLE_COMMAND_H_
#define CAREGATE_SERVICES_CONSOLE_CONSOLE_COMMAND_H_

#include <string>
#include <string_view>
#include <vector>

#include "services/ctl/cli.h"

namespace caregate::console {

std::string_view ConsoleUsage();

// Prints exactly one line to io.out, "caregate console: URL", then opens
// URL with xdg-open unless --no-browser, and serves until SIGINT or
// SIGTERM (kExitOk). kExitUsage for a bad command line (a non-loopback
// --listen included); kExitFailed when the profile cannot be used or the
// address cannot be bound.
int RunConsoleCommand(const std::vector<std::string>& args, ctl::CommandIo io);

}  // namespace caregate::console

#endif  // CAREGATE_SERVICES_CONSOLE_CONSOLE_COMMAND_H_
