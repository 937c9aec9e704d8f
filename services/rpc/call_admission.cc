#include "services/rpc/call_admission.h"

#include "absl/strings/str_cat.h"
#include "services/security/peer_identity.h"

namespace caregate {

const PrincipalInfo* CallAdmission::Admit(
    grpc::CallbackServerContext* context, Rpc rpc,
    std::function<void(absl::Status)> refuse) {
  const PrincipalInfo* principal = nullptr;
  std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
  if (auth != nullptr) {
    std::optional<std::string> id =
        PrincipalIdFromAuthContext(*auth, config_->trust_domain());
    if (id.has_value()) principal = config_->FindPrincipal(*id);
  }
  absl::Status status = AuthorizeCall(principal, rpc);
  if (status.ok()) return principal;
  if (status.code() == absl::StatusCode::kPermissionDenied) {
    AuditDenied(*principal, rpc, "", std::move(status), std::move(refuse));
  } else {
    refuse(std::move(status));
  }
  return nullptr;
}

const PrincipalInfo* CallAdmission::Admit(
    const std::shared_ptr<UnaryCall>& call) {
  const PrincipalInfo* principal =
      Admit(call->context(), call->rpc(),
            [call](absl::Status s) { call->Finish(s); });
  if (principal != nullptr) call->set_principal(principal);
  return principal;
}

void CallAdmission::RefuseAsNotFound(const PrincipalInfo& principal, Rpc rpc,
                                     std::string subject_id,
                                     std::string message,
                                     std::function<void(absl::Status)> finish) {
  AuditDenied(principal, rpc, std::move(subject_id),
              absl::NotFoundError(std::move(message)), std::move(finish));
}

void CallAdmission::AuditDenied(const PrincipalInfo& principal, Rpc rpc,
                                std::string subject_id, absl::Status refusal,
                                std::function<void(absl::Status)> finish) {
  AuditEvent event;
  event.actor_principal_id = principal.principal_id;
  event.actor_role = principal.role;
  event.actor_org_id = principal.org_id;
  event.action = v1::AUDIT_ACTION_ACCESS_DENIED;
  event.subject_id = std::move(subject_id);
  event.detail = absl::StrCat(std::string(RpcName(rpc)), " ",
                              absl::StatusCodeToString(refusal.code()));
  ledger_->Submit(
      [event = std::move(event)](LedgerTxn& txn) -> absl::Status {
        return txn.Audit(event).status();
      },
      [refusal = std::move(refusal), finish = std::move(finish)](
          absl::Status audited) {
        // The refusal stands even if auditing failed; the store error is
        // reported instead so the caller retries.
        finish(audited.ok() ? refusal : audited);
      });
}

}  // namespace caregate
