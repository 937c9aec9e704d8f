// The caregatectl commands that call the gateway, one run function per
// top-level entry of the table in commands.cc. Groups (consent, disclosure,
// inbox, audit) dispatch to their own subcommands. Each returns kExitOk,
// kExitFailed (refused or failed, one line on stderr) or kExitUsage.
// Thread-compatible: each run writes only to its CommandIo.
#ifndef CAREGATE_SERVICES_CTL_COMMANDS_H_
#define CAREGATE_SERVICES_CTL_COMMANDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "services/ctl/cli.h"

namespace caregate::ctl {

// health_command.cc
std::string_view HealthUsage();
int RunHealth(const std::vector<std::string>& args, CommandIo io);

// consent_commands.cc: record, revoke, get, list.
int RunConsentGroup(const std::vector<std::string>& args, CommandIo io);

// disclosure_commands.cc: check, send, and the group disclosure (get).
std::string_view CheckUsage();
int RunCheck(const std::vector<std::string>& args, CommandIo io);
std::string_view SendUsage();
int RunSend(const std::vector<std::string>& args, CommandIo io);
int RunDisclosureGroup(const std::vector<std::string>& args, CommandIo io);

// inbox_commands.cc: list, watch, show, ack.
int RunInboxGroup(const std::vector<std::string>& args, CommandIo io);

// delivery_commands.cc: list, retry.
int RunDeliveryGroup(const std::vector<std::string>& args, CommandIo io);

// audit_commands.cc: query, verify, checkpoint, accounting, and with
// audit_export_commands.cc: export, verify-offline.
int RunAuditGroup(const std::vector<std::string>& args, CommandIo io);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_COMMANDS_H_
