// The PostgreSQL Store's WriteTransaction: BEGIN (READ COMMITTED) on the
// store's writer connection, COMMIT on Commit(), ROLLBACK when destroyed
// uncommitted. A commit is durable when Commit() returns (the writer's
// session runs with synchronous_commit on). Savepoints are SAVEPOINT /
// RELEASE / ROLLBACK TO (followed by RELEASE) of one name, nestable.
//
// Writers in other processes on the same database (replicas):
//   - an insert whose key another open transaction has just inserted waits
//     for that transaction, and returns ALREADY_EXISTS if it commits (the
//     inserts say ON CONFLICT DO NOTHING, so this leaves the transaction
//     usable, as in SQLite);
//   - FindMessage() locks the message row until this transaction ends, so a
//     check-then-change (acknowledge a QUEUED message) is not interleaved
//     with another replica's;
//   - AppendAuditEvent() also advances the one-row `log_head` table, which
//     keeps that row locked until the end; LockLogHead() reads it FOR UPDATE
//     first, so the seq and hash it returns stay the head until this
//     transaction ends: one linear chain across writers.
//
// Round trips: inside a savepoint (every ledger command), the writes whose
// result the command does not read (inserts, the log head, tree nodes, the
// consent revision, NOTIFY) are pipelined (pg_connection.h) and sent with
// the next read or with ReleaseSavepoint(), which reports their first error
// while the savepoint is still open; SAVEPOINT and RELEASE go with the next
// round trip. A send costs three round trips instead of one per statement.
//
// Thread-safety: used by one thread; the connection must not be used by
// anything else while the transaction exists (PostgresStore guarantees that).
// Ownership: borrows the connection, which must outlive the transaction;
// `on_end` runs once, from the destructor.
//
// Errors: see store.h and pg_status.h. Updates of an unknown consent or
// message return NOT_FOUND. A statement that fails with an error aborts the
// PostgreSQL transaction: inside a savepoint, calls then return
// FAILED_PRECONDITION until RollbackToSavepoint(); outside one, every later
// call (Commit() included) returns ABORTED, or UNAVAILABLE when the
// connection was lost. A connection lost during COMMIT leaves the outcome
// unknown: UNAVAILABLE saying so (retries stay safe through the request-id
// uniqueness). After Commit() every call returns FAILED_PRECONDITION.
#ifndef CAREGATE_SERVICES_STORE_POSTGRES_PG_WRITE_TRANSACTION_H_
#define CAREGATE_SERVICES_STORE_POSTGRES_PG_WRITE_TRANSACTION_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/store/postgres/pg_connection.h"
#include "services/store/store.h"

namespace caregate::pg {

class PgWriteTransaction final : public WriteTransaction {
 public:
  static absl::StatusOr<std::unique_ptr<PgWriteTransaction>> Begin(
      PgConnection& db, std::function<void()> on_end);
  ~PgWriteTransaction() override;

  absl::Status Savepoint() override;
  absl::Status ReleaseSavepoint() override;
  absl::Status RollbackToSavepoint() override;

  absl::Status InsertConsent(const ConsentRecord& consent) override;
  absl::Status UpdateConsentRevocation(const ConsentRecord& consent) override;
  absl::Status ReplaceConsentText(const ConsentRecord& consent) override;
  absl::StatusOr<std::optional<ConsentRecord>> FindConsentByRequest(
      std::string_view principal_id, std::string_view request_id) override;

  absl::StatusOr<std::optional<ConsentRecord>> FindConsent(
      std::string_view consent_id) override;
  absl::StatusOr<std::vector<ConsentRecord>> ListPatientConsents(
      const PatientRef& patient) override;
  absl::StatusOr<int64_t> ReadConsentRevision(
      const PatientRef& patient) override;
  absl::Status WriteConsentRevision(const PatientRef& patient,
                                    int64_t revision) override;

  absl::Status InsertDisclosure(const DisclosureRow& disclosure) override;
  absl::StatusOr<std::optional<DisclosureRow>> FindDisclosureByRequest(
      std::string_view sender_principal_id,
      std::string_view request_id) override;

  absl::Status InsertMessage(const MessageRow& message) override;
  absl::StatusOr<std::optional<MessageRow>> FindMessage(
      std::string_view message_id) override;
  absl::Status MarkMessageAcknowledged(std::string_view message_id,
                                       absl::Time at) override;
  absl::Status UpdateMessageDelivery(const MessageRow& message) override;
  absl::StatusOr<std::vector<MessageRow>> WithholdPendingMessages(
      std::string_view consent_id) override;

  absl::Status AppendAuditEvent(const AuditEvent& event) override;
  absl::Status InsertCheckpoint(const Checkpoint& checkpoint) override;
  absl::Status UpdateCheckpointNote(int64_t seq, const Hash256& tree_root,
                                    std::string_view note) override;
  absl::Status PutTreeNodes(absl::Span<const tlog::NodeHash> nodes) override;
  absl::StatusOr<std::vector<Hash256>> ReadTreeNodes(
      absl::Span<const tlog::NodeId> ids) override;

  // The `log_head` row, read FOR UPDATE: locked until this transaction ends.
  absl::StatusOr<std::optional<ChainHead>> LockLogHead() override;

  absl::Status Commit() override;

 private:
  enum class State { kOpen, kEnded };

  PgWriteTransaction(PgConnection& db, std::function<void()> on_end)
      : db_(db), on_end_(std::move(on_end)) {}

  // OK while statements may run; the error for `op` otherwise.
  absl::Status CheckOpen(std::string_view op) const;
  // Runs `sql` with `params` once the transaction is open.
  absl::StatusOr<PgResult> Run(std::string_view op, const std::string& sql,
                               const PgParams& params);
  // Runs an INSERT ... ON CONFLICT DO NOTHING: ALREADY_EXISTS for no row.
  absl::Status Insert(std::string_view op, const std::string& sql,
                      const PgParams& params);
  // Runs an UPDATE: NOT_FOUND when it changed no row.
  absl::Status Update(std::string_view op, const std::string& sql,
                      const PgParams& params);
  // A write whose outcome nothing in the command reads: inside a savepoint
  // it is deferred (pipelined) until ReleaseSavepoint() or the next read;
  // outside one it runs at once. With kChangedRow, ALREADY_EXISTS when it
  // changed no row (INSERT ... ON CONFLICT DO NOTHING).
  absl::Status Write(std::string_view op, const std::string& sql,
                     const PgParams& params, PgConnection::Expect expect);

  PgConnection& db_;
  std::function<void()> on_end_;
  State state_ = State::kOpen;
  int savepoints_ = 0;  // open savepoints
};

}  // namespace caregate::pg

#endif  // CAREGATE_SERVICES_STORE_POSTGRES_PG_WRITE_TRANSACTION_H_
