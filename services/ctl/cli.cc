#include "services/ctl/cli.h"

#include <algorithm>

namespace caregate::ctl {
namespace {

bool IsHelpFlag(std::string_view arg) { return arg == "--help" || arg == "-h"; }

void PrintOverview(const std::vector<Command>& commands, std::ostream& os) {
  os << "usage: caregatectl COMMAND [ARGS...]\n\n"
     << "The command-line client of the caregate consent-gated gateway.\n\n"
     << "commands:\n";
  size_t width = 0;
  for (const Command& c : commands) width = std::max(width, c.name.size());
  for (const Command& c : commands) {
    os << "  " << c.name << std::string(width - c.name.size() + 3, ' ')
       << c.summary << "\n";
  }
  os << "\nRun 'caregatectl COMMAND --help' for a command's usage.\n";
}

const Command* Find(const std::vector<Command>& commands,
                    std::string_view name) {
  for (const Command& c : commands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// True when a help flag comes before any "--".
bool AsksForHelp(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--") return false;
    if (IsHelpFlag(arg)) return true;
  }
  return false;
}

}  // namespace

int RunCli(const std::vector<Command>& commands,
           const std::vector<std::string>& args, CommandIo io) {
  if (args.empty()) {
    io.err << "caregatectl: missing command\n";
    PrintOverview(commands, io.err);
    return kExitUsage;
  }
  const std::string& name = args[0];
  if (IsHelpFlag(name) || name == "help") {
    const Command* command =
        args.size() > 1 && name == "help" ? Find(commands, args[1]) : nullptr;
    if (command != nullptr) {
      io.out << command->usage;
    } else {
      PrintOverview(commands, io.out);
    }
    return kExitOk;
  }
  const Command* command = Find(commands, name);
  if (command == nullptr) {
    io.err << "caregatectl: unknown "
           << (name.rfind('-', 0) == 0 ? "flag" : "command") << " \"" << name
           << "\"\n";
    PrintOverview(commands, io.err);
    return kExitUsage;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (AsksForHelp(rest)) {
    io.out << command->usage;
    return kExitOk;
  }
  int code = command->run(rest, io);
  if (code == kExitUsage) io.err << "\n" << command->usage;
  return code;
}

int RunCli(const std::vector<std::string>& args, CommandIo io) {
  return RunCli(AllCommands(), args, io);
}

}  // namespace caregate::ctl
