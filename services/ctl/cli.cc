#include "services/ctl/cli.h"

#include <algorithm>

namespace caregate::ctl {
namespace {

constexpr std::string_view kDescription =
    "The command-line client of the caregate consent-gated gateway.";

bool IsHelpFlag(std::string_view arg) { return arg == "--help" || arg == "-h"; }

void PrintOverview(std::string_view program, std::string_view description,
                   const std::vector<Command>& commands, std::ostream& os) {
  os << "usage: " << program << " COMMAND [ARGS...]\n\n"
     << description << "\n\ncommands:\n";
  size_t width = 0;
  for (const Command& c : commands) width = std::max(width, c.name.size());
  for (const Command& c : commands) {
    os << "  " << c.name << std::string(width - c.name.size() + 3, ' ')
       << c.summary << "\n";
  }
  os << "\nRun '" << program << " COMMAND --help' for a command's usage.\n";
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

int RunCommandGroup(std::string_view program, std::string_view description,
                    const std::vector<Command>& commands,
                    const std::vector<std::string>& args, CommandIo io) {
  if (args.empty()) {
    io.err << program << ": missing command\n";
    PrintOverview(program, description, commands, io.err);
    return kExitUsage;
  }
  const std::string& name = args[0];
  if (IsHelpFlag(name) || name == "help") {
    const Command* command =
        args.size() > 1 && name == "help" ? Find(commands, args[1]) : nullptr;
    if (command == nullptr) {
      PrintOverview(program, description, commands, io.out);
      return kExitOk;
    }
    if (!command->group) {
      io.out << command->usage;
      return kExitOk;
    }
    std::vector<std::string> rest(args.begin() + 2, args.end());
    rest.push_back("--help");
    return command->run(rest, io);
  }
  const Command* command = Find(commands, name);
  if (command == nullptr) {
    io.err << program << ": unknown "
           << (name.rfind('-', 0) == 0 ? "flag" : "command") << " \"" << name
           << "\"\n";
    PrintOverview(program, description, commands, io.err);
    return kExitUsage;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command->group) return command->run(rest, io);
  if (AsksForHelp(rest)) {
    io.out << command->usage;
    return kExitOk;
  }
  int code = command->run(rest, io);
  if (code == kExitUsage) io.err << "\n" << command->usage;
  return code;
}

int RunCli(const std::vector<Command>& commands,
           const std::vector<std::string>& args, CommandIo io) {
  return RunCommandGroup("caregatectl", kDescription, commands, args, io);
}

}  // namespace caregate::ctl
