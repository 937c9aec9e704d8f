#include "services/store/sqlite_rows.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/store/sqlite_codec.h"
#include "services/transparency/merkle.h"

namespace caregate::sqlite {

// Column lists, in Bind*/Read* order.
#define CG_CONSENT_COLUMNS                                                  \
  "consent_id, patient_id, practice_org_id, grantee_org_id, "               \
  "grantee_provider_id, grantee_specialty, purposes, categories, "          \
  "withheld_categories, valid_from_us, expires_at_us, "                     \
  "information_description, document_sha256, signed_at_us, signer_name, "   \
  "signer_relationship, representative_authority, witness, "                \
  "states_right_to_revoke, states_treatment_not_conditioned, "              \
  "states_redisclosure_risk, capture_method, recorded_by, recorded_at_us, " \
  "request_id, revision, revoked_at_us, revoked_by, revocation_reason, "    \
  "text_key_id, sealed_evidence, sealed_revocation_reason, request_digest"
#define CG_CONSENT_PARAMS \
  "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?"
#define CG_DISCLOSURE_COLUMNS                                               \
  "disclosure_id, practice_org_id, sender_principal_id, request_id, "       \
  "patient_id, recipient_org_id, recipient_provider_id, purpose, outcome, " \
  "categories, consent_ids, content_sha256, audit_seq, message_id, "        \
  "created_at_us, decision, request_digest"
#define CG_DISCLOSURE_PARAMS "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?"
#define CG_MESSAGE_COLUMNS                                                 \
  "message_id, disclosure_id, recipient_org_id, seq, consent_ids, state, " \
  "created_at_us, acknowledged_at_us, key_id, sealed_envelope, "           \
  "delivery_attempts, next_attempt_at_us, last_delivery_error, "           \
  "delivered_at_us, retried_at_us"
#define CG_MESSAGE_PARAMS "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?"
#define CG_AUDIT_COLUMNS                                                    \
  "seq, time_us, actor_principal_id, actor_role, actor_org_id, action, "    \
  "practice_org_id, patient_id, recipient_org_id, purpose, categories, "    \
  "consent_ids, outcome, reasons, content_sha256, request_id, subject_id, " \
  "detail, prev_hash, hash"
#define CG_AUDIT_PARAMS "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?"
#define CG_CHECKPOINT_COLUMNS \
  "origin, seq, head_hash, time_us, body, signature, key_id, tree_root, note"
#define CG_CHECKPOINT_PARAMS "?,?,?,?,?,?,?,?,?"

const char kInsertConsentSql[] = "INSERT INTO consents (" CG_CONSENT_COLUMNS
                                 ") VALUES (" CG_CONSENT_PARAMS ")";
const char kUpdateConsentRevocationSql[] =
    "UPDATE consents SET revision = ?1, revoked_at_us = ?2, revoked_by = ?3, "
    "revocation_reason = '', sealed_revocation_reason = ?4 "
    "WHERE consent_id = ?5";
const char kReplaceConsentTextSql[] =
    "UPDATE consents SET information_description = '', signer_name = '', "
    "representative_authority = '', witness = '', revocation_reason = '', "
    "text_key_id = ?1, sealed_evidence = ?2, sealed_revocation_reason = ?3 "
    "WHERE consent_id = ?4";
const char kFindConsentByRequestSql[] =
    "SELECT " CG_CONSENT_COLUMNS
    " FROM consents WHERE recorded_by = ?1 AND request_id = ?2"
    " AND request_id != ''";
const char kFindConsentSql[] =
    "SELECT " CG_CONSENT_COLUMNS " FROM consents WHERE consent_id = ?1";
const char kPatientConsentsSql[] = "SELECT " CG_CONSENT_COLUMNS
                                   " FROM consents WHERE practice_org_id = ?1"
                                   " AND patient_id = ?2 ORDER BY row_id";
const char kInsertDisclosureSql[] =
    "INSERT INTO disclosures (" CG_DISCLOSURE_COLUMNS
    ") VALUES (" CG_DISCLOSURE_PARAMS ")";
const char kFindDisclosureByRequestSql[] =
    "SELECT " CG_DISCLOSURE_COLUMNS
    " FROM disclosures WHERE sender_principal_id = ?1 AND request_id = ?2";
const char kInsertMessageSql[] = "INSERT INTO messages (" CG_MESSAGE_COLUMNS
                                 ") VALUES (" CG_MESSAGE_PARAMS ")";
const char kInsertMessageConsentSql[] =
    "INSERT OR IGNORE INTO message_consents (consent_id, message_id) "
    "VALUES (?1, ?2)";
const char kAcknowledgeMessageSql[] =
    "UPDATE messages SET state = ?1, acknowledged_at_us = ?2 "
    "WHERE message_id = ?3";
const char kUpdateMessageDeliverySql[] =
    "UPDATE messages SET state = ?1, acknowledged_at_us = ?2, "
    "delivery_attempts = ?3, next_attempt_at_us = ?4, "
    "last_delivery_error = ?5, delivered_at_us = ?6, retried_at_us = ?7 "
    "WHERE message_id = ?8";
// The messages are found through the consent's message ids, never through
// messages_by_state: the unary + keeps SQLite from scanning every queued
// message (an inbox nobody acknowledged) on each revocation.
const char kWithholdMessagesSql[] =
    "UPDATE messages SET state = ?1 WHERE +state IN (?2, ?3) AND message_id IN "
    "(SELECT message_id FROM message_consents WHERE consent_id = ?4) "
    "RETURNING " CG_MESSAGE_COLUMNS;
const char kInsertAuditEventSql[] =
    "INSERT INTO audit_events (" CG_AUDIT_COLUMNS ") VALUES (" CG_AUDIT_PARAMS
    ")";
const char kInsertCheckpointSql[] =
    "INSERT INTO checkpoints (" CG_CHECKPOINT_COLUMNS
    ") VALUES (" CG_CHECKPOINT_PARAMS ")";

const char kUpdateCheckpointNoteSql[] =
    "UPDATE checkpoints SET note = ?3 WHERE seq = ?1 AND tree_root = ?2";
const char kInsertTreeNodeSql[] =
    "INSERT OR REPLACE INTO tree_nodes (level, idx, hash) VALUES (?1, ?2, ?3)";
const char kReadTreeNodeSql[] =
    "SELECT hash FROM tree_nodes WHERE level = ?1 AND idx = ?2";
const char kReadEventHashSql[] = "SELECT hash FROM audit_events WHERE seq = ?1";
// Leaves are not stored (they are the events' hashes): the size is the
// pairs completed at level 1, plus the next leaf when its event is there.
// Level 0 counts for logs written while leaves were stored.
const char kTreeSizeSql[] =
    "WITH paired AS (SELECT COALESCE(2 * (MAX(idx) + 1), 0) AS n"
    " FROM tree_nodes WHERE level = 1)"
    " SELECT MAX("
    "(SELECT COALESCE(MAX(idx) + 1, 0) FROM tree_nodes WHERE level = 0),"
    "(SELECT n + EXISTS (SELECT 1 FROM audit_events WHERE seq = n + 1)"
    " FROM paired))";

const char kGetMessageSql[] =
    "SELECT " CG_MESSAGE_COLUMNS " FROM messages WHERE message_id = ?1";

const char kAllConsentsSql[] =
    "SELECT " CG_CONSENT_COLUMNS " FROM consents ORDER BY row_id";
const char kChainHeadSql[] =
    "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1";
const char kGetDisclosureSql[] = "SELECT " CG_DISCLOSURE_COLUMNS
                                 " FROM disclosures WHERE disclosure_id = ?1";
const char kListMessagesSql[] =
    "SELECT " CG_MESSAGE_COLUMNS
    " FROM messages WHERE recipient_org_id = ?1 AND seq > ?2"
    " AND state IN (?3, ?4) ORDER BY seq LIMIT ?5";
// Through messages_due (the recipient's queued messages), which schema
// version 4 added for this: left to itself SQLite walks messages_by_state,
// every recipient's queued messages in seq order, past the backlogs of
// clinics that pull.
const char kListDueMessagesSql[] =
    "SELECT " CG_MESSAGE_COLUMNS
    " FROM messages INDEXED BY messages_due"
    " WHERE recipient_org_id = ?1 AND state = ?2"
    " AND (next_attempt_at_us IS NULL OR next_attempt_at_us <= ?3)"
    " ORDER BY seq LIMIT ?4";
const char kSelectMessagesSql[] = "SELECT " CG_MESSAGE_COLUMNS " FROM messages";
const char kListDisclosuresSql[] =
    "SELECT " CG_DISCLOSURE_COLUMNS
    " FROM disclosures WHERE patient_id = ?1 AND practice_org_id = ?2"
    " AND created_at_us >= ?3 AND created_at_us < ?4 AND outcome IN (?5, ?6)"
    " ORDER BY created_at_us, row_id";
const char kScanAuditEventsSql[] =
    "SELECT " CG_AUDIT_COLUMNS
    " FROM audit_events WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq";
const char kLatestCheckpointSql[] =
    "SELECT " CG_CHECKPOINT_COLUMNS
    " FROM checkpoints ORDER BY seq DESC, time_us DESC, row_id DESC LIMIT 1";
const char kScanCheckpointsSql[] =
    "SELECT " CG_CHECKPOINT_COLUMNS
    " FROM checkpoints ORDER BY seq, time_us, row_id";
const char kSelectAuditEventsSql[] =
    "SELECT " CG_AUDIT_COLUMNS " FROM audit_events";

void BindConsent(const ConsentRecord& c, SqliteStatement& s) {
  int p = 1;
  s.BindText(p++, c.consent_id);
  s.BindText(p++, c.patient_id);
  s.BindText(p++, c.practice_org_id);
  s.BindText(p++, c.grantee.org_id);
  s.BindText(p++, c.grantee.provider_id);
  s.BindInt64(p++, c.grantee.specialty);
  s.BindInt64(p++, static_cast<int64_t>(c.purposes.bits()));
  s.BindInt64(p++, static_cast<int64_t>(c.categories.bits()));
  s.BindInt64(p++, static_cast<int64_t>(c.withheld_categories.bits()));
  s.BindInt64(p++, TimeToMicros(c.valid_from));
  s.BindInt64(p++, TimeToMicros(c.expires_at));
  // Patient-identifying text is written sealed only (below), never plain.
  const ConsentEvidence& e = c.evidence;
  s.BindText(p++, "");
  s.BindText(p++, e.document_sha256);
  s.BindInt64(p++, TimeToMicros(e.signed_at));
  s.BindText(p++, "");
  s.BindInt64(p++, e.signer_relationship);
  s.BindText(p++, "");
  s.BindText(p++, "");
  s.BindInt64(p++, e.states_right_to_revoke);
  s.BindInt64(p++, e.states_treatment_not_conditioned);
  s.BindInt64(p++, e.states_redisclosure_risk);
  s.BindInt64(p++, e.capture_method);
  s.BindText(p++, c.recorded_by);
  s.BindInt64(p++, TimeToMicros(c.recorded_at));
  s.BindText(p++, c.request_id);
  s.BindInt64(p++, c.revision);
  if (c.revocation.has_value()) {
    s.BindInt64(p++, TimeToMicros(c.revocation->revoked_at));
    s.BindText(p++, c.revocation->revoked_by);
    s.BindText(p++, "");
  } else {
    for (int i = 0; i < 3; ++i) s.BindNull(p++);
  }
  s.BindText(p++, c.sealed.key_id);
  s.BindBlob(p++, c.sealed.evidence);
  s.BindBlob(p++, c.sealed.revocation_reason);
  s.BindBlob(p++, c.request_digest);
}

absl::StatusOr<ConsentRecord> ReadConsent(const SqliteStatement& s) {
  ConsentRecord c;
  int i = 0;
  c.consent_id = s.ColumnText(i++);
  c.patient_id = s.ColumnText(i++);
  c.practice_org_id = s.ColumnText(i++);
  c.grantee.org_id = s.ColumnText(i++);
  c.grantee.provider_id = s.ColumnText(i++);
  c.grantee.specialty = static_cast<v1::Specialty>(s.ColumnInt64(i++));
  c.purposes = PurposeSet::FromBits(s.ColumnInt64(i++));
  c.categories = CategorySet::FromBits(s.ColumnInt64(i++));
  c.withheld_categories = CategorySet::FromBits(s.ColumnInt64(i++));
  c.valid_from = MicrosToTime(s.ColumnInt64(i++));
  c.expires_at = MicrosToTime(s.ColumnInt64(i++));
  ConsentEvidence& e = c.evidence;
  e.information_description = s.ColumnText(i++);
  e.document_sha256 = s.ColumnText(i++);
  e.signed_at = MicrosToTime(s.ColumnInt64(i++));
  e.signer_name = s.ColumnText(i++);
  e.signer_relationship =
      static_cast<v1::SignerRelationship>(s.ColumnInt64(i++));
  e.representative_authority = s.ColumnText(i++);
  e.witness = s.ColumnText(i++);
  e.states_right_to_revoke = s.ColumnInt64(i++) != 0;
  e.states_treatment_not_conditioned = s.ColumnInt64(i++) != 0;
  e.states_redisclosure_risk = s.ColumnInt64(i++) != 0;
  e.capture_method = static_cast<v1::CaptureMethod>(s.ColumnInt64(i++));
  c.recorded_by = s.ColumnText(i++);
  c.recorded_at = MicrosToTime(s.ColumnInt64(i++));
  c.request_id = s.ColumnText(i++);
  c.revision = s.ColumnInt64(i++);
  if (!s.ColumnIsNull(i)) {
    Revocation r;
    r.revoked_at = MicrosToTime(s.ColumnInt64(i++));
    r.revoked_by = s.ColumnText(i++);
    r.reason = s.ColumnText(i++);  // empty unless written before sealing
    c.revocation = std::move(r);
  } else {
    i += 3;
  }
  c.sealed.key_id = s.ColumnText(i++);
  c.sealed.evidence = s.ColumnBlob(i++);
  c.sealed.revocation_reason = s.ColumnBlob(i++);
  c.request_digest = s.ColumnBlob(i++);
  return c;
}

void BindDisclosure(const DisclosureRow& d, SqliteStatement& s) {
  int p = 1;
  s.BindText(p++, d.disclosure_id);
  s.BindText(p++, d.practice_org_id);
  s.BindText(p++, d.sender_principal_id);
  s.BindText(p++, d.request_id);
  s.BindText(p++, d.patient_id);
  s.BindText(p++, d.recipient_org_id);
  s.BindText(p++, d.recipient_provider_id);
  s.BindInt64(p++, d.purpose);
  s.BindInt64(p++, d.outcome);
  s.BindText(p++, EncodeEnums(d.categories));
  s.BindText(p++, EncodeIds(d.consent_ids));
  s.BindText(p++, d.content_sha256);
  s.BindInt64(p++, d.audit_seq);
  s.BindText(p++, d.message_id);
  s.BindInt64(p++, TimeToMicros(d.created_at));
  s.BindBlob(p++, d.decision_bytes);
  s.BindBlob(p++, d.request_digest);
}

absl::StatusOr<DisclosureRow> ReadDisclosure(const SqliteStatement& s) {
  DisclosureRow d;
  int i = 0;
  d.disclosure_id = s.ColumnText(i++);
  d.practice_org_id = s.ColumnText(i++);
  d.sender_principal_id = s.ColumnText(i++);
  d.request_id = s.ColumnText(i++);
  d.patient_id = s.ColumnText(i++);
  d.recipient_org_id = s.ColumnText(i++);
  d.recipient_provider_id = s.ColumnText(i++);
  d.purpose = static_cast<v1::Purpose>(s.ColumnInt64(i++));
  d.outcome = static_cast<v1::DecisionOutcome>(s.ColumnInt64(i++));
  CG_ASSIGN_OR_RETURN(
      d.categories,
      DecodeEnums<v1::Category>("disclosure categories", s.ColumnText(i++)));
  CG_ASSIGN_OR_RETURN(d.consent_ids,
                      DecodeIds("disclosure consent ids", s.ColumnText(i++)));
  d.content_sha256 = s.ColumnText(i++);
  d.audit_seq = s.ColumnInt64(i++);
  d.message_id = s.ColumnText(i++);
  d.created_at = MicrosToTime(s.ColumnInt64(i++));
  d.decision_bytes = s.ColumnBlob(i++);
  d.request_digest = s.ColumnBlob(i++);
  return d;
}

namespace {

void BindOptionalTime(SqliteStatement& s, int p,
                      const std::optional<absl::Time>& t) {
  if (t.has_value()) {
    s.BindInt64(p, TimeToMicros(*t));
  } else {
    s.BindNull(p);
  }
}

std::optional<absl::Time> ReadOptionalTime(const SqliteStatement& s, int i) {
  if (s.ColumnIsNull(i)) return std::nullopt;
  return MicrosToTime(s.ColumnInt64(i));
}

}  // namespace

void BindMessage(const MessageRow& m, SqliteStatement& s) {
  int p = 1;
  s.BindText(p++, m.message_id);
  s.BindText(p++, m.disclosure_id);
  s.BindText(p++, m.recipient_org_id);
  s.BindInt64(p++, m.seq);
  s.BindText(p++, EncodeIds(m.consent_ids));
  s.BindInt64(p++, m.state);
  s.BindInt64(p++, TimeToMicros(m.created_at));
  if (m.acknowledged_at.has_value()) {
    s.BindInt64(p++, TimeToMicros(*m.acknowledged_at));
  } else {
    s.BindNull(p++);
  }
  s.BindText(p++, m.key_id);
  s.BindBlob(p++, m.sealed_envelope);
  s.BindInt64(p++, m.delivery_attempts);
  BindOptionalTime(s, p++, m.next_attempt_at);
  s.BindText(p++, m.last_delivery_error);
  BindOptionalTime(s, p++, m.delivered_at);
  BindOptionalTime(s, p++, m.retried_at);
}

void BindMessageDelivery(const MessageRow& m, SqliteStatement& s) {
  int p = 1;
  s.BindInt64(p++, m.state);
  BindOptionalTime(s, p++, m.acknowledged_at);
  s.BindInt64(p++, m.delivery_attempts);
  BindOptionalTime(s, p++, m.next_attempt_at);
  s.BindText(p++, m.last_delivery_error);
  BindOptionalTime(s, p++, m.delivered_at);
  BindOptionalTime(s, p++, m.retried_at);
  s.BindText(p++, m.message_id);
}

absl::StatusOr<MessageRow> ReadMessage(const SqliteStatement& s) {
  MessageRow m;
  int i = 0;
  m.message_id = s.ColumnText(i++);
  m.disclosure_id = s.ColumnText(i++);
  m.recipient_org_id = s.ColumnText(i++);
  m.seq = s.ColumnInt64(i++);
  CG_ASSIGN_OR_RETURN(m.consent_ids,
                      DecodeIds("message consent ids", s.ColumnText(i++)));
  m.state = static_cast<v1::DeliveryState>(s.ColumnInt64(i++));
  m.created_at = MicrosToTime(s.ColumnInt64(i++));
  if (!s.ColumnIsNull(i)) m.acknowledged_at = MicrosToTime(s.ColumnInt64(i));
  ++i;
  m.key_id = s.ColumnText(i++);
  m.sealed_envelope = s.ColumnBlob(i++);
  m.delivery_attempts = static_cast<int>(s.ColumnInt64(i++));
  m.next_attempt_at = ReadOptionalTime(s, i++);
  m.last_delivery_error = s.ColumnText(i++);
  m.delivered_at = ReadOptionalTime(s, i++);
  m.retried_at = ReadOptionalTime(s, i++);
  return m;
}

void BindAuditEvent(const AuditEvent& e, SqliteStatement& s) {
  int p = 1;
  s.BindInt64(p++, e.seq);
  s.BindInt64(p++, TimeToMicros(e.time));
  s.BindText(p++, e.actor_principal_id);
  s.BindInt64(p++, e.actor_role);
  s.BindText(p++, e.actor_org_id);
  s.BindInt64(p++, e.action);
  s.BindText(p++, e.practice_org_id);
  s.BindText(p++, e.patient_id);
  s.BindText(p++, e.recipient_org_id);
  s.BindInt64(p++, e.purpose);
  s.BindText(p++, EncodeEnums(e.categories));
  s.BindText(p++, EncodeIds(e.consent_ids));
  s.BindInt64(p++, e.outcome);
  s.BindText(p++, EncodeEnums(e.reasons));
  s.BindText(p++, e.content_sha256);
  s.BindText(p++, e.request_id);
  s.BindText(p++, e.subject_id);
  s.BindText(p++, e.detail);
  s.BindBlob(p++, HashBytes(e.prev_hash));
  s.BindBlob(p++, HashBytes(e.hash));
}

absl::StatusOr<AuditEvent> ReadAuditEvent(const SqliteStatement& s) {
  AuditEvent e;
  CG_RETURN_IF_ERROR(ReadAuditEventInto(s, &e));
  return e;
}

absl::Status ReadAuditEventInto(const SqliteStatement& s, AuditEvent* event) {
  AuditEvent& e = *event;
  int i = 0;
  e.seq = s.ColumnInt64(i++);
  e.time = MicrosToTime(s.ColumnInt64(i++));
  e.actor_principal_id.assign(s.ColumnTextView(i++));
  e.actor_role = static_cast<v1::Role>(s.ColumnInt64(i++));
  e.actor_org_id.assign(s.ColumnTextView(i++));
  e.action = static_cast<v1::AuditAction>(s.ColumnInt64(i++));
  e.practice_org_id.assign(s.ColumnTextView(i++));
  e.patient_id.assign(s.ColumnTextView(i++));
  e.recipient_org_id.assign(s.ColumnTextView(i++));
  e.purpose = static_cast<v1::Purpose>(s.ColumnInt64(i++));
  CG_RETURN_IF_ERROR(DecodeEnumsInto("audit categories", s.ColumnTextView(i++),
                                     &e.categories));
  CG_RETURN_IF_ERROR(DecodeIdsInto("audit consent ids", s.ColumnTextView(i++),
                                   &e.consent_ids));
  e.outcome = static_cast<v1::DecisionOutcome>(s.ColumnInt64(i++));
  CG_RETURN_IF_ERROR(
      DecodeEnumsInto("audit reasons", s.ColumnTextView(i++), &e.reasons));
  e.content_sha256.assign(s.ColumnTextView(i++));
  e.request_id.assign(s.ColumnTextView(i++));
  e.subject_id.assign(s.ColumnTextView(i++));
  e.detail.assign(s.ColumnTextView(i++));
  CG_ASSIGN_OR_RETURN(e.prev_hash,
                      DecodeHash("audit prev_hash", s.ColumnBlobView(i++)));
  CG_ASSIGN_OR_RETURN(e.hash, DecodeHash("audit hash", s.ColumnBlobView(i++)));
  return absl::OkStatus();
}

void BindCheckpoint(const Checkpoint& c, SqliteStatement& s) {
  int p = 1;
  s.BindText(p++, c.origin);
  s.BindInt64(p++, c.seq);
  s.BindBlob(p++, HashBytes(c.head_hash));
  s.BindInt64(p++, TimeToMicros(c.time));
  s.BindText(p++, c.body);
  s.BindBlob(p++, c.signature);
  s.BindText(p++, c.key_id);
  s.BindBlob(p++, c.tree_root.has_value() ? HashBytes(*c.tree_root) : "");
  s.BindText(p++, c.note);
}

absl::StatusOr<Checkpoint> ReadCheckpoint(const SqliteStatement& s) {
  Checkpoint c;
  int i = 0;
  c.origin = s.ColumnText(i++);
  c.seq = s.ColumnInt64(i++);
  CG_ASSIGN_OR_RETURN(c.head_hash,
                      DecodeHash("checkpoint head_hash", s.ColumnBlob(i++)));
  c.time = MicrosToTime(s.ColumnInt64(i++));
  c.body = s.ColumnText(i++);
  c.signature = s.ColumnBlob(i++);
  c.key_id = s.ColumnText(i++);
  const std::string root = s.ColumnBlob(i++);
  if (!root.empty()) {
    CG_ASSIGN_OR_RETURN(c.tree_root, DecodeHash("checkpoint tree_root", root));
  }
  c.note = s.ColumnText(i++);
  return c;
}

namespace {

// Leaf `id` (level 0) as the leaf hash of its event's hash; nullopt for
// another level or an event that is not stored.
absl::StatusOr<std::optional<Hash256>> ReadLeaf(SqliteConnection& db,
                                                const tlog::NodeId& id) {
  if (id.level != 0 || id.index < 0) return std::nullopt;
  CG_ASSIGN_OR_RETURN(SqliteStatement s,
                      db.Prepare("read tree leaf", kReadEventHashSql));
  s.BindInt64(1, id.index + 1);
  CG_ASSIGN_OR_RETURN(bool has_row, s.Step());
  if (!has_row) return std::nullopt;
  CG_ASSIGN_OR_RETURN(Hash256 event_hash,
                      DecodeHash("audit event hash", s.ColumnBlob(0)));
  return tlog::LeafHash(std::string_view(
      reinterpret_cast<const char*>(event_hash.data()), event_hash.size()));
}

}  // namespace

absl::StatusOr<std::vector<Hash256>> ReadTreeNodes(
    SqliteConnection& db, absl::Span<const tlog::NodeId> ids) {
  std::vector<Hash256> hashes;
  hashes.reserve(ids.size());
  for (const tlog::NodeId& id : ids) {
    CG_ASSIGN_OR_RETURN(SqliteStatement s,
                        db.Prepare("read tree node", kReadTreeNodeSql));
    s.BindInt64(1, id.level);
    s.BindInt64(2, id.index);
    CG_ASSIGN_OR_RETURN(bool has_row, s.Step());
    if (has_row) {
      CG_ASSIGN_OR_RETURN(Hash256 hash,
                          DecodeHash("tree node hash", s.ColumnBlob(0)));
      hashes.push_back(hash);
      continue;
    }
    CG_ASSIGN_OR_RETURN(std::optional<Hash256> leaf, ReadLeaf(db, id));
    if (!leaf.has_value()) {
      return absl::NotFoundError(absl::StrCat("tree node (", id.level, ", ",
                                              id.index, ") is not stored"));
    }
    hashes.push_back(*leaf);
  }
  return hashes;
}

}  // namespace caregate::sqlite
