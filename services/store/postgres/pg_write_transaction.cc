#include "services/store/postgres/pg_write_transaction.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/store/postgres/pg_codec.h"
#include "services/store/postgres/pg_rows.h"
#include "services/store/sqlite_codec.h"

namespace caregate::pg {
namespace {

absl::string_view View(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgWriteTransaction>> PgWriteTransaction::Begin(
    PgConnection& db, std::function<void()> on_end) {
  db.TakeMustSucceedFailure();  // a new transaction
  CG_RETURN_IF_ERROR(db.Exec("begin write transaction", "BEGIN"));
  return std::unique_ptr<PgWriteTransaction>(
      new PgWriteTransaction(db, std::move(on_end)));
}

PgWriteTransaction::~PgWriteTransaction() {
  db_.Flush().IgnoreError();  // rolled back below in any case
  if (db_.healthy() && db_.InTransaction()) {
    db_.Exec("roll back write transaction", "ROLLBACK").IgnoreError();
  }
  if (on_end_) on_end_();
}

absl::Status PgWriteTransaction::CheckOpen(std::string_view op) const {
  if (state_ == State::kEnded) {
    return absl::FailedPreconditionError(
        absl::StrCat(View(op), ": the transaction has ended"));
  }
  if (!db_.healthy()) {
    return absl::UnavailableError(absl::StrCat(
        View(op), ": database unavailable: the connection was lost"));
  }
  if (!db_.InFailedTransaction()) return absl::OkStatus();
  if (savepoints_ > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(View(op),
                     ": an earlier statement failed; roll back to the "
                     "savepoint first"));
  }
  return absl::AbortedError(absl::StrCat(
      View(op), ": the transaction was aborted by an earlier error"));
}

absl::StatusOr<PgResult> PgWriteTransaction::Run(std::string_view op,
                                                 const std::string& sql,
                                                 const PgParams& params) {
  CG_RETURN_IF_ERROR(CheckOpen(op));
  return db_.Query(op, sql, params);
}

absl::Status PgWriteTransaction::Insert(std::string_view op,
                                        const std::string& sql,
                                        const PgParams& params) {
  CG_ASSIGN_OR_RETURN(PgResult result, Run(op, sql, params));
  if (result.affected() == 0) {
    return absl::AlreadyExistsError(
        absl::StrCat(View(op), ": a row with that key exists"));
  }
  return absl::OkStatus();
}

absl::Status PgWriteTransaction::Write(std::string_view op,
                                       const std::string& sql,
                                       const PgParams& params,
                                       PgConnection::Expect expect) {
  if (savepoints_ > 0) {
    CG_RETURN_IF_ERROR(CheckOpen(op));
    return db_.Defer(op, sql, params, expect);
  }
  if (expect == PgConnection::Expect::kChangedRow) {
    return Insert(op, sql, params);
  }
  return Run(op, sql, params).status();
}

absl::Status PgWriteTransaction::Update(std::string_view op,
                                        const std::string& sql,
                                        const PgParams& params) {
  CG_ASSIGN_OR_RETURN(PgResult result, Run(op, sql, params));
  if (result.affected() == 0) {
    return absl::NotFoundError(absl::StrCat(View(op), ": no such row"));
  }
  return absl::OkStatus();
}

absl::Status PgWriteTransaction::Savepoint() {
  CG_RETURN_IF_ERROR(CheckOpen("open savepoint"));
  CG_RETURN_IF_ERROR(db_.DeferSimple("open savepoint", "SAVEPOINT cmd"));
  ++savepoints_;
  return absl::OkStatus();
}

absl::Status PgWriteTransaction::ReleaseSavepoint() {
  if (savepoints_ == 0 && state_ == State::kOpen) {
    return absl::FailedPreconditionError(
        "release savepoint: no savepoint is open");
  }
  CG_RETURN_IF_ERROR(CheckOpen("release savepoint"));
  // The command's deferred writes: their errors are the command's (the
  // savepoint stays open for the rollback). The RELEASE itself goes with the
  // next round trip.
  CG_RETURN_IF_ERROR(db_.Flush());
  CG_RETURN_IF_ERROR(db_.DeferSimple("release savepoint",
                                     "RELEASE SAVEPOINT cmd",
                                     PgConnection::Expect::kMustSucceed));
  --savepoints_;
  return absl::OkStatus();
}

absl::Status PgWriteTransaction::RollbackToSavepoint() {
  constexpr std::string_view kOp = "roll back to savepoint";
  if (savepoints_ == 0 && state_ == State::kOpen) {
    return absl::FailedPreconditionError(
        "roll back to savepoint: no savepoint is open");
  }
  // Allowed in a failed transaction: that is what it is for. The command's
  // deferred writes are dropped with it; their errors no longer matter.
  if (state_ == State::kEnded || !db_.healthy()) return CheckOpen(kOp);
  db_.Flush().IgnoreError();
  CG_RETURN_IF_ERROR(db_.Exec(kOp, "ROLLBACK TO SAVEPOINT cmd"));
  CG_RETURN_IF_ERROR(db_.Exec(kOp, "RELEASE SAVEPOINT cmd"));
  --savepoints_;
  return absl::OkStatus();
}

absl::Status PgWriteTransaction::InsertConsent(const ConsentRecord& consent) {
  return Write("insert consent", kInsertConsentSql, ConsentParams(consent),
               PgConnection::Expect::kChangedRow);
}

absl::Status PgWriteTransaction::UpdateConsentRevocation(
    const ConsentRecord& consent) {
  PgParams params;
  params.Int64(consent.revision);
  if (const auto& r = consent.revocation; r.has_value()) {
    params.Int64(sqlite::TimeToMicros(r->revoked_at)).Text(r->revoked_by);
  } else {
    params.Null(kInt8Oid).Null(kTextOid);
  }
  params.Bytes(consent.sealed.revocation_reason).Text(consent.consent_id);
  return Update("update consent revocation", kUpdateConsentRevocationSql,
                params);
}

absl::Status PgWriteTransaction::ReplaceConsentText(
    const ConsentRecord& consent) {
  return Update("replace consent text", kReplaceConsentTextSql,
                PgParams()
                    .Text(consent.sealed.key_id)
                    .Bytes(consent.sealed.evidence)
                    .Bytes(consent.sealed.revocation_reason)
                    .Text(consent.consent_id));
}

absl::StatusOr<std::optional<ConsentRecord>>
PgWriteTransaction::FindConsentByRequest(std::string_view principal_id,
                                         std::string_view request_id) {
  CG_ASSIGN_OR_RETURN(PgResult result,
                      Run("find consent by request", kFindConsentByRequestSql,
                          PgParams().Text(principal_id).Text(request_id)));
  return ReadOptional(result, &ReadConsent);
}

absl::StatusOr<std::optional<ConsentRecord>> PgWriteTransaction::FindConsent(
    std::string_view consent_id) {
  CG_ASSIGN_OR_RETURN(PgResult result,
                      Run("find consent", kFindConsentForUpdateSql,
                          PgParams().Text(consent_id)));
  return ReadOptional(result, &ReadConsent);
}

absl::StatusOr<std::vector<ConsentRecord>>
PgWriteTransaction::ListPatientConsents(const PatientRef& patient) {
  CG_ASSIGN_OR_RETURN(
      PgResult result,
      Run("list patient consents", kPatientConsentsSql,
          PgParams().Text(patient.practice_org_id).Text(patient.patient_id)));
  return ReadAll(result, &ReadConsent);
}

absl::StatusOr<int64_t> PgWriteTransaction::ReadConsentRevision(
    const PatientRef& patient) {
  constexpr std::string_view kOp = "read consent revision";
  CG_ASSIGN_OR_RETURN(
      PgResult result,
      Run(kOp, kReadConsentRevisionSql,
          PgParams().Text(patient.practice_org_id).Text(patient.patient_id)));
  if (result.rows() == 0) return 0;
  PgRow row = result.row(0);
  const int64_t revision = row.Int64(0);
  CG_RETURN_IF_ERROR(row.status());
  return revision;
}

absl::Status PgWriteTransaction::WriteConsentRevision(const PatientRef& patient,
                                                      int64_t revision) {
  return Write("write consent revision", kWriteConsentRevisionSql,
               PgParams()
                   .Text(patient.practice_org_id)
                   .Text(patient.patient_id)
                   .Int64(revision),
               PgConnection::Expect::kAnyResult);
}

absl::Status PgWriteTransaction::InsertDisclosure(
    const DisclosureRow& disclosure) {
  return Write("insert disclosure", kInsertDisclosureSql,
               DisclosureParams(disclosure), PgConnection::Expect::kChangedRow);
}

absl::StatusOr<std::optional<DisclosureRow>>
PgWriteTransaction::FindDisclosureByRequest(
    std::string_view sender_principal_id, std::string_view request_id) {
  CG_ASSIGN_OR_RETURN(
      PgResult result,
      Run("find disclosure by request", kFindDisclosureByRequestSql,
          PgParams().Text(sender_principal_id).Text(request_id)));
  return ReadOptional(result, &ReadDisclosure);
}

absl::Status PgWriteTransaction::InsertMessage(const MessageRow& message) {
  constexpr std::string_view kOp = "insert message";
  CG_RETURN_IF_ERROR(Write(kOp, kInsertMessageSql, MessageParams(message),
                           PgConnection::Expect::kChangedRow));
  for (const std::string& consent_id : message.consent_ids) {
    CG_RETURN_IF_ERROR(
        Write(kOp, kInsertMessageConsentSql,
              PgParams().Text(consent_id).Text(message.message_id),
              PgConnection::Expect::kAnyResult));
  }
  // Wakes the recipient's streams on every replica once this commits.
  return Write(kOp, kNotifyMessageSql,
               PgParams().Text(message.recipient_org_id),
               PgConnection::Expect::kAnyResult);
}

absl::StatusOr<std::optional<MessageRow>> PgWriteTransaction::FindMessage(
    std::string_view message_id) {
  CG_ASSIGN_OR_RETURN(PgResult result,
                      Run("find message", kFindMessageForUpdateSql,
                          PgParams().Text(message_id)));
  return ReadOptional(result, &ReadMessage);
}

absl::Status PgWriteTransaction::MarkMessageAcknowledged(
    std::string_view message_id, absl::Time at) {
  return Update("acknowledge message", kAcknowledgeMessageSql,
                PgParams()
                    .Int32(v1::DELIVERY_STATE_ACKNOWLEDGED)
                    .Int64(sqlite::TimeToMicros(at))
                    .Text(message_id));
}

absl::Status PgWriteTransaction::UpdateMessageDelivery(
    const MessageRow& message) {
  return Update("update message delivery", kUpdateMessageDeliverySql,
                MessageDeliveryParams(message));
}

absl::StatusOr<std::vector<MessageRow>>
PgWriteTransaction::WithholdPendingMessages(std::string_view consent_id) {
  CG_ASSIGN_OR_RETURN(PgResult result,
                      Run("withhold pending messages", kWithholdMessagesSql,
                          PgParams()
                              .Int32(v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION)
                              .Int32(v1::DELIVERY_STATE_QUEUED)
                              .Int32(v1::DELIVERY_STATE_FAILED)
                              .Text(consent_id)));
  CG_ASSIGN_OR_RETURN(std::vector<MessageRow> withheld,
                      ReadAll(result, &ReadMessage));
  // RETURNING has no defined order; callers get inbox order.
  std::sort(withheld.begin(), withheld.end(),
            [](const MessageRow& a, const MessageRow& b) {
              return std::tie(a.seq, a.message_id) <
                     std::tie(b.seq, b.message_id);
            });
  return withheld;
}

absl::Status PgWriteTransaction::AppendAuditEvent(const AuditEvent& event) {
  constexpr std::string_view kOp = "append audit event";
  CG_RETURN_IF_ERROR(Write(kOp, kInsertAuditEventSql, AuditEventParams(event),
                           PgConnection::Expect::kChangedRow));
  return Write(kOp, kAdvanceLogHeadSql,
               PgParams().Int64(event.seq).Bytes(sqlite::HashBytes(event.hash)),
               PgConnection::Expect::kAnyResult);
}

absl::Status PgWriteTransaction::InsertCheckpoint(
    const Checkpoint& checkpoint) {
  return Insert("insert checkpoint", kInsertCheckpointSql,
                CheckpointParams(checkpoint));
}

absl::Status PgWriteTransaction::UpdateCheckpointNote(int64_t seq,
                                                      const Hash256& tree_root,
                                                      std::string_view note) {
  return Run("update checkpoint note", kUpdateCheckpointNoteSql,
             PgParams()
                 .Int64(seq)
                 .Bytes(sqlite::HashBytes(tree_root))
                 .Text(note))
      .status();
}

absl::Status PgWriteTransaction::PutTreeNodes(
    absl::Span<const tlog::NodeHash> nodes) {
  if (nodes.empty()) return absl::OkStatus();
  return Write("store tree nodes", kInsertTreeNodesSql, TreeNodeParams(nodes),
               PgConnection::Expect::kAnyResult);
}

absl::StatusOr<std::vector<Hash256>> PgWriteTransaction::ReadTreeNodes(
    absl::Span<const tlog::NodeId> ids) {
  CG_ASSIGN_OR_RETURN(PgResult result, Run("read tree nodes", kReadTreeNodesSql,
                                           TreeNodeIdParams(ids)));
  return ReadTreeNodeHashes(result, ids);
}

absl::StatusOr<std::optional<ChainHead>> PgWriteTransaction::LockLogHead() {
  constexpr std::string_view kOp = "lock log head";
  CG_ASSIGN_OR_RETURN(PgResult result, Run(kOp, kLockLogHeadSql, PgParams()));
  if (result.rows() != 1) {
    return absl::DataLossError("lock log head: the log_head row is missing");
  }
  return ReadChainHead(result.row(0));
}

absl::Status PgWriteTransaction::Commit() {
  constexpr std::string_view kOp = "commit";
  CG_RETURN_IF_ERROR(CheckOpen(kOp));
  state_ = State::kEnded;
  absl::Status status = db_.Flush();
  if (db_.TakeMustSucceedFailure()) {
    // A command's RELEASE failed after the command was counted done: a
    // rollback to a later savepoint may have undone it. Nothing commits.
    db_.Exec("roll back write transaction", "ROLLBACK").IgnoreError();
    return absl::AbortedError(
        "commit: a savepoint release failed; nothing was written");
  }
  if (status.ok()) status = db_.Exec(kOp, "COMMIT");
  if (!status.ok() && !db_.healthy()) {
    return absl::UnavailableError(
        "commit: database unavailable; the connection was lost during "
        "COMMIT, so whether the transaction committed is unknown");
  }
  if (!status.ok() && db_.InTransaction()) {
    db_.Exec("roll back failed commit", "ROLLBACK").IgnoreError();
  }
  return status;
}

}  // namespace caregate::pg
