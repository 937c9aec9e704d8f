#include "services/audit_service/audit_service.h"

#include <optional>
#include <utility>
#include <vector>

#include "services/audit_service/accounting.h"
#include "services/audit_service/audit_event_proto.h"
#include "services/audit_service/audit_query.h"
#include "services/audit_service/audit_summary.h"
#include "services/audit_service/log_proofs.h"
#include "services/audit_service/log_verification.h"
#include "services/common/status_macros.h"
#include "services/rpc/raw_call.h"
#include "services/security/rpc_policy.h"

namespace caregate {
namespace {

// Adds to `page` the stored checkpoints that go with it
// (PageCheckpointRange), in ascending seq order.
absl::Status AddPageCheckpoints(Store& store, int64_t after_seq,
                                v1::QueryAuditEventsResponse* page) {
  const CheckpointSeqRange range = PageCheckpointRange(after_seq, *page);
  return store.ScanCheckpoints([&](const Checkpoint& checkpoint) {
    if (checkpoint.seq > range.last) return false;
    if (checkpoint.seq >= range.first) {
      *page->add_checkpoints() = CheckpointToProto(checkpoint);
    }
    return true;
  });
}

}  // namespace

AuditEvent AuditService::AccessEvent(const UnaryCall& call) {
  AuditEvent event;
  event.actor_principal_id = call.principal().principal_id;
  event.actor_role = call.principal().role;
  event.actor_org_id = call.principal().org_id;
  event.action = v1::AUDIT_ACTION_AUDIT_ACCESSED;
  event.detail = std::string(RpcName(call.rpc()));
  return event;
}

void AuditService::AuditThenRead(std::shared_ptr<UnaryCall> call,
                                 AuditEvent event,
                                 std::function<absl::Status()> read) {
  ledger_->Submit(
      [event = std::move(event)](LedgerTxn& txn) -> absl::Status {
        return txn.Audit(event).status();
      },
      // Runs on the ledger's writer thread: hand the read to the executor.
      [executor = executor_, call,
       read = std::move(read)](absl::Status audited) mutable {
        if (!audited.ok()) return call->Finish(audited);
        executor->Post(
            [call, read = std::move(read)] { call->Finish(read()); });
      });
}

grpc::ServerUnaryReactor* AuditService::QueryAuditEvents(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::QueryAuditEventsRequest, v1::QueryAuditEventsResponse>(
      *admission_, Rpc::kQueryAuditEvents, context, request, response,
      [this](Call call, const auto& req, auto* resp) {
        Query(call, req, resp);
      });
}

grpc::ServerUnaryReactor* AuditService::VerifyAuditLog(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::VerifyAuditLogRequest, v1::VerifyAuditLogResponse>(
      *admission_, Rpc::kVerifyAuditLog, context, request, response,
      [this](Call call, const auto& req, auto* resp) {
        Verify(call, req, resp);
      });
}

grpc::ServerUnaryReactor* AuditService::GetCheckpoint(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetCheckpointRequest, v1::Checkpoint>(
      *admission_, Rpc::kGetCheckpoint, context, request, response,
      [this](Call call, const auto& req, auto* resp) {
        LatestCheckpoint(call, req, resp);
      });
}

grpc::ServerUnaryReactor* AuditService::GetAccountingOfDisclosures(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetAccountingOfDisclosuresRequest,
                    v1::GetAccountingOfDisclosuresResponse>(
      *admission_, Rpc::kGetAccountingOfDisclosures, context, request, response,
      [this](Call call, const auto& req, auto* resp) {
        Accounting(call, req, resp);
      });
}

grpc::ServerUnaryReactor* AuditService::SummarizeAuditEvents(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::SummarizeAuditEventsRequest,
                    v1::SummarizeAuditEventsResponse>(
      *admission_, Rpc::kSummarizeAuditEvents, context, request, response,
      [this](Call call, const auto& req, auto* resp) {
        Summarize(call, req, resp);
      });
}

grpc::ServerUnaryReactor* AuditService::GetInclusionProof(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetInclusionProofRequest, v1::InclusionProof>(
      *admission_, Rpc::kGetInclusionProof, context, request, response,
      [this](Call call, const auto& req, auto* resp) {
        InclusionProof(call, req, resp);
      });
}

grpc::ServerUnaryReactor* AuditService::GetConsistencyProof(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetConsistencyProofRequest, v1::ConsistencyProof>(
      *admission_, Rpc::kGetConsistencyProof, context, request, response,
      [this](Call call, const auto& req, auto* resp) {
        ConsistencyProof(call, req, resp);
      });
}

void AuditService::InclusionProof(Call call,
                                  const v1::GetInclusionProofRequest& request,
                                  v1::InclusionProof* response) {
  const int64_t seq = request.seq();
  const int64_t tree_size = request.tree_size();
  // Who may read the log gets the event too (no second, refused call for
  // everyone else).
  const bool with_event =
      RoleMayCall(call->principal().role, Rpc::kQueryAuditEvents);
  AuditThenRead(call, AccessEvent(*call),
                [this, seq, tree_size, with_event, response]() -> absl::Status {
                  CG_ASSIGN_OR_RETURN(
                      LogInclusionProof proof,
                      ProveInclusion(*store_, seq, tree_size,
                                     ledger_->committed_head().seq));
                  response->set_leaf_index(proof.leaf_index);
                  response->set_event_hash(proof.event_hash.data(),
                                           proof.event_hash.size());
                  response->set_tree_size(proof.tree_size);
                  for (const Hash256& h : proof.hashes) {
                    response->add_hashes(h.data(), h.size());
                  }
                  if (proof.checkpoint.has_value()) {
                    *response->mutable_checkpoint() =
                        CheckpointToProto(*proof.checkpoint);
                  }
                  if (with_event) {
                    *response->mutable_event() = AuditEventToProto(proof.event);
                  }
                  return absl::OkStatus();
                });
}

void AuditService::ConsistencyProof(
    Call call, const v1::GetConsistencyProofRequest& request,
    v1::ConsistencyProof* response) {
  const int64_t from = request.from_size();
  const int64_t to = request.to_size();
  AuditThenRead(
      call, AccessEvent(*call), [this, from, to, response]() -> absl::Status {
        CG_ASSIGN_OR_RETURN(
            std::vector<Hash256> hashes,
            ProveConsistency(*store_, from, to, ledger_->committed_head().seq));
        response->set_from_size(from);
        response->set_to_size(to);
        for (const Hash256& h : hashes) {
          response->add_hashes(h.data(), h.size());
        }
        return absl::OkStatus();
      });
}

void AuditService::Query(Call call, const v1::QueryAuditEventsRequest& request,
                         v1::QueryAuditEventsResponse* response) {
  absl::StatusOr<AuditQuery> query =
      AuditQueryFromRequest(request, config_->limits());
  if (!query.ok()) return call->Finish(query.status());
  AuditEvent event = AccessEvent(*call);
  event.practice_org_id = query->patient.practice_org_id;
  event.patient_id = query->patient.patient_id;
  event.recipient_org_id = query->recipient_org_id;
  const bool include_checkpoints = request.include_checkpoints();
  AuditThenRead(call, std::move(event),
                [this, query = *std::move(query), include_checkpoints,
                 response]() mutable {
                  const int page_size = query.limit;
                  query.limit = page_size + 1;
                  CG_ASSIGN_OR_RETURN(std::vector<AuditEvent> events,
                                      store_->QueryAuditEvents(query));
                  *response = AuditEventsPage(events, page_size);
                  if (!include_checkpoints) return absl::OkStatus();
                  return AddPageCheckpoints(*store_, query.after_seq, response);
                });
}

void AuditService::Verify(Call call, const v1::VerifyAuditLogRequest& request,
                          v1::VerifyAuditLogResponse* response) {
  const int64_t from_seq = request.from_seq();
  const int64_t to_seq = request.to_seq();
  absl::Status valid = ValidateVerifyRange(from_seq, to_seq);
  if (!valid.ok()) return call->Finish(valid);
  AuditThenRead(call, AccessEvent(*call), [this, from_seq, to_seq, response] {
    // The head includes this call's own AUDIT_ACCESSED event.
    CG_ASSIGN_OR_RETURN(
        VerifyReport report,
        VerifyStoredLog(*store_, *checkpoint_verifier_, from_seq, to_seq,
                        ledger_->committed_head().seq));
    response->set_ok(report.ok);
    response->set_verified_through_seq(report.verified_through_seq);
    response->set_first_bad_seq(report.first_bad_seq);
    response->set_problem(report.problem);
    if (report.checkpoint.has_value()) {
      *response->mutable_checkpoint() = CheckpointToProto(*report.checkpoint);
    }
    return absl::OkStatus();
  });
}

void AuditService::LatestCheckpoint(Call call, const v1::GetCheckpointRequest&,
                                    v1::Checkpoint* response) {
  AuditThenRead(call, AccessEvent(*call), [this, response]() -> absl::Status {
    CG_ASSIGN_OR_RETURN(std::optional<Checkpoint> checkpoint,
                        store_->GetLatestCheckpoint());
    if (!checkpoint.has_value()) {
      return absl::NotFoundError("no checkpoint yet");
    }
    *response = CheckpointToProto(*checkpoint);
    return absl::OkStatus();
  });
}

void AuditService::Accounting(
    Call call, const v1::GetAccountingOfDisclosuresRequest& request,
    v1::GetAccountingOfDisclosuresResponse* response) {
  absl::StatusOr<AccountingRequest> accounting =
      ParseAccountingRequest(request, config_->limits());
  if (!accounting.ok()) return call->Finish(accounting.status());
  AuditEvent event = AccessEvent(*call);
  event.patient_id = accounting->patient.patient_id;
  event.practice_org_id = accounting->patient.practice_org_id;
  AuditThenRead(call, std::move(event),
                [this, a = *std::move(accounting), response]() -> absl::Status {
                  CG_ASSIGN_OR_RETURN(std::vector<DisclosureRow> rows,
                                      store_->ListDisclosuresForPatient(
                                          a.patient, a.since, a.until));
                  for (const DisclosureRow& row : rows) {
                    *response->add_entries() =
                        AccountingEntryFromRow(row, config_->directory());
                  }
                  SetAccountingPractice(a.patient.practice_org_id,
                                        config_->directory(), response);
                  return absl::OkStatus();
                });
}

void AuditService::Summarize(Call call,
                             const v1::SummarizeAuditEventsRequest& request,
                             v1::SummarizeAuditEventsResponse* response) {
  absl::StatusOr<SummaryPeriod> period = ParseSummaryRequest(request);
  if (!period.ok()) return call->Finish(period.status());
  AuditThenRead(call, AccessEvent(*call),
                [this, p = *period, response]() -> absl::Status {
                  CG_ASSIGN_OR_RETURN(
                      AuditSummary summary,
                      store_->SummarizeAuditEvents(p.since, p.until));
                  *response = SummaryToProto(summary, config_->directory());
                  return absl::OkStatus();
                });
}

}  // namespace caregate
