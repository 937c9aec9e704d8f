// Admits calls: identifies the caller from its mTLS certificate, maps it to a
// configured principal and checks the RPC -> roles table. The one place where
// every RPC is authorized; refusals by role or organization are audited as
// AUDIT_ACTION_ACCESS_DENIED before the caller hears of them.
//
// Thread-safe.
#ifndef CAREGATE_SERVICES_RPC_CALL_ADMISSION_H_
#define CAREGATE_SERVICES_RPC_CALL_ADMISSION_H_

#include <functional>
#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"
#include "services/config/gateway_config.h"
#include "services/ledger/ledger.h"
#include "services/rpc/unary_call.h"
#include "services/security/rpc_policy.h"

namespace caregate {

class CallAdmission {
 public:
  // `config` and `ledger` must outlive this object.
  CallAdmission(const GatewayConfig* config, Ledger* ledger)
      : config_(config), ledger_(ledger) {}

  // The admitted principal of the call, or nullptr after `refuse` has been (or
  // will be, once the refusal is audited) called with UNAUTHENTICATED or
  // PERMISSION_DENIED.
  const PrincipalInfo* Admit(grpc::CallbackServerContext* context, Rpc rpc,
                             std::function<void(absl::Status)> refuse);
  // Admit() for a unary call: on refusal the call is finished.
  const PrincipalInfo* Admit(const std::shared_ptr<UnaryCall>& call);

  // For an id that exists but belongs to another organization: audits
  // ACCESS_DENIED about `subject_id`, then calls `finish` with NOT_FOUND
  // `message` — exactly what an unknown id gets.
  void RefuseAsNotFound(const PrincipalInfo& principal, Rpc rpc,
                        std::string subject_id, std::string message,
                        std::function<void(absl::Status)> finish);

  const GatewayConfig& config() const { return *config_; }

 private:
  void AuditDenied(const PrincipalInfo& principal, Rpc rpc,
                   std::string subject_id, absl::Status refusal,
                   std::function<void(absl::Status)> finish);

  const GatewayConfig* const config_;
  Ledger* const ledger_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_RPC_CALL_ADMISSION_H_
