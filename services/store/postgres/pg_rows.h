// The SQL text of the PostgreSQL Store, one statement per constant, and the
// mapping between its rows and the Store's C++ records.
//
// Each record type has a column list used both by its INSERT (parameters
// $1..$N in that order, filled by Params*) and by every SELECT of it
// (columns 0..N-1, read by Read*). Types and encodings are those of
// pg_schema.cc. Inserts say ON CONFLICT DO NOTHING, so a duplicate key is
// "no row inserted" (ALREADY_EXISTS to the caller) instead of an error that
// would abort the whole transaction, as in SQLite.
//
// Thread-safety: pure functions and constants.
// Errors: Read* return DATA_LOSS for a column that cannot be decoded.
#ifndef CAREGATE_SERVICES_STORE_POSTGRES_PG_ROWS_H_
#define CAREGATE_SERVICES_STORE_POSTGRES_PG_ROWS_H_

#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/audit/audit_event.h"
#include "services/policy/consent_record.h"
#include "services/store/postgres/pg_connection.h"
#include "services/store/records.h"
#include "services/transparency/merkle.h"

namespace caregate::pg {

// Statements of the write connection.
extern const char kInsertConsentSql[];
extern const char kUpdateConsentRevocationSql[];  // revision, revoked_at_us,
                                                  // revoked_by, sealed
                                                  // reason, id
extern const char kReplaceConsentTextSql[];       // key id, sealed evidence,
                                                  // sealed reason, id
extern const char kFindConsentByRequestSql[];     // recorded_by, request_id
extern const char kGetConsentSql[];               // consent_id
extern const char kFindConsentForUpdateSql[];     // consent_id
extern const char kPatientConsentsSql[];          // practice, patient
extern const char kReadConsentRevisionSql[];      // practice, patient
extern const char kWriteConsentRevisionSql[];     // practice, patient, rev
extern const char kInsertDisclosureSql[];
extern const char kFindDisclosureByRequestSql[];  // sender, request_id
extern const char kInsertMessageSql[];
extern const char kInsertMessageConsentSql[];   // consent_id, message_id
extern const char kFindMessageForUpdateSql[];   // message_id
extern const char kAcknowledgeMessageSql[];     // state, ack time, message_id
extern const char kUpdateMessageDeliverySql[];  // MessageDeliveryParams
extern const char kWithholdMessagesSql[];  // new state, 2 old states, consent
extern const char kInsertAuditEventSql[];
extern const char kAdvanceLogHeadSql[];  // seq, hash
extern const char kLockLogHeadSql[];
extern const char kInsertCheckpointSql[];
extern const char kUpdateCheckpointNoteSql[];  // seq, tree_root, note
extern const char kInsertTreeNodesSql[];       // TreeNodeParams
extern const char kReadTreeNodesSql[];         // TreeNodeIdParams
extern const char kTreeSizeSql[];

// Statements of the read connections.
extern const char kConsentPageSql[];  // after row_id, limit (+ row_id column)
// Number of consent columns ReadConsent reads; kConsentPageSql puts row_id
// right after them.
extern const int kConsentColumnCount;
extern const char kChainHeadSql[];
extern const char kConsentRevisionsAfterSql[];
extern const char kGetDisclosureSql[];  // disclosure_id
extern const char kGetMessageSql[];     // message_id
// recipient, after_seq, state, other state, limit
extern const char kListMessagesSql[];
// recipient_org_id, QUEUED, now (micros), limit
extern const char kListDueMessagesSql[];
// The channel on which a transaction that inserts a message notifies its
// recipient organization's id, delivered to listeners once it commits
// (ADR 5, section 4).
inline constexpr char kMessageChannel[] = "caregate_messages";
// $1 the recipient org id.
extern const char kNotifyMessageSql[];
// $1 org, $2 QUEUED, $3 now (µs), $4 limit, $5 owner, $6 lease end (µs),
// $7 max seq.
extern const char kClaimDueMessagesSql[];
extern const char kSelectMessagesSql[];  // + WHERE ... (ListDeliveries)
// patient, practice or '', since, until, outcome, other outcome
extern const char kListDisclosuresSql[];
extern const char kScanAuditEventsSql[];  // from_seq, to_seq, limit
extern const char kLatestCheckpointSql[];
// after (seq, time_us, row_id), limit (+ row_id column)
extern const char kCheckpointPageSql[];
// "SELECT <audit columns> FROM audit_events", for queries built at run time.
extern const char kSelectAuditEventsSql[];

PgParams ConsentParams(const ConsentRecord& consent);
absl::StatusOr<ConsentRecord> ReadConsent(PgRow row);

PgParams DisclosureParams(const DisclosureRow& disclosure);
absl::StatusOr<DisclosureRow> ReadDisclosure(PgRow row);

PgParams MessageParams(const MessageRow& message);
absl::StatusOr<MessageRow> ReadMessage(PgRow row);
// The parameters of kUpdateMessageDeliverySql.
PgParams MessageDeliveryParams(const MessageRow& message);

PgParams AuditEventParams(const AuditEvent& event);
absl::StatusOr<AuditEvent> ReadAuditEvent(PgRow row);

// The number of checkpoint columns (a page query adds row_id after them).
extern const int kCheckpointColumnCount;
PgParams CheckpointParams(const Checkpoint& checkpoint);
PgParams TreeNodeIdParams(absl::Span<const tlog::NodeId> ids);
PgParams TreeNodeParams(absl::Span<const tlog::NodeHash> nodes);
// The hashes of kReadTreeNodesSql's rows for `ids`; NOT_FOUND naming the
// first node not stored.
absl::StatusOr<std::vector<Hash256>> ReadTreeNodeHashes(
    const PgResult& result, absl::Span<const tlog::NodeId> ids);
absl::StatusOr<Checkpoint> ReadCheckpoint(PgRow row);

// The log_head row: std::nullopt for an empty log (seq 0).
absl::StatusOr<std::optional<ChainHead>> ReadChainHead(PgRow row);

// The first row read by `read`, or std::nullopt when there is none.
template <typename Row>
absl::StatusOr<std::optional<Row>> ReadOptional(
    const PgResult& result, absl::StatusOr<Row> (*read)(PgRow)) {
  if (result.rows() == 0) return std::nullopt;
  absl::StatusOr<Row> row = read(result.row(0));
  if (!row.ok()) return row.status();
  return std::optional<Row>(*std::move(row));
}

// Every row, read by `read`.
template <typename Row>
absl::StatusOr<std::vector<Row>> ReadAll(const PgResult& result,
                                         absl::StatusOr<Row> (*read)(PgRow)) {
  std::vector<Row> rows;
  rows.reserve(result.rows());
  for (int i = 0; i < result.rows(); ++i) {
    absl::StatusOr<Row> row = read(result.row(i));
    if (!row.ok()) return row.status();
    rows.push_back(*std::move(row));
  }
  return rows;
}

}  // namespace caregate::pg

#endif  // CAREGATE_SERVICES_STORE_POSTGRES_PG_ROWS_H_
