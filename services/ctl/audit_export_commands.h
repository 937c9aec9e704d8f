// `caregatectl audit export --out FILE` and `caregatectl audit
// verify-offline FILE --pubkey PEM`: writing the audit log for an auditor,
// and verifying such a file with no gateway, using only the public key.
#ifndef CAREGATE_SERVICES_CTL_AUDIT_EXPORT_COMMANDS_H_
#define CAREGATE_SERVICES_CTL_AUDIT_EXPORT_COMMANDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "services/ctl/cli.h"

namespace caregate::ctl {

std::string_view AuditExportUsage();
int RunAuditExport(const std::vector<std::string>& args, CommandIo io);

std::string_view AuditVerifyOfflineUsage();
int RunAuditVerifyOffline(const std::vector<std::string>& args, CommandIo io);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_AUDIT_EXPORT_COMMANDS_H_
