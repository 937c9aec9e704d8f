#include "services/store/postgres/postgres_store.h"

#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "services/common/status_macros.h"
#include "services/store/postgres/pg_audit_query.h"
#include "services/store/postgres/pg_audit_summary.h"
#include "services/store/postgres/pg_connection.h"
#include "services/store/postgres/pg_read_pool.h"
#include "services/store/postgres/pg_rows.h"
#include "services/store/postgres/pg_schema.h"
#include "services/store/postgres/pg_write_transaction.h"
#include "services/store/sqlite_codec.h"

namespace caregate {
namespace {

using pg::PgConnection;
using pg::PgParams;
using pg::PgResult;

// Rows per page of ForEachConsent / ScanAuditEvents / ScanCheckpoints.
constexpr int kPageRows = 500;
// The extra column of the paged consent and checkpoint queries.
const int kCheckpointRowIdColumn = pg::kCheckpointColumnCount;

// The writer's session: commits durable before COMMIT returns (see header).
absl::Status ConfigureWriter(PgConnection& db) {
  constexpr char kOp[] = "configure write connection";
  CG_ASSIGN_OR_RETURN(
      PgResult result,
      db.Query(kOp, "SELECT current_setting('synchronous_commit')",
               PgParams()));
  pg::PgRow row = result.row(0);
  const std::string setting = row.Text(0);
  CG_RETURN_IF_ERROR(row.status());
  if (setting != "off") return absl::OkStatus();
  return db.Exec(kOp, "SET synchronous_commit = on");
}

absl::StatusOr<std::unique_ptr<PgConnection>> OpenWriter(
    const std::string& conninfo) {
  CG_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> db,
                      PgConnection::Open(conninfo));
  CG_RETURN_IF_ERROR(ConfigureWriter(*db));
  return db;
}

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string conninfo, std::unique_ptr<PgConnection> writer,
                const PostgresStoreOptions& options)
      : conninfo_(std::move(conninfo)),
        writer_(std::move(writer)),
        readers_(conninfo_, options.max_read_connections) {}

  absl::StatusOr<std::unique_ptr<WriteTransaction>> BeginWrite() override;
  // Commits are durable when Commit() returns: nothing to do.
  absl::Status Sync() override { return absl::OkStatus(); }
  absl::Status ForEachConsent(
      const std::function<void(ConsentRecord)>& fn) override;
  absl::StatusOr<std::optional<ConsentRecord>> GetConsent(
      std::string_view consent_id) override;
  absl::StatusOr<std::vector<ConsentRecord>> GetPatientConsents(
      const PatientRef& patient) override;
  absl::StatusOr<std::optional<ChainHead>> GetChainHead() override;
  absl::StatusOr<std::vector<PatientRevision>> ListConsentRevisionsAfter(
      int64_t after, int limit) override;
  absl::StatusOr<std::optional<DisclosureRow>> GetDisclosure(
      std::string_view disclosure_id) override;
  absl::StatusOr<std::optional<MessageRow>> GetMessage(
      std::string_view message_id) override;
  absl::StatusOr<std::vector<MessageRow>> ListMessages(
      std::string_view recipient_org_id, bool include_acknowledged,
      int64_t after_seq, int limit) override;
  absl::StatusOr<std::vector<MessageRow>> ListDueMessages(
      std::string_view recipient_org_id, absl::Time now, int limit) override;
  absl::StatusOr<std::vector<MessageRow>> ClaimDueMessages(
      const PushClaim& claim) override;
  absl::StatusOr<std::vector<MessageRow>> ListDeliveries(
      const DeliveryQuery& query) override;
  absl::StatusOr<std::vector<DisclosureRow>> ListDisclosuresForPatient(
      const PatientRef& patient, absl::Time since, absl::Time until) override;
  absl::StatusOr<std::vector<AuditEvent>> QueryAuditEvents(
      const AuditQuery& query) override;
  absl::StatusOr<AuditSummary> SummarizeAuditEvents(absl::Time since,
                                                    absl::Time until) override;
  absl::Status ScanAuditEvents(
      int64_t from_seq, int64_t to_seq,
      const std::function<bool(const AuditEvent&)>& fn) override;
  absl::StatusOr<std::vector<Hash256>> ReadTreeNodes(
      absl::Span<const tlog::NodeId> ids) override;
  absl::StatusOr<int64_t> GetTreeSize() override;
  absl::StatusOr<std::optional<Checkpoint>> GetLatestCheckpoint() override;
  absl::Status ScanCheckpoints(
      const std::function<bool(const Checkpoint&)>& fn) override;

 private:
  // Runs `sql` on a pooled read connection; once more on a new connection
  // when the pooled one turns out to be lost.
  absl::StatusOr<PgResult> Read(std::string_view op, const std::string& sql,
                                const PgParams& params);
  // Begins on the writer, replacing a lost writer connection first.
  absl::StatusOr<std::unique_ptr<WriteTransaction>> BeginOnWriter()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  void EndWrite();
  // Runs `sql` in autocommit on the claim connection (opened on first use,
  // and again when lost); never the ledger's writer.
  absl::StatusOr<PgResult> Claim(std::string_view op, const std::string& sql,
                                 const PgParams& params);

  const std::string conninfo_;
  absl::Mutex write_mu_;
  std::unique_ptr<PgConnection> writer_ ABSL_GUARDED_BY(write_mu_);
  bool write_open_ ABSL_GUARDED_BY(write_mu_) = false;
  pg::PgReadPool readers_;
  absl::Mutex claim_mu_;
  std::unique_ptr<PgConnection> claimer_ ABSL_GUARDED_BY(claim_mu_);
};

