#include "services/rpc/call_admission.h"

#include "absl/strings/str_cat.h"
#include "services/security/peer_identity.h"
#include "spdlog/spdlog.h"

namespace caregate {
namespace {

absl::Status Exhausted(std::string message, absl::Duration retry_after) {
  return WithRetryDelay(absl::ResourceExhaustedError(std::move(message)),
                        retry_after);
}

}  // namespace

CallAdmission::CallAdmission(const GatewayConfig* config, Ledger* ledger,
                             const Clock* clock)
    : config_(config),
      ledger_(ledger),
      clock_(clock),
      refusals_(config->admission().refusal_audit_window, clock,
                [ledger](AuditEvent event) {
                  ledger->Submit(
                      [event = std::move(event)](LedgerTxn& txn) {
                        return txn.Audit(event).status();
                      },
                      [](absl::Status audited) {
                        if (!audited.ok()) {
                          spdlog::error("an ACCESS_DENIED event was not "
                                        "written: {}",
                                        audited.ToString());
                        }
                      });
                }) {
  for (const auto& [id, principal] : config->principals()) {
    limits_.emplace(id, std::make_unique<PrincipalLimits>(config->admission()));
  }
}

CallAdmission::~CallAdmission() = default;

const PrincipalInfo* CallAdmission::Identify(
    grpc::CallbackServerContext* context) const {
  std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
  if (auth == nullptr) return nullptr;
  std::optional<std::string> id =
      PrincipalIdFromAuthContext(*auth, config_->trust_domain());
  return id.has_value() ? config_->FindPrincipal(*id) : nullptr;
}

CallAdmission::PrincipalLimits& CallAdmission::LimitsOf(
    const PrincipalInfo& principal) const {
  return *limits_.at(principal.principal_id);
}

absl::Status CallAdmission::TakeCall(PrincipalLimits& limits) {
  absl::Duration retry;
  absl::MutexLock lock(&limits.mu);
  if (limits.calls.TryTake(clock_->Now(), &retry)) return absl::OkStatus();
  return Exhausted("rate limit: too many calls from this principal; retry "
                   "later",
                   retry);
}

absl::Status CallAdmission::TakeRefusal(PrincipalLimits& limits) {
  absl::Duration retry;
  absl::MutexLock lock(&limits.mu);
  if (limits.refusals.TryTake(clock_->Now(), &retry)) return absl::OkStatus();
  return Exhausted(
      "rate limit: too many refused calls from this principal; retry later",
      retry);
}

absl::Status CallAdmission::Deny(const PrincipalInfo& principal, Rpc rpc,
                                 absl::Status refusal) {
  absl::Status limited = TakeRefusal(LimitsOf(principal));
  refusals_.Record(principal, {principal.principal_id, std::string(RpcName(rpc)),
                               refusal.code(), ""});
  return limited.ok() ? refusal : limited;
}

const PrincipalInfo* CallAdmission::Admit(
    const std::shared_ptr<UnaryCall>& call, size_t request_bytes) {
  const PrincipalInfo* principal = Identify(call->context());
  absl::Status status = AuthorizeCall(principal, call->rpc());
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    call->Finish(status);
    return nullptr;
  }
  call->set_principal(principal);
  PrincipalLimits& limits = LimitsOf(*principal);
  if (absl::Status rate = TakeCall(limits); !rate.ok()) {
    call->Finish(rate);
    return nullptr;
  }
  if (!status.ok()) {
    call->Finish(Deny(*principal, call->rpc(), std::move(status)));
    return nullptr;
  }
  const int max_in_flight = config_->admission().max_calls_in_flight;
  if (limits.in_flight.fetch_add(1, std::memory_order_relaxed) >=
      max_in_flight) {
    limits.in_flight.fetch_sub(1, std::memory_order_relaxed);
    call->Finish(Exhausted(
        absl::StrCat("more than ", max_in_flight,
                     " calls of this principal in flight; retry later"),
        absl::Milliseconds(100)));
    return nullptr;
  }
  // The request budget: one request always fits, so a lone large request is
  // never refused.
  const int64_t bytes = static_cast<int64_t>(request_bytes);
  const int64_t before = request_bytes_in_flight_.fetch_add(bytes);
  if (before > 0 &&
      before + bytes > config_->admission().max_request_bytes_in_flight) {
    request_bytes_in_flight_.fetch_sub(bytes);
    limits.in_flight.fetch_sub(1, std::memory_order_relaxed);
    call->Finish(Exhausted(
        "the gateway holds its maximum of request bytes; retry shortly",
        absl::Milliseconds(200)));
    return nullptr;
  }
  call->set_on_finish([this, &limits, bytes] {
    limits.in_flight.fetch_sub(1, std::memory_order_relaxed);
    request_bytes_in_flight_.fetch_sub(bytes);
  });
  return principal;
}

const PrincipalInfo* CallAdmission::AdmitStream(
    grpc::CallbackServerContext* context, Rpc rpc,
    std::function<void(absl::Status)> refuse,
    std::unique_ptr<StreamSlot>* slot) {
  const PrincipalInfo* principal = Identify(context);
  absl::Status status = AuthorizeCall(principal, rpc);
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    refuse(status);
    return nullptr;
  }
  PrincipalLimits& limits = LimitsOf(*principal);
  if (absl::Status rate = TakeCall(limits); !rate.ok()) {
    refuse(rate);
    return nullptr;
  }
  if (!status.ok()) {
    refuse(Deny(*principal, rpc, std::move(status)));
    return nullptr;
  }
  const AdmissionConfig& a = config_->admission();
  {
    absl::MutexLock all(&streams_mu_);
    absl::MutexLock mine(&limits.mu);
    if (limits.streams >= a.max_streams_per_principal) {
      refuse(Exhausted(absl::StrCat("more than ", a.max_streams_per_principal,
                                    " inbox streams of this principal open; "
                                    "close one first"),
                       absl::Seconds(1)));
      return nullptr;
    }
    if (open_streams_ >= a.max_streams) {
      refuse(Exhausted("the gateway holds its maximum of open inbox streams; "
                       "retry later",
                       absl::Seconds(1)));
      return nullptr;
    }
    ++limits.streams;
    ++open_streams_;
  }
  *slot = std::make_unique<StreamSlot>([this, &limits] {
    absl::MutexLock all(&streams_mu_);
    absl::MutexLock mine(&limits.mu);
    --limits.streams;
    --open_streams_;
  });
  return principal;
}

absl::Status CallAdmission::RefuseId(const PrincipalInfo& principal, Rpc rpc,
                                     std::string subject_id,
                                     std::string message,
                                     bool other_organization) {
  absl::Status limited = TakeRefusal(LimitsOf(principal));
  if (other_organization) {
    refusals_.Record(principal,
                     {principal.principal_id, std::string(RpcName(rpc)),
                      absl::StatusCode::kNotFound, std::move(subject_id)});
  }
  return limited.ok() ? absl::NotFoundError(std::move(message)) : limited;
}

void CallAdmission::FlushRefusals() { refusals_.Flush(); }

}  // namespace caregate
