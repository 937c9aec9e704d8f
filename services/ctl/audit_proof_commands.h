// `caregatectl audit prove` and `caregatectl audit verify-proof`: an audit
// event's RFC 6962 inclusion proof from the gateway, and its offline check
// (proof_verify.h).
#ifndef CAREGATE_SERVICES_CTL_AUDIT_PROOF_COMMANDS_H_
#define CAREGATE_SERVICES_CTL_AUDIT_PROOF_COMMANDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "services/ctl/cli.h"

namespace caregate::ctl {

std::string_view AuditProveUsage();
int RunAuditProve(const std::vector<std::string>& args, CommandIo io);
std::string_view AuditVerifyProofUsage();
int RunAuditVerifyProof(const std::vector<std::string>& args, CommandIo io);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_AUDIT_PROOF_COMMANDS_H_