absl::StatusOr<PgResult> PostgresStore::Read(std::string_view op,
                                             const std::string& sql,
                                             const PgParams& params) {
  for (int attempt = 0;; ++attempt) {
    CG_ASSIGN_OR_RETURN(pg::PgReadPool::Lease lease, readers_.Acquire());
    absl::StatusOr<PgResult> result = lease.connection().Query(op, sql, params);
    if (result.ok() || attempt > 0 || lease.connection().healthy()) {
      return result;
    }
    // The lease drops the lost connection; the next Acquire() opens anew.
  }
}

absl::StatusOr<PgResult> PostgresStore::Claim(std::string_view op,
                                              const std::string& sql,
                                              const PgParams& params) {
  absl::MutexLock lock(&claim_mu_);
  for (int attempt = 0;; ++attempt) {
    if (claimer_ == nullptr || !claimer_->healthy()) {
      claimer_.reset();
      CG_ASSIGN_OR_RETURN(claimer_, OpenWriter(conninfo_));
    }
    absl::StatusOr<PgResult> result = claimer_->Query(op, sql, params);
    if (result.ok() || attempt > 0 || claimer_->healthy()) return result;
  }
}

absl::StatusOr<std::unique_ptr<WriteTransaction>>
PostgresStore::BeginOnWriter() {
  for (int attempt = 0;; ++attempt) {
    if (writer_ == nullptr || !writer_->healthy()) {
      writer_.reset();
      CG_ASSIGN_OR_RETURN(writer_, OpenWriter(conninfo_));
    }
    absl::StatusOr<std::unique_ptr<pg::PgWriteTransaction>> txn =
        pg::PgWriteTransaction::Begin(*writer_, [this] { EndWrite(); });
    if (txn.ok()) return std::unique_ptr<WriteTransaction>(*std::move(txn));
    if (attempt > 0 || writer_->healthy()) return txn.status();
  }
}

absl::StatusOr<std::unique_ptr<WriteTransaction>> PostgresStore::BeginWrite() {
  absl::MutexLock lock(&write_mu_);
  if (write_open_) {
    return absl::FailedPreconditionError(
        "begin write transaction: another transaction is open");
  }
  CG_ASSIGN_OR_RETURN(std::unique_ptr<WriteTransaction> txn, BeginOnWriter());
  write_open_ = true;
  return txn;
}

void PostgresStore::EndWrite() {
  absl::MutexLock lock(&write_mu_);
  write_open_ = false;
}

