#include "services/store/sqlite_write_transaction.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/store/sqlite_codec.h"
#include "services/store/sqlite_rows.h"

namespace caregate::sqlite {
namespace {

absl::string_view View(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

absl::Status RunSql(SqliteConnection& db, std::string_view op,
                    std::string_view sql) {
  CG_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare(op, sql));
  return stmt.Run();
}

absl::StatusOr<ChainHead> ReadChainHead(const SqliteStatement& s) {
  ChainHead head;
  head.seq = s.ColumnInt64(0);
  CG_ASSIGN_OR_RETURN(head.hash, DecodeHash("audit hash", s.ColumnBlob(1)));
  return head;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteWriteTransaction>>
SqliteWriteTransaction::Begin(SqliteConnection& db,
                              std::function<void()> on_end) {
  CG_RETURN_IF_ERROR(RunSql(db, "begin write transaction", "BEGIN IMMEDIATE"));
  return std::unique_ptr<SqliteWriteTransaction>(
      new SqliteWriteTransaction(db, std::move(on_end)));
}

SqliteWriteTransaction::~SqliteWriteTransaction() {
  if (db_.InTransaction()) {
    RunSql(db_, "roll back write transaction", "ROLLBACK").IgnoreError();
  }
  if (on_end_) on_end_();
}

absl::Status SqliteWriteTransaction::CheckOpen(std::string_view op) const {
  switch (state_) {
    case State::kOpen:
      return absl::OkStatus();
    case State::kRolledBackBySqlite:
      return absl::UnavailableError(absl::StrCat(
          View(op), ": the transaction was rolled back by an earlier error"));
    case State::kEnded:
      break;
  }
  return absl::FailedPreconditionError(
      absl::StrCat(View(op), ": the transaction has ended"));
}

absl::Status SqliteWriteTransaction::Track(absl::Status status) {
  if (!status.ok() && state_ == State::kOpen && !db_.InTransaction()) {
    state_ = State::kRolledBackBySqlite;
  }
  return status;
}

absl::Status SqliteWriteTransaction::Run(
    std::string_view op, std::string_view sql,
    const std::function<void(SqliteStatement&)>& bind) {
  CG_RETURN_IF_ERROR(CheckOpen(op));
  absl::StatusOr<SqliteStatement> stmt = db_.Prepare(op, sql);
  if (!stmt.ok()) return Track(stmt.status());
  if (bind) bind(*stmt);
  return Track(stmt->Run());
}

absl::Status SqliteWriteTransaction::Update(
    std::string_view op, std::string_view sql,
    const std::function<void(SqliteStatement&)>& bind) {
  CG_RETURN_IF_ERROR(Run(op, sql, bind));
  if (db_.changes() == 0) {
    return absl::NotFoundError(absl::StrCat(View(op), ": no such row"));
  }
  return absl::OkStatus();
}

absl::Status SqliteWriteTransaction::Savepoint() {
  CG_RETURN_IF_ERROR(Run("open savepoint", "SAVEPOINT cmd", nullptr));
  ++savepoints_;
  day_counts_.Savepoint();
  return absl::OkStatus();
}

absl::Status SqliteWriteTransaction::ReleaseSavepoint() {
  if (savepoints_ == 0 && state_ == State::kOpen) {
    return absl::FailedPreconditionError(
        "release savepoint: no savepoint is open");
  }
  CG_RETURN_IF_ERROR(Run("release savepoint", "RELEASE cmd", nullptr));
  --savepoints_;
  day_counts_.ReleaseSavepoint();
  return absl::OkStatus();
}

absl::Status SqliteWriteTransaction::RollbackToSavepoint() {
  if (savepoints_ == 0 && state_ == State::kOpen) {
    return absl::FailedPreconditionError(
        "roll back to savepoint: no savepoint is open");
  }
  CG_RETURN_IF_ERROR(Run("roll back to savepoint", "ROLLBACK TO cmd", nullptr));
  CG_RETURN_IF_ERROR(Run("roll back to savepoint", "RELEASE cmd", nullptr));
  --savepoints_;
  day_counts_.RollbackToSavepoint();
  return absl::OkStatus();
}

absl::Status SqliteWriteTransaction::InsertConsent(
    const ConsentRecord& consent) {
  return Run("insert consent", kInsertConsentSql,
             [&](SqliteStatement& s) { BindConsent(consent, s); });
}

absl::Status SqliteWriteTransaction::UpdateConsentRevocation(
    const ConsentRecord& consent) {
  return Update("update consent revocation", kUpdateConsentRevocationSql,
                [&](SqliteStatement& s) {
                  s.BindInt64(1, consent.revision);
                  if (const auto& r = consent.revocation; r.has_value()) {
                    s.BindInt64(2, TimeToMicros(r->revoked_at));
                    s.BindText(3, r->revoked_by);
                    s.BindBlob(4, consent.sealed.revocation_reason);
                  } else {  // parameters 2-3 stay NULL: not revoked
                    s.BindBlob(4, "");
                  }
                  s.BindText(5, consent.consent_id);
                });
}

absl::Status SqliteWriteTransaction::ReplaceConsentText(
    const ConsentRecord& consent) {
  return Update("replace consent text", kReplaceConsentTextSql,
                [&](SqliteStatement& s) {
                  s.BindText(1, consent.sealed.key_id);
                  s.BindBlob(2, consent.sealed.evidence);
                  s.BindBlob(3, consent.sealed.revocation_reason);
                  s.BindText(4, consent.consent_id);
                });
}

absl::StatusOr<std::optional<ConsentRecord>>
SqliteWriteTransaction::FindConsentByRequest(std::string_view principal_id,
                                             std::string_view request_id) {
  constexpr std::string_view kOp = "find consent by request";
  CG_RETURN_IF_ERROR(CheckOpen(kOp));
  CG_ASSIGN_OR_RETURN(SqliteStatement s,
                      db_.Prepare(kOp, kFindConsentByRequestSql));
  s.BindText(1, principal_id);
  s.BindText(2, request_id);
  auto found = ReadOptional(s, &ReadConsent);
  Track(found.status()).IgnoreError();
  return found;
}

absl::StatusOr<std::optional<ConsentRecord>>
SqliteWriteTransaction::FindConsent(std::string_view consent_id) {
  constexpr std::string_view kOp = "find consent";
  CG_RETURN_IF_ERROR(CheckOpen(kOp));
  CG_ASSIGN_OR_RETURN(SqliteStatement s, db_.Prepare(kOp, kFindConsentSql));
  s.BindText(1, consent_id);
  auto found = ReadOptional(s, &ReadConsent);
  Track(found.status()).IgnoreError();
  return found;
}

absl::StatusOr<std::vector<ConsentRecord>>
SqliteWriteTransaction::ListPatientConsents(const PatientRef& patient) {
  constexpr std::string_view kOp = "list patient consents";
  CG_RETURN_IF_ERROR(CheckOpen(kOp));
  CG_ASSIGN_OR_RETURN(SqliteStatement s, db_.Prepare(kOp, kPatientConsentsSql));
  s.BindText(1, patient.practice_org_id);
  s.BindText(2, patient.patient_id);
  auto found = ReadAll(s, &ReadConsent);
  Track(found.status()).IgnoreError();
  return found;
}

absl::StatusOr<int64_t> SqliteWriteTransaction::ReadConsentRevision(
    const PatientRef&) {
  CG_RETURN_IF_ERROR(CheckOpen("read consent revision"));
  return 0;
}

absl::Status SqliteWriteTransaction::WriteConsentRevision(const PatientRef&,
                                                          int64_t) {
  return CheckOpen("write consent revision");
}

absl::Status SqliteWriteTransaction::InsertDisclosure(
    const DisclosureRow& disclosure) {
  CG_RETURN_IF_ERROR(
      Run("insert disclosure", kInsertDisclosureSql,
          [&](SqliteStatement& s) { BindDisclosure(disclosure, s); }));
  day_counts_.AddDisclosure(disclosure);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<DisclosureRow>>
SqliteWriteTransaction::FindDisclosureByRequest(
    std::string_view sender_principal_id, std::string_view request_id) {
  constexpr std::string_view kOp = "find disclosure by request";
  CG_RETURN_IF_ERROR(CheckOpen(kOp));
  CG_ASSIGN_OR_RETURN(SqliteStatement s,
                      db_.Prepare(kOp, kFindDisclosureByRequestSql));
  s.BindText(1, sender_principal_id);
  s.BindText(2, request_id);
  auto found = ReadOptional(s, &ReadDisclosure);
  Track(found.status()).IgnoreError();
  return found;
}

absl::Status SqliteWriteTransaction::InsertMessage(const MessageRow& message) {
  CG_RETURN_IF_ERROR(Run("insert message", kInsertMessageSql,
                         [&](SqliteStatement& s) { BindMessage(message, s); }));
  for (const std::string& consent_id : message.consent_ids) {
    CG_RETURN_IF_ERROR(Run("insert message", kInsertMessageConsentSql,
                           [&](SqliteStatement& s) {
                             s.BindText(1, consent_id);
                             s.BindText(2, message.message_id);
                           }));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<MessageRow>> SqliteWriteTransaction::FindMessage(
    std::string_view message_id) {
  constexpr std::string_view kOp = "find message";
  CG_RETURN_IF_ERROR(CheckOpen(kOp));
  CG_ASSIGN_OR_RETURN(SqliteStatement s, db_.Prepare(kOp, kGetMessageSql));
  s.BindText(1, message_id);
  auto found = ReadOptional(s, &ReadMessage);
  Track(found.status()).IgnoreError();
  return found;
}

absl::Status SqliteWriteTransaction::MarkMessageAcknowledged(
    std::string_view message_id, absl::Time at) {
  return Update("acknowledge message", kAcknowledgeMessageSql,
                [&](SqliteStatement& s) {
                  s.BindInt64(1, v1::DELIVERY_STATE_ACKNOWLEDGED);
                  s.BindInt64(2, TimeToMicros(at));
                  s.BindText(3, message_id);
                });
}

absl::Status SqliteWriteTransaction::UpdateMessageDelivery(
    const MessageRow& message) {
  return Update("update message delivery", kUpdateMessageDeliverySql,
                [&](SqliteStatement& s) { BindMessageDelivery(message, s); });
}

absl::StatusOr<std::vector<MessageRow>>
SqliteWriteTransaction::WithholdPendingMessages(std::string_view consent_id) {
  constexpr std::string_view kOp = "withhold pending messages";
  CG_RETURN_IF_ERROR(CheckOpen(kOp));
  CG_ASSIGN_OR_RETURN(SqliteStatement s,
                      db_.Prepare(kOp, kWithholdMessagesSql));
  s.BindInt64(1, v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION);
  s.BindInt64(2, v1::DELIVERY_STATE_QUEUED);
  s.BindInt64(3, v1::DELIVERY_STATE_FAILED);
  s.BindText(4, consent_id);
  auto withheld = ReadAll(s, &ReadMessage);
  CG_RETURN_IF_ERROR(Track(withheld.status()));
  // RETURNING has no defined order; callers get inbox order.
  std::sort(withheld->begin(), withheld->end(),
            [](const MessageRow& a, const MessageRow& b) {
              return std::tie(a.seq, a.message_id) <
                     std::tie(b.seq, b.message_id);
            });
  return withheld;
}

absl::StatusOr<std::optional<ChainHead>> SqliteWriteTransaction::LockLogHead() {
  constexpr std::string_view kOp = "read chain head";
  CG_RETURN_IF_ERROR(CheckOpen(kOp));
  CG_ASSIGN_OR_RETURN(SqliteStatement s, db_.Prepare(kOp, kChainHeadSql));
  auto head = ReadOptional(s, &ReadChainHead);
  Track(head.status()).IgnoreError();
  return head;
}

absl::Status SqliteWriteTransaction::AppendAuditEvent(const AuditEvent& event) {
  CG_RETURN_IF_ERROR(
      Run("append audit event", kInsertAuditEventSql,
          [&](SqliteStatement& s) { BindAuditEvent(event, s); }));
  day_counts_.AddEvent(event);
  return absl::OkStatus();
}

absl::Status SqliteWriteTransaction::InsertCheckpoint(
    const Checkpoint& checkpoint) {
  return Run("insert checkpoint", kInsertCheckpointSql,
             [&](SqliteStatement& s) { BindCheckpoint(checkpoint, s); });
}

absl::Status SqliteWriteTransaction::UpdateCheckpointNote(
    int64_t seq, const Hash256& tree_root, std::string_view note) {
  return Run("update checkpoint note", kUpdateCheckpointNoteSql,
             [&](SqliteStatement& s) {
               s.BindInt64(1, seq);
               s.BindBlob(2, HashBytes(tree_root));
               s.BindText(3, note);
             });
}

absl::Status SqliteWriteTransaction::PutTreeNodes(
    absl::Span<const tlog::NodeHash> nodes) {
  for (const tlog::NodeHash& node : nodes) {
    CG_RETURN_IF_ERROR(
        Run("store tree node", kInsertTreeNodeSql, [&](SqliteStatement& s) {
          s.BindInt64(1, node.id.level);
          s.BindInt64(2, node.id.index);
          s.BindBlob(3, HashBytes(node.hash));
        }));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Hash256>> SqliteWriteTransaction::ReadTreeNodes(
    absl::Span<const tlog::NodeId> ids) {
  CG_RETURN_IF_ERROR(CheckOpen("read tree nodes"));
  auto hashes = sqlite::ReadTreeNodes(db_, ids);
  if (!absl::IsNotFound(hashes.status())) Track(hashes.status()).IgnoreError();
  return hashes;
}

absl::Status SqliteWriteTransaction::Commit() {
  CG_RETURN_IF_ERROR(CheckOpen("commit"));
  CG_RETURN_IF_ERROR(Track(day_counts_.Flush(db_)));
  absl::Status status = RunSql(db_, "commit", "COMMIT");
  state_ = State::kEnded;
  if (!status.ok() && db_.InTransaction()) {
    RunSql(db_, "roll back failed commit", "ROLLBACK").IgnoreError();
  }
  return status;
}

}  // namespace caregate::sqlite
