// caregatectl: the command-line client of caregate. See services/ctl/cli.h.
#include <iostream>
#include <string>
#include <vector>

#include "services/ctl/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return caregate::ctl::RunCli(args, {std::cout, std::cerr});
}