absl::Status PostgresStore::ForEachConsent(
    const std::function<void(ConsentRecord)>& fn) {
  int64_t after_row = 0;
  while (true) {
    CG_ASSIGN_OR_RETURN(PgResult page,
                        Read("list consents", pg::kConsentPageSql,
                             PgParams().Int64(after_row).Int64(kPageRows)));
    for (int i = 0; i < page.rows(); ++i) {
      CG_ASSIGN_OR_RETURN(ConsentRecord consent, pg::ReadConsent(page.row(i)));
      pg::PgRow row = page.row(i);
      after_row = row.Int64(pg::kConsentColumnCount);
      CG_RETURN_IF_ERROR(row.status());
      fn(std::move(consent));
    }
    if (page.rows() < kPageRows) return absl::OkStatus();
  }
}

absl::StatusOr<std::optional<ChainHead>> PostgresStore::GetChainHead() {
  CG_ASSIGN_OR_RETURN(PgResult result,
                      Read("read chain head", pg::kChainHeadSql, PgParams()));
  if (result.rows() != 1) {
    return absl::DataLossError("read chain head: the log_head row is missing");
  }
  return pg::ReadChainHead(result.row(0));
}

absl::StatusOr<std::vector<PatientRevision>>
PostgresStore::ListConsentRevisionsAfter(int64_t after, int limit) {
  CG_ASSIGN_OR_RETURN(
      PgResult result,
      Read("list consent revisions", pg::kConsentRevisionsAfterSql,
           PgParams().Int64(after).Int64(limit)));
  std::vector<PatientRevision> out;
  out.reserve(result.rows());
  for (int i = 0; i < result.rows(); ++i) {
    pg::PgRow row = result.row(i);
    PatientRevision r;
    r.patient.practice_org_id = row.Text(0);
    r.patient.patient_id = row.Text(1);
    r.revision = row.Int64(2);
    CG_RETURN_IF_ERROR(row.status());
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<std::optional<ConsentRecord>> PostgresStore::GetConsent(
    std::string_view consent_id) {
  CG_ASSIGN_OR_RETURN(PgResult result, Read("get consent", pg::kGetConsentSql,
                                            PgParams().Text(consent_id)));
  return pg::ReadOptional(result, &pg::ReadConsent);
}

absl::StatusOr<std::vector<ConsentRecord>> PostgresStore::GetPatientConsents(
    const PatientRef& patient) {
  CG_ASSIGN_OR_RETURN(
      PgResult result,
      Read("get patient consents", pg::kPatientConsentsSql,
           PgParams().Text(patient.practice_org_id).Text(patient.patient_id)));
  return pg::ReadAll(result, &pg::ReadConsent);
}

absl::StatusOr<std::optional<DisclosureRow>> PostgresStore::GetDisclosure(
    std::string_view disclosure_id) {
  CG_ASSIGN_OR_RETURN(PgResult result,
                      Read("get disclosure", pg::kGetDisclosureSql,
                           PgParams().Text(disclosure_id)));
  return pg::ReadOptional(result, &pg::ReadDisclosure);
}

absl::StatusOr<std::optional<MessageRow>> PostgresStore::GetMessage(
    std::string_view message_id) {
  CG_ASSIGN_OR_RETURN(PgResult result, Read("get message", pg::kGetMessageSql,
                                            PgParams().Text(message_id)));
  return pg::ReadOptional(result, &pg::ReadMessage);
}

absl::StatusOr<std::vector<MessageRow>> PostgresStore::ListMessages(
    std::string_view recipient_org_id, bool include_acknowledged,
    int64_t after_seq, int limit) {
  if (limit < 1) {
    return absl::InvalidArgumentError("list messages: limit must be >= 1");
  }
  CG_ASSIGN_OR_RETURN(
      PgResult result,
      Read("list messages", pg::kListMessagesSql,
           PgParams()
               .Text(recipient_org_id)
               .Int64(after_seq)
               .Int32(v1::DELIVERY_STATE_QUEUED)
               .Int32(include_acknowledged ? v1::DELIVERY_STATE_ACKNOWLEDGED
                                           : v1::DELIVERY_STATE_QUEUED)
               .Int64(limit)));
  return pg::ReadAll(result, &pg::ReadMessage);
}

absl::StatusOr<std::vector<MessageRow>> PostgresStore::ListDueMessages(
    std::string_view recipient_org_id, absl::Time now, int limit) {
  if (limit < 1) {
    return absl::InvalidArgumentError("list due messages: limit must be >= 1");
  }
  CG_ASSIGN_OR_RETURN(PgResult result,
                      Read("list due messages", pg::kListDueMessagesSql,
                           PgParams()
                               .Text(recipient_org_id)
                               .Int32(v1::DELIVERY_STATE_QUEUED)
                               .Int64(sqlite::TimeToMicros(now))
                               .Int64(limit)));
  return pg::ReadAll(result, &pg::ReadMessage);
}

absl::StatusOr<std::vector<MessageRow>> PostgresStore::ClaimDueMessages(
    const PushClaim& claim) {
  if (claim.limit < 1) {
    return absl::InvalidArgumentError("claim due messages: limit must be >= 1");
  }
  if (claim.owner.empty()) {
    return absl::InvalidArgumentError("claim due messages: owner is empty");
  }
  CG_ASSIGN_OR_RETURN(PgResult result,
                      Claim("claim due messages", pg::kClaimDueMessagesSql,
                            PgParams()
                                .Text(claim.recipient_org_id)
                                .Int32(v1::DELIVERY_STATE_QUEUED)
                                .Int64(sqlite::TimeToMicros(claim.now))
                                .Int64(claim.limit)
                                .Text(claim.owner)
                                .Int64(sqlite::TimeToMicros(claim.lease_until))
                                .Int64(claim.max_seq)));
  CG_ASSIGN_OR_RETURN(std::vector<MessageRow> rows,
                      pg::ReadAll(result, &pg::ReadMessage));
  // RETURNING keeps no order.
  std::sort(
      rows.begin(), rows.end(), [](const MessageRow& a, const MessageRow& b) {
        return std::tie(a.seq, a.message_id) < std::tie(b.seq, b.message_id);
      });
  return rows;
}

absl::StatusOr<std::vector<MessageRow>> PostgresStore::ListDeliveries(
    const DeliveryQuery& query) {
  if (query.limit < 1) {
    return absl::InvalidArgumentError("list deliveries: limit must be >= 1");
  }
  PgParams params;
  params.Int64(query.after_seq);
  std::string sql = absl::StrCat(pg::kSelectMessagesSql, " WHERE seq > $1");
  if (query.state != v1::DELIVERY_STATE_UNSPECIFIED) {
    params.Int32(query.state);
    absl::StrAppend(&sql, " AND state = $", params.size());
  }
  if (!query.recipient_org_id.empty()) {
    params.Text(query.recipient_org_id);
    absl::StrAppend(&sql, " AND recipient_org_id = $", params.size());
  }
  params.Int64(query.limit);
  absl::StrAppend(&sql, " ORDER BY seq, message_id LIMIT $", params.size());
  CG_ASSIGN_OR_RETURN(PgResult result, Read("list deliveries", sql, params));
  return pg::ReadAll(result, &pg::ReadMessage);
}

absl::StatusOr<std::vector<DisclosureRow>>
PostgresStore::ListDisclosuresForPatient(const PatientRef& patient,
                                         absl::Time since, absl::Time until) {
  if (patient.practice_org_id.empty() || patient.patient_id.empty()) {
    return absl::InvalidArgumentError(
        "list disclosures: a patient is (practice_org_id, patient_id); both "
        "are required");
  }
  CG_ASSIGN_OR_RETURN(
      PgResult result,
      Read("list disclosures", pg::kListDisclosuresSql,
           PgParams()
               .Text(patient.patient_id)
               .Text(patient.practice_org_id)
               .Int64(sqlite::TimeToMicros(since))
               .Int64(sqlite::TimeToMicros(until))
               .Int32(v1::DECISION_OUTCOME_PERMITTED)
               .Int32(v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS)));
  return pg::ReadAll(result, &pg::ReadDisclosure);
}

absl::StatusOr<std::vector<AuditEvent>> PostgresStore::QueryAuditEvents(
    const AuditQuery& query) {
  CG_ASSIGN_OR_RETURN(pg::AuditQuerySql sql, pg::BuildAuditQuerySql(query));
  CG_ASSIGN_OR_RETURN(PgResult result,
                      Read("query audit events", sql.sql, sql.params));
  return pg::ReadAll(result, &pg::ReadAuditEvent);
}

absl::StatusOr<AuditSummary> PostgresStore::SummarizeAuditEvents(
    absl::Time since, absl::Time until) {
  CG_ASSIGN_OR_RETURN(PgResult result,
                      Read("summarize audit events", pg::kAuditSummarySql,
                           pg::AuditSummaryParams(since, until)));
  return pg::AuditSummaryFromRows(result);
}

absl::Status PostgresStore::ScanAuditEvents(
    int64_t from_seq, int64_t to_seq,
    const std::function<bool(const AuditEvent&)>& fn) {
  int64_t next = from_seq;
  while (next <= to_seq) {
    CG_ASSIGN_OR_RETURN(
        PgResult page,
        Read("scan audit events", pg::kScanAuditEventsSql,
             PgParams().Int64(next).Int64(to_seq).Int64(kPageRows)));
    CG_ASSIGN_OR_RETURN(std::vector<AuditEvent> events,
                        pg::ReadAll(page, &pg::ReadAuditEvent));
    for (const AuditEvent& event : events) {
      if (!fn(event)) return absl::OkStatus();
    }
    if (events.size() < static_cast<size_t>(kPageRows) ||
        events.back().seq == std::numeric_limits<int64_t>::max()) {
      return absl::OkStatus();
    }
    next = events.back().seq + 1;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Hash256>> PostgresStore::ReadTreeNodes(
    absl::Span<const tlog::NodeId> ids) {
  CG_ASSIGN_OR_RETURN(PgResult result,
                      Read("read tree nodes", pg::kReadTreeNodesSql,
                           pg::TreeNodeIdParams(ids)));
  return pg::ReadTreeNodeHashes(result, ids);
}

absl::StatusOr<int64_t> PostgresStore::GetTreeSize() {
  CG_ASSIGN_OR_RETURN(PgResult result,
                      Read("read tree size", pg::kTreeSizeSql, PgParams()));
  if (result.rows() != 1) return absl::InternalError("read tree size: no row");
  pg::PgRow row = result.row(0);
  const int64_t size = row.Int64(0);
  CG_RETURN_IF_ERROR(row.status());
  return size;
}

absl::StatusOr<std::optional<Checkpoint>> PostgresStore::GetLatestCheckpoint() {
  CG_ASSIGN_OR_RETURN(
      PgResult result,
      Read("read latest checkpoint", pg::kLatestCheckpointSql, PgParams()));
  return pg::ReadOptional(result, &pg::ReadCheckpoint);
}

absl::Status PostgresStore::ScanCheckpoints(
    const std::function<bool(const Checkpoint&)>& fn) {
  // The key of the last row read: (seq, time_us, row_id).
  int64_t seq = std::numeric_limits<int64_t>::min();
  int64_t time_us = std::numeric_limits<int64_t>::min();
  int64_t row_id = std::numeric_limits<int64_t>::min();
  while (true) {
    CG_ASSIGN_OR_RETURN(
        PgResult page,
        Read("scan checkpoints", pg::kCheckpointPageSql,
             PgParams().Int64(seq).Int64(time_us).Int64(row_id).Int64(
                 kPageRows)));
    for (int i = 0; i < page.rows(); ++i) {
      CG_ASSIGN_OR_RETURN(Checkpoint checkpoint,
                          pg::ReadCheckpoint(page.row(i)));
      pg::PgRow row = page.row(i);
      row_id = row.Int64(kCheckpointRowIdColumn);
      CG_RETURN_IF_ERROR(row.status());
      seq = checkpoint.seq;
      time_us = sqlite::TimeToMicros(checkpoint.time);
      if (!fn(checkpoint)) return absl::OkStatus();
    }
    if (page.rows() < kPageRows) return absl::OkStatus();
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(
    const std::string& conninfo, const PostgresStoreOptions& options) {
  if (options.max_read_connections < 1) {
    return absl::InvalidArgumentError(
        "open PostgreSQL store: max_read_connections must be >= 1");
  }
  CG_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> writer,
                      OpenWriter(conninfo));
  CG_RETURN_IF_ERROR(pg::MigrateSchema(*writer));
  return std::unique_ptr<Store>(
      new PostgresStore(conninfo, std::move(writer), options));
}

}  // namespace caregate
