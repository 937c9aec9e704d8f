// The SQL text of the SQLite Store and the mapping between its rows and the
// Store's C++ records.
//
// Each record type has a column list used both by its INSERT (parameters 1..N
// in that order, filled by Bind*) and by every SELECT of it (columns 0..N-1,
// read by Read*). Column encodings are those of sqlite_codec.h; the schema is
// in sqlite_schema.cc.
//
// Thread-safety: the functions only touch the statement passed in.
// Errors: Read* return DATA_LOSS for a column that cannot be decoded.
#ifndef CAREGATE_SERVICES_STORE_SQLITE_ROWS_H_
#define CAREGATE_SERVICES_STORE_SQLITE_ROWS_H_

#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/audit/audit_event.h"
#include "services/policy/consent_record.h"
#include "services/store/records.h"
#include "services/store/sqlite_connection.h"
#include "services/transparency/merkle.h"

namespace caregate::sqlite {

// Statements of the write connection.
extern const char kInsertConsentSql[];
extern const char kUpdateConsentRevocationSql[];  // revision, revoked_at_us,
                                                  // revoked_by, sealed
                                                  // reason, id
extern const char kReplaceConsentTextSql[];       // key id, sealed evidence,
                                                  // sealed reason, id
extern const char kFindConsentByRequestSql[];     // recorded_by, request_id
extern const char kFindConsentSql[];              // consent_id
extern const char kPatientConsentsSql[];          // practice, patient
extern const char kInsertDisclosureSql[];
extern const char kFindDisclosureByRequestSql[];  // sender, request_id
extern const char kInsertMessageSql[];
extern const char kInsertMessageConsentSql[];   // consent_id, message_id
extern const char kAcknowledgeMessageSql[];     // state, ack time, message_id
extern const char kUpdateMessageDeliverySql[];  // BindMessageDelivery
extern const char kWithholdMessagesSql[];  // new state, 2 old states, consent
extern const char kInsertAuditEventSql[];
extern const char kInsertCheckpointSql[];
extern const char kUpdateCheckpointNoteSql[];  // seq, tree_root, note
extern const char kInsertTreeNodeSql[];        // level, idx, hash

// Statements of both connections.
extern const char kGetMessageSql[];  // message_id

// Statements of the read connections.
extern const char kAllConsentsSql[];
extern const char kChainHeadSql[];
extern const char kGetDisclosureSql[];  // disclosure_id
// recipient, after_seq, state, other state, limit
extern const char kListMessagesSql[];
// recipient_org_id, QUEUED, now (micros), limit
extern const char kListDueMessagesSql[];
extern const char kSelectMessagesSql[];  // + WHERE ... (ListDeliveries)
// patient, practice or '', since, until, outcome, other outcome
extern const char kListDisclosuresSql[];
extern const char kScanAuditEventsSql[];  // from_seq, to_seq
extern const char kLatestCheckpointSql[];
extern const char kScanCheckpointsSql[];
extern const char kTreeSizeSql[];
// "SELECT <audit columns> FROM audit_events", for queries built at run time.
extern const char kSelectAuditEventsSql[];

// The hashes of tree nodes `ids` read on `db`, in order; NOT_FOUND naming
// the first one missing.
absl::StatusOr<std::vector<Hash256>> ReadTreeNodes(
    SqliteConnection& db, absl::Span<const tlog::NodeId> ids);

void BindConsent(const ConsentRecord& consent, SqliteStatement& stmt);
absl::StatusOr<ConsentRecord> ReadConsent(const SqliteStatement& stmt);

void BindDisclosure(const DisclosureRow& disclosure, SqliteStatement& stmt);
absl::StatusOr<DisclosureRow> ReadDisclosure(const SqliteStatement& stmt);

void BindMessage(const MessageRow& message, SqliteStatement& stmt);
absl::StatusOr<MessageRow> ReadMessage(const SqliteStatement& stmt);
// The parameters of kUpdateMessageDeliverySql.
void BindMessageDelivery(const MessageRow& message, SqliteStatement& stmt);

void BindAuditEvent(const AuditEvent& event, SqliteStatement& stmt);
absl::StatusOr<AuditEvent> ReadAuditEvent(const SqliteStatement& stmt);
// As ReadAuditEvent, into `*event`, reusing the capacity of its strings and
// lists (a scan decodes every row into one event without allocating). On
// error `*event` is unspecified.
absl::Status ReadAuditEventInto(const SqliteStatement& stmt, AuditEvent* event);

void BindCheckpoint(const Checkpoint& checkpoint, SqliteStatement& stmt);
absl::StatusOr<Checkpoint> ReadCheckpoint(const SqliteStatement& stmt);

// Steps `stmt` once: the row read by `read`, or std::nullopt when none.
template <typename Row>
absl::StatusOr<std::optional<Row>> ReadOptional(
    SqliteStatement& stmt,
    absl::StatusOr<Row> (*read)(const SqliteStatement&)) {
  absl::StatusOr<bool> has_row = stmt.Step();
  if (!has_row.ok()) return has_row.status();
  if (!*has_row) return std::nullopt;
  absl::StatusOr<Row> row = read(stmt);
  if (!row.ok()) return row.status();
  return std::optional<Row>(*std::move(row));
}

// Steps `stmt` to the end, reading every row with `read`.
template <typename Row>
absl::StatusOr<std::vector<Row>> ReadAll(
    SqliteStatement& stmt,
    absl::StatusOr<Row> (*read)(const SqliteStatement&)) {
  std::vector<Row> rows;
  while (true) {
    absl::StatusOr<bool> has_row = stmt.Step();
    if (!has_row.ok()) return has_row.status();
    if (!*has_row) return rows;
    absl::StatusOr<Row> row = read(stmt);
    if (!row.ok()) return row.status();
    rows.push_back(*std::move(row));
  }
}

}  // namespace caregate::sqlite

#endif  // CAREGATE_SERVICES_STORE_SQLITE_ROWS_H_
