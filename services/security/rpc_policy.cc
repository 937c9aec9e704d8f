#include "services/security/rpc_policy.h"

#include <array>

#include "absl/strings/str_cat.h"

namespace caregate {
namespace {

using v1::ROLE_ADMIN;
using v1::ROLE_CLINIC;
using v1::ROLE_COMPLIANCE;
using v1::ROLE_THERAPIST;

struct RpcEntry {
  Rpc rpc;
  std::string_view name;
  std::initializer_list<v1::Role> roles;
};

// The table. Deny by default: a role not listed may not call the RPC.
constexpr RpcEntry kRpcTable[] = {
    {Rpc::kRecordConsent,
     "/caregate.v1.ConsentService/RecordConsent",
     {ROLE_THERAPIST}},
    {Rpc::kRevokeConsent,
     "/caregate.v1.ConsentService/RevokeConsent",
     {ROLE_THERAPIST}},
    {Rpc::kGetConsent,
     "/caregate.v1.ConsentService/GetConsent",
     {ROLE_THERAPIST, ROLE_COMPLIANCE}},
    {Rpc::kListConsents,
     "/caregate.v1.ConsentService/ListConsents",
     {ROLE_THERAPIST, ROLE_COMPLIANCE}},
    {Rpc::kCheckDisclosure,
     "/caregate.v1.DisclosureService/CheckDisclosure",
     {ROLE_THERAPIST}},
    {Rpc::kSendDisclosure,
     "/caregate.v1.DisclosureService/SendDisclosure",
     {ROLE_THERAPIST}},
    {Rpc::kGetDisclosure,
     "/caregate.v1.DisclosureService/GetDisclosure",
     {ROLE_THERAPIST}},
    {Rpc::kListMessages,
     "/caregate.v1.InboxService/ListMessages",
     {ROLE_CLINIC}},
    {Rpc::kStreamMessages,
     "/caregate.v1.InboxService/StreamMessages",
     {ROLE_CLINIC}},
    {Rpc::kAcknowledgeMessage,
     "/caregate.v1.InboxService/AcknowledgeMessage",
     {ROLE_CLINIC}},
    {Rpc::kGetMessage, "/caregate.v1.InboxService/GetMessage", {ROLE_CLINIC}},
    {Rpc::kQueryAuditEvents,
     "/caregate.v1.AuditService/QueryAuditEvents",
     {ROLE_COMPLIANCE}},
    {Rpc::kVerifyAuditLog,
     "/caregate.v1.AuditService/VerifyAuditLog",
     {ROLE_COMPLIANCE}},
    {Rpc::kGetCheckpoint,
     "/caregate.v1.AuditService/GetCheckpoint",
     {ROLE_COMPLIANCE}},
    {Rpc::kGetAccountingOfDisclosures,
     "/caregate.v1.AuditService/GetAccountingOfDisclosures",
     {ROLE_COMPLIANCE}},
    {Rpc::kSummarizeAuditEvents,
     "/caregate.v1.AuditService/SummarizeAuditEvents",
     {ROLE_COMPLIANCE}},
    // Hashes only: a therapist checks a receipt, a clinic a message.
    {Rpc::kGetInclusionProof,
     "/caregate.v1.AuditService/GetInclusionProof",
     {ROLE_THERAPIST, ROLE_CLINIC, ROLE_COMPLIANCE}},
    {Rpc::kGetConsistencyProof,
     "/caregate.v1.AuditService/GetConsistencyProof",
     {ROLE_THERAPIST, ROLE_CLINIC, ROLE_COMPLIANCE}},
    // The outbox: ids, states and errors, never content.
    {Rpc::kListDeliveries,
     "/caregate.v1.DeliveryService/ListDeliveries",
     {ROLE_COMPLIANCE, ROLE_ADMIN}},
    {Rpc::kRetryDelivery,
     "/caregate.v1.DeliveryService/RetryDelivery",
     {ROLE_COMPLIANCE, ROLE_ADMIN}},
};

const RpcEntry& Entry(Rpc rpc) {
  const auto index = static_cast<size_t>(rpc);
  return kRpcTable[index];
}

}  // namespace

std::string_view RpcName(Rpc rpc) { return Entry(rpc).name; }

bool RoleMayCall(v1::Role role, Rpc rpc) {
  for (v1::Role allowed : Entry(rpc).roles) {
    if (allowed == role) return true;
  }
  return false;
}

absl::Status AuthorizeCall(const PrincipalInfo* principal, Rpc rpc) {
  if (principal == nullptr) {
    return absl::UnauthenticatedError(
        "client certificate does not name a configured principal");
  }
  if (principal->disabled) {
    return absl::UnauthenticatedError(
        absl::StrCat("principal ", principal->principal_id, " is disabled"));
  }
  if (!RoleMayCall(principal->role, rpc)) {
    return absl::PermissionDeniedError(
        absl::StrCat("role ", v1::Role_Name(principal->role), " may not call ",
                     std::string(RpcName(rpc))));
  }
  return absl::OkStatus();
}

}  // namespace caregate
