// Admits calls: identifies the caller from its mTLS certificate, maps it to a
// configured principal, applies the principal's limits and checks the
// RPC -> roles table. The one place where every RPC is authorized.
//
// Per principal (AdmissionConfig): a token bucket of calls, a cap on unary
// calls in flight and on open inbox streams (plus a cap on all streams), and
// a tighter bucket for refused calls. Over a limit: RESOURCE_EXHAUSTED with a
// retry delay (google.rpc.RetryInfo). Refusals by role or organization are
// audited as AUDIT_ACTION_ACCESS_DENIED through a RefusalAuditor: the caller
// does not wait for the audit (so a refusal takes as long as an unknown id),
// and repeated identical refusals are audited as one event with a count per
// window.
//
// Thread-safe. Limits use real time (`clock`), never the business clock.
#ifndef CAREGATE_SERVICES_RPC_CALL_ADMISSION_H_
#define CAREGATE_SERVICES_RPC_CALL_ADMISSION_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "services/common/clock.h"
#include "services/config/gateway_config.h"
#include "services/ledger/ledger.h"
#include "services/rpc/refusal_auditor.h"
#include "services/rpc/token_bucket.h"
#include "services/rpc/unary_call.h"
#include "services/security/rpc_policy.h"

namespace caregate {

// An open inbox stream's place in the limits; releases it when destroyed.
class StreamSlot {
 public:
  explicit StreamSlot(std::function<void()> release)
      : release_(std::move(release)) {}
  ~StreamSlot() {
    if (release_) release_();
  }
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;

 private:
  std::function<void()> release_;
};

class CallAdmission {
 public:
  // `config` and `ledger` must outlive this object; `clock` is real time.
  CallAdmission(const GatewayConfig* config, Ledger* ledger,
                const Clock* clock = RealClock::Get());
  ~CallAdmission();

  // The admitted principal of a unary call, or nullptr once the call has been
  // finished with UNAUTHENTICATED, PERMISSION_DENIED or RESOURCE_EXHAUSTED.
  // An admitted call holds an in-flight place and its `request_bytes` of the
  // gateway-wide request budget until it finishes.
  const PrincipalInfo* Admit(const std::shared_ptr<UnaryCall>& call,
                             size_t request_bytes = 0);

  // For an inbox stream: the admitted principal and its stream place in
  // `*slot`, or nullptr after `refuse` has been called.
  const PrincipalInfo* AdmitStream(grpc::CallbackServerContext* context,
                                   Rpc rpc,
                                   std::function<void(absl::Status)> refuse,
                                   std::unique_ptr<StreamSlot>* slot);

  // The answer for an id the caller may not see. Unknown ids and ids of
  // another organization get exactly the same answer, at the same cost:
  // NOT_FOUND `message`, or RESOURCE_EXHAUSTED once the principal's refusal
  // bucket is empty. `other_organization` only decides whether the refusal
  // is audited (ACCESS_DENIED about `subject_id`); nobody waits for that.
  absl::Status RefuseId(const PrincipalInfo& principal, Rpc rpc,
                        std::string subject_id, std::string message,
                        bool other_organization);

  // Audits every counted refusal now (before the ledger shuts down).
  void FlushRefusals();

  const GatewayConfig& config() const { return *config_; }

 private:
  struct PrincipalLimits {
    PrincipalLimits(const AdmissionConfig& a)
        : calls(a.calls_per_second, a.call_burst),
          refusals(a.refusals_per_second, a.refusal_burst) {}
    absl::Mutex mu;
    TokenBucket calls ABSL_GUARDED_BY(mu);
    TokenBucket refusals ABSL_GUARDED_BY(mu);
    int streams ABSL_GUARDED_BY(mu) = 0;
    std::atomic<int> in_flight{0};
  };

  // The configured principal of the caller, or nullptr.
  const PrincipalInfo* Identify(grpc::CallbackServerContext* context) const;
  PrincipalLimits& LimitsOf(const PrincipalInfo& principal) const;
  // OK, or RESOURCE_EXHAUSTED with a retry delay.
  absl::Status TakeCall(PrincipalLimits& limits);
  absl::Status TakeRefusal(PrincipalLimits& limits);
  // `refusal` (PERMISSION_DENIED) for a role the table does not allow:
  // audited, or RESOURCE_EXHAUSTED once the refusal bucket is empty.
  absl::Status Deny(const PrincipalInfo& principal, Rpc rpc,
                    absl::Status refusal);

  const GatewayConfig* const config_;
  Ledger* const ledger_;
  const Clock* const clock_;
  // One entry per configured principal, made at construction: lookups take
  // no lock.
  absl::flat_hash_map<std::string, std::unique_ptr<PrincipalLimits>> limits_;
  std::atomic<int64_t> request_bytes_in_flight_{0};
  absl::Mutex streams_mu_;
  int open_streams_ ABSL_GUARDED_BY(streams_mu_) = 0;
  RefusalAuditor refusals_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_RPC_CALL_ADMISSION_H_
