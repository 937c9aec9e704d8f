// Which roles may call which RPC: the one table of the gateway's role checks.
//
// Plain C++; thread-safe (immutable data).
#ifndef CAREGATE_SERVICES_SECURITY_RPC_POLICY_H_
#define CAREGATE_SERVICES_SECURITY_RPC_POLICY_H_

#include <initializer_list>
#include <string_view>

#include "absl/status/status.h"
#include "caregate/v1/types.pb.h"
#include "services/config/gateway_config.h"

namespace caregate {

// Every RPC of the caregate.v1 services.
enum class Rpc {
  kRecordConsent,
  kRevokeConsent,
  kGetConsent,
  kListConsents,
  kCheckDisclosure,
  kSendDisclosure,
  kGetDisclosure,
  kListMessages,
  kStreamMessages,
  kAcknowledgeMessage,
  kGetMessage,
  kQueryAuditEvents,
  kVerifyAuditLog,
  kGetCheckpoint,
  kGetAccountingOfDisclosures,
  kSummarizeAuditEvents,
  kGetInclusionProof,
  kGetConsistencyProof,
  kListDeliveries,
  kRetryDelivery,
};

// The full method name, e.g. "/caregate.v1.ConsentService/RecordConsent".
std::string_view RpcName(Rpc rpc);
// True when `role` may call `rpc`.
bool RoleMayCall(v1::Role role, Rpc rpc);

// Decides whether `principal` (nullptr: unknown) may call `rpc`:
// UNAUTHENTICATED for an unknown or disabled principal, PERMISSION_DENIED
// naming the role for a role the table does not allow, OK otherwise.
absl::Status AuthorizeCall(const PrincipalInfo* principal, Rpc rpc);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_SECURITY_RPC_POLICY_H_
