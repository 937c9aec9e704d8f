// The SQLite Store's WriteTransaction: BEGIN IMMEDIATE on the store's one
// write connection, COMMIT on Commit() (WAL with synchronous=NORMAL: durable
// after the next SqliteStore Sync(), which fsyncs the WAL),
// ROLLBACK when destroyed uncommitted. Savepoints are SAVEPOINT / RELEASE /
// ROLLBACK TO (followed by RELEASE, so the savepoint is closed) of one name,
// nestable. The per-day counts of the events and disclosures written are
// added to audit_day_counts just before COMMIT (sqlite_day_counts.h).
//
// Thread-safety: used by one thread; the connection must not be used by
// anything else while the transaction exists (SqliteStore guarantees that).
// Ownership: borrows the connection, which must outlive the transaction;
// `on_end` runs once, from the destructor.
//
// Errors: see store.h and sqlite_connection.h. Updates of an unknown consent
// or message return NOT_FOUND. After SQLite has rolled the whole transaction
// back because of an error (e.g. a full disk), every call returns
// UNAVAILABLE; after Commit() every call returns FAILED_PRECONDITION.
#ifndef CAREGATE_SERVICES_STORE_SQLITE_WRITE_TRANSACTION_H_
#define CAREGATE_SERVICES_STORE_SQLITE_WRITE_TRANSACTION_H_

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/store/sqlite_connection.h"
#include "services/store/sqlite_day_counts.h"
#include "services/store/store.h"

namespace caregate::sqlite {

class SqliteWriteTransaction final : public WriteTransaction {
 public:
  static absl::StatusOr<std::unique_ptr<SqliteWriteTransaction>> Begin(
      SqliteConnection& db, std::function<void()> on_end);
  ~SqliteWriteTransaction() override;

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

  // The last audit event, read on the write connection.
  absl::StatusOr<std::optional<ChainHead>> LockLogHead() override;
  absl::Status AppendAuditEvent(const AuditEvent& event) override;
  absl::Status InsertCheckpoint(const Checkpoint& checkpoint) override;
  absl::Status UpdateCheckpointNote(int64_t seq, const Hash256& tree_root,
                                    std::string_view note) override;
  absl::Status PutTreeNodes(absl::Span<const tlog::NodeHash> nodes) override;
  absl::StatusOr<std::vector<Hash256>> ReadTreeNodes(
      absl::Span<const tlog::NodeId> ids) override;

  absl::Status Commit() override;

 private:
  enum class State { kOpen, kRolledBackBySqlite, kEnded };

  SqliteWriteTransaction(SqliteConnection& db, std::function<void()> on_end)
      : db_(db), on_end_(std::move(on_end)) {}

  // OK while statements may run; the error for `op` otherwise.
  absl::Status CheckOpen(std::string_view op) const;
  // Notes whether a failed statement made SQLite roll everything back.
  absl::Status Track(absl::Status status);
  // Prepares `sql`, lets `bind` fill it, runs it.
  absl::Status Run(std::string_view op, std::string_view sql,
                   const std::function<void(SqliteStatement&)>& bind);
  // Runs `sql` and fails with NOT_FOUND when it changed no row.
  absl::Status Update(std::string_view op, std::string_view sql,
                      const std::function<void(SqliteStatement&)>& bind);

  SqliteConnection& db_;
  std::function<void()> on_end_;
  State state_ = State::kOpen;
  int savepoints_ = 0;    // open savepoints
  DayCounts day_counts_;  // added to audit_day_counts at Commit()
};

}  // namespace caregate::sqlite

#endif  // CAREGATE_SERVICES_STORE_SQLITE_WRITE_TRANSACTION_H_
