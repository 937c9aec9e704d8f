// `caregatectl dev-init DIR [--listen HOST:PORT] [--trust-domain DOMAIN]
// [--push ORG=HOST:PORT]...`: writes a local development setup
// (services/pki/dev_pki.h) and says how to start the gateway on it.
#ifndef CAREGATE_SERVICES_CTL_DEV_INIT_COMMAND_H_
#define CAREGATE_SERVICES_CTL_DEV_INIT_COMMAND_H_

#include <string>
#include <string_view>
#include <vector>

#include "services/ctl/cli.h"

namespace caregate::ctl {

extern const std::string_view kDevInitSummary;
extern const std::string_view kDevInitUsage;

// Exit 0 when written, 1 when refused or failed, 2 for a bad command line.
int RunDevInitCommand(const std::vector<std::string>& args, CommandIo io);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_DEV_INIT_COMMAND_H_
