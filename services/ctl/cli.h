// The caregatectl command line: tables of subcommands and the dispatcher
// that picks one, handles --help and maps outcomes to exit codes.
//
// Adding a subcommand: write `int RunFoo(const std::vector<std::string>&
// args, CommandIo io)` in its own file and add {name, summary, usage, RunFoo}
// to the table in commands.cc. The dispatcher answers `NAME --help` with the
// usage text; when RunFoo returns kExitUsage (after writing a one-line error
// to io.err) it also prints the usage to io.err.
//
// A command with subcommands of its own (`caregatectl consent record ...`)
// is a group: its entry sets `group`, and its run function calls
// RunCommandGroup with its own table, which handles help and usage for the
// subcommands the same way.
//
// Functions here are thread-compatible; commands write only to `io`.
#ifndef CAREGATE_SERVICES_CTL_CLI_H_
#define CAREGATE_SERVICES_CTL_CLI_H_

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace caregate::ctl {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // Refused or failed; one line on err.
inline constexpr int kExitUsage = 2;   // Bad command line; usage on err.

// Where a command writes: results to `out`, errors to `err`.
struct CommandIo {
  std::ostream& out;
  std::ostream& err;
};

using CommandFn = int (*)(const std::vector<std::string>& args, CommandIo io);

struct Command {
  std::string_view name;     // e.g. "dev-init"
  std::string_view summary;  // One line for `caregatectl --help`.
  std::string_view usage;    // Full help for `caregatectl NAME --help`.
  CommandFn run;             // Gets the arguments after NAME.
  // True for a group: `run` gets every argument, --help included, and
  // prints its own usage.
  bool group = false;
};

// Every subcommand, in the order --help lists them (commands.cc, in the
// caregate_ctl_commands library).
const std::vector<Command>& AllCommands();

// Runs caregatectl with `args` (argv without argv[0]) and returns the exit
// code (commands.cc).
int RunCli(const std::vector<std::string>& args, CommandIo io);
// The same with another command table, for tests.
int RunCli(const std::vector<Command>& commands,
           const std::vector<std::string>& args, CommandIo io);

// Dispatches `args` to one of `commands`. `program` prefixes messages and
// usage ("caregatectl consent"); `description` is the paragraph of the
// overview that `program --help` prints.
int RunCommandGroup(std::string_view program, std::string_view description,
                    const std::vector<Command>& commands,
                    const std::vector<std::string>& args, CommandIo io);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_CLI_H_
