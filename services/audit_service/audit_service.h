// caregate.v1.AuditService on the gRPC callback API (COMPLIANCE only, but
// for the proofs: services/security/rpc_policy.cc).
//
// Reading the log is itself audited: every call, once admitted and its request
// validated, is first written as AUDIT_ACTION_AUDIT_ACCESSED (detail: the RPC
// name; patient and recipient from the request's filters) through the Ledger.
// Only after that event is durable is the read done, on the executor; if the
// audit write fails the call fails with its status (UNAVAILABLE) and nothing
// is read. The reads themselves are in audit_query.h, log_verification.h,
// accounting.h and audit_summary.h. Every RPC is served from its raw request
// bytes (services/rpc/raw_call.h).
//
// Thread-safe; the referenced objects must outlive the service.
#ifndef CAREGATE_SERVICES_AUDIT_SERVICE_AUDIT_SERVICE_H_
#define CAREGATE_SERVICES_AUDIT_SERVICE_AUDIT_SERVICE_H_

#include <functional>
#include <memory>

#include "caregate/v1/audit_service.grpc.pb.h"
#include "services/audit/audit_event.h"
#include "services/common/clock.h"
#include "services/config/gateway_config.h"
#include "services/crypto/ed25519.h"
#include "services/ledger/ledger.h"
#include "services/rpc/call_admission.h"
#include "services/rpc/executor.h"
#include "services/rpc/unary_call.h"
#include "services/store/store.h"

namespace caregate {

using AuditServiceBase = v1::AuditService::WithRawCallbackMethod_QueryAuditEvents<
    v1::AuditService::WithRawCallbackMethod_VerifyAuditLog<
        v1::AuditService::WithRawCallbackMethod_GetCheckpoint<
            v1::AuditService::WithRawCallbackMethod_GetAccountingOfDisclosures<
                v1::AuditService::WithRawCallbackMethod_SummarizeAuditEvents<
                    v1::AuditService::WithRawCallbackMethod_GetInclusionProof<
                        v1::AuditService::
                            WithRawCallbackMethod_GetConsistencyProof<
                                v1::AuditService::Service>>>>>>>;

class AuditService final : public AuditServiceBase {
 public:
  // `checkpoint_verifier` holds the public key of the checkpoint signer.
  AuditService(CallAdmission* admission, Ledger* ledger, Store* store,
               Executor* executor, const Clock* clock,
               const Ed25519Verifier* checkpoint_verifier,
               const GatewayConfig* config)
      : admission_(admission),
        ledger_(ledger),
        store_(store),
        executor_(executor),
        clock_(clock),
        checkpoint_verifier_(checkpoint_verifier),
        config_(config) {}

  grpc::ServerUnaryReactor* QueryAuditEvents(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* VerifyAuditLog(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetCheckpoint(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetAccountingOfDisclosures(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* SummarizeAuditEvents(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetInclusionProof(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetConsistencyProof(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;

 private:
  using Call = std::shared_ptr<UnaryCall>;
  void Query(Call call, const v1::QueryAuditEventsRequest& request,
             v1::QueryAuditEventsResponse* response);
  void Verify(Call call, const v1::VerifyAuditLogRequest& request,
              v1::VerifyAuditLogResponse* response);
  void LatestCheckpoint(Call call, const v1::GetCheckpointRequest& request,
                        v1::Checkpoint* response);
  void Accounting(Call call,
                  const v1::GetAccountingOfDisclosuresRequest& request,
                  v1::GetAccountingOfDisclosuresResponse* response);
  void Summarize(Call call, const v1::SummarizeAuditEventsRequest& request,
                 v1::SummarizeAuditEventsResponse* response);
  void InclusionProof(Call call, const v1::GetInclusionProofRequest& request,
                      v1::InclusionProof* response);
  void ConsistencyProof(Call call,
                        const v1::GetConsistencyProofRequest& request,
                        v1::ConsistencyProof* response);
  // The AUDIT_ACCESSED event of `call` (actor fields and the RPC name).
  static AuditEvent AccessEvent(const UnaryCall& call);

  // Writes `event` through the ledger; once it is durable, runs `read` on the
  // executor and finishes `call` with its status. A failed write finishes
  // `call` with that status and `read` never runs.
  void AuditThenRead(std::shared_ptr<UnaryCall> call, AuditEvent event,
                     std::function<absl::Status()> read);

  CallAdmission* const admission_;
  Ledger* const ledger_;
  Store* const store_;
  Executor* const executor_;
  const Clock* const clock_;
  const Ed25519Verifier* const checkpoint_verifier_;
  const GatewayConfig* const config_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_SERVICE_AUDIT_SERVICE_H_
