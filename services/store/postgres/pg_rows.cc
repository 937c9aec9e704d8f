#include "services/store/postgres/pg_rows.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/store/postgres/pg_codec.h"
#include "services/store/sqlite_codec.h"

namespace caregate::pg {

using sqlite::DecodeHash;
using sqlite::HashBytes;
using sqlite::MicrosToTime;
using sqlite::TimeToMicros;

namespace {

template <typename Enum>
std::vector<Enum> ToEnums(const std::vector<int>& values) {
  std::vector<Enum> out;
  out.reserve(values.size());
  for (int v : values) out.push_back(static_cast<Enum>(v));
  return out;
}

}  // namespace

// Column lists, in Params*/Read* order.
#define CG_CONSENT_COLUMNS                                                  \
  "consent_id, patient_id, practice_org_id, grantee_org_id, "               \
  "grantee_provider_id, grantee_specialty, purposes, categories, "          \
  "withheld_categories, valid_from_us, expires_at_us, "                     \
  "document_sha256, signed_at_us, signer_relationship, "                    \
  "states_right_to_revoke, states_treatment_not_conditioned, "              \
  "states_redisclosure_risk, capture_method, recorded_by, recorded_at_us, " \
  "request_id, revision, revoked_at_us, revoked_by, text_key_id, "          \
  "sealed_evidence, sealed_revocation_reason, request_digest"
#define CG_CONSENT_PARAMS                                                   \
  "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20," \
  "$21,$22,$23,$24,$25,$26,$27,$28"
#define CG_DISCLOSURE_COLUMNS                                               \
  "disclosure_id, practice_org_id, sender_principal_id, request_id, "       \
  "patient_id, recipient_org_id, recipient_provider_id, purpose, outcome, " \
  "categories, consent_ids, content_sha256, audit_seq, message_id, "        \
  "created_at_us, decision, request_digest"
#define CG_DISCLOSURE_PARAMS \
  "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17"
#define CG_MESSAGE_COLUMNS                                                 \
  "message_id, disclosure_id, recipient_org_id, seq, consent_ids, state, " \
  "created_at_us, acknowledged_at_us, key_id, sealed_envelope, "           \
  "delivery_attempts, next_attempt_at_us, last_delivery_error, "           \
  "delivered_at_us, retried_at_us"
#define CG_MESSAGE_PARAMS "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15"
#define CG_AUDIT_COLUMNS                                                    \
  "seq, time_us, actor_principal_id, actor_role, actor_org_id, action, "    \
  "practice_org_id, patient_id, recipient_org_id, purpose, categories, "    \
  "consent_ids, outcome, reasons, content_sha256, request_id, subject_id, " \
  "detail, prev_hash, hash"
#define CG_AUDIT_PARAMS \
  "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20"
#define CG_CHECKPOINT_COLUMNS \
  "origin, seq, head_hash, time_us, body, signature, key_id, tree_root, note"
#define CG_CHECKPOINT_PARAMS "$1,$2,$3,$4,$5,$6,$7,$8,$9"

const char kInsertConsentSql[] =
    "INSERT INTO consents (" CG_CONSENT_COLUMNS ") VALUES (" CG_CONSENT_PARAMS
    ") ON CONFLICT DO NOTHING";
const char kUpdateConsentRevocationSql[] =
    "UPDATE consents SET revision = $1, revoked_at_us = $2, revoked_by = $3, "
    "sealed_revocation_reason = $4 WHERE consent_id = $5";
const char kReplaceConsentTextSql[] =
    "UPDATE consents SET text_key_id = $1, sealed_evidence = $2, "
    "sealed_revocation_reason = $3 WHERE consent_id = $4";
const char kFindConsentByRequestSql[] =
    "SELECT " CG_CONSENT_COLUMNS
    " FROM consents WHERE recorded_by = $1 AND request_id = $2"
    " AND request_id <> ''";
const char kGetConsentSql[] =
    "SELECT " CG_CONSENT_COLUMNS " FROM consents WHERE consent_id = $1";
const char kFindConsentForUpdateSql[] =
    "SELECT " CG_CONSENT_COLUMNS
    " FROM consents WHERE consent_id = $1 FOR UPDATE";
const char kPatientConsentsSql[] = "SELECT " CG_CONSENT_COLUMNS
                                   " FROM consents WHERE practice_org_id = $1"
                                   " AND patient_id = $2 ORDER BY row_id";
const char kReadConsentRevisionSql[] =
    "SELECT revision FROM consent_revisions WHERE practice_org_id = $1"
    " AND patient_id = $2";
const char kWriteConsentRevisionSql[] =
    "INSERT INTO consent_revisions (practice_org_id, patient_id, revision)"
    " VALUES ($1, $2, $3) ON CONFLICT (practice_org_id, patient_id) DO UPDATE"
    " SET revision = GREATEST(consent_revisions.revision, EXCLUDED.revision)";
const char kInsertDisclosureSql[] =
    "INSERT INTO disclosures (" CG_DISCLOSURE_COLUMNS
    ") VALUES (" CG_DISCLOSURE_PARAMS ") ON CONFLICT DO NOTHING";
const char kFindDisclosureByRequestSql[] =
    "SELECT " CG_DISCLOSURE_COLUMNS
    " FROM disclosures WHERE sender_principal_id = $1 AND request_id = $2";
const char kInsertMessageSql[] =
    "INSERT INTO messages (" CG_MESSAGE_COLUMNS ") VALUES (" CG_MESSAGE_PARAMS
    ") ON CONFLICT DO NOTHING";
const char kInsertMessageConsentSql[] =
    "INSERT INTO message_consents (consent_id, message_id) VALUES ($1, $2) "
    "ON CONFLICT DO NOTHING";
// Locks the row: a concurrent writer that checks the state before changing
// it (an acknowledgement) waits for this transaction and then sees its
// outcome.
const char kFindMessageForUpdateSql[] =
    "SELECT " CG_MESSAGE_COLUMNS
    " FROM messages WHERE message_id = $1 FOR UPDATE";
const char kAcknowledgeMessageSql[] =
    "UPDATE messages SET state = $1, acknowledged_at_us = $2 "
    "WHERE message_id = $3";
const char kUpdateMessageDeliverySql[] =
    "UPDATE messages SET state = $1, acknowledged_at_us = $2, "
    "delivery_attempts = $3, next_attempt_at_us = $4, "
    "last_delivery_error = $5, delivered_at_us = $6, retried_at_us = $7, "
    "lease_owner = NULL, lease_until_us = NULL WHERE message_id = $8";
// The messages are found through the consent's message ids, never through
// messages_by_state: "state + 0" keeps the planner, which without fresh
// statistics expects few queued messages, from reading every queued message
// (an inbox nobody acknowledged) on each revocation.
const char kWithholdMessagesSql[] =
    "UPDATE messages SET state = $1 WHERE state + 0 IN ($2, $3) AND "
    "message_id IN "
    "(SELECT message_id FROM message_consents WHERE consent_id = $4) "
    "RETURNING " CG_MESSAGE_COLUMNS;
const char kInsertAuditEventSql[] =
    "INSERT INTO audit_events (" CG_AUDIT_COLUMNS ") VALUES (" CG_AUDIT_PARAMS
    ") ON CONFLICT DO NOTHING";
const char kAdvanceLogHeadSql[] =
    "UPDATE log_head SET seq = $1, hash = $2 WHERE seq < $1";
const char kLockLogHeadSql[] = "SELECT seq, hash FROM log_head FOR UPDATE";
const char kInsertCheckpointSql[] =
    "INSERT INTO checkpoints (" CG_CHECKPOINT_COLUMNS
    ") VALUES (" CG_CHECKPOINT_PARAMS ")";

const char kUpdateCheckpointNoteSql[] =
    "UPDATE checkpoints SET note = $3 WHERE seq = $1 AND tree_root = $2";
// Nodes as three parallel arrays: levels, indexes and hex hashes.
const char kInsertTreeNodesSql[] =
    "INSERT INTO tree_nodes (level, idx, hash)"
    " SELECT l, i::int8, decode(h, 'hex')"
    " FROM unnest($1::int4[], $2::text[], $3::text[]) AS u(l, i, h)"
    " ON CONFLICT (level, idx) DO UPDATE SET hash = excluded.hash";
// Levels and indexes as parallel arrays; one row per id, in order, with a
// NULL hash for a node not stored. A leaf (level 0) not stored is the leaf
// hash of its event's hash, SHA-256(0x00 || hash) (docs/transparency.md).
const char kReadTreeNodesSql[] =
    "SELECT coalesce(t.hash, sha256('\\x00'::bytea || e.hash))"
    " FROM unnest($1::int4[], $2::text[]) WITH ORDINALITY AS u(l, i, ord)"
    " LEFT JOIN tree_nodes t ON t.level = u.l AND t.idx = u.i::int8"
    " LEFT JOIN audit_events e ON u.l = 0 AND e.seq = u.i::int8 + 1"
    " ORDER BY u.ord";
// Leaves are not stored (they are the events' hashes): the size is the
// pairs completed at level 1, plus the next leaf when its event is there.
// Level 0 counts for logs written while leaves were stored.
const char kTreeSizeSql[] =
    "WITH paired AS (SELECT coalesce(2 * (max(idx) + 1), 0) AS n"
    " FROM tree_nodes WHERE level = 1)"
    " SELECT greatest("
    "(SELECT coalesce(max(idx) + 1, 0) FROM tree_nodes WHERE level = 0),"
    "(SELECT n + (EXISTS (SELECT 1 FROM audit_events WHERE seq = n + 1))::int"
    " FROM paired))";

const int kCheckpointColumnCount = 9;
const int kConsentColumnCount = 28;
const char kConsentPageSql[] =
    "SELECT " CG_CONSENT_COLUMNS
    ", row_id FROM consents WHERE row_id > $1 ORDER BY row_id LIMIT $2";
const char kChainHeadSql[] = "SELECT seq, hash FROM log_head";
// $1 after, $2 limit (consent_revisions_by_revision).
const char kConsentRevisionsAfterSql[] =
    "SELECT practice_org_id, patient_id, revision FROM consent_revisions"
    " WHERE revision > $1 ORDER BY revision LIMIT $2";
const char kGetDisclosureSql[] = "SELECT " CG_DISCLOSURE_COLUMNS
                                 " FROM disclosures WHERE disclosure_id = $1";
const char kGetMessageSql[] =
    "SELECT " CG_MESSAGE_COLUMNS " FROM messages WHERE message_id = $1";
const char kListMessagesSql[] =
    "SELECT " CG_MESSAGE_COLUMNS
    " FROM messages WHERE recipient_org_id = $1 AND seq > $2"
    " AND state IN ($3, $4) ORDER BY seq, message_id LIMIT $5";
const char kListDueMessagesSql[] =
    "SELECT " CG_MESSAGE_COLUMNS
    " FROM messages WHERE recipient_org_id = $1 AND state = $2"
    " AND (next_attempt_at_us IS NULL OR next_attempt_at_us <= $3)"
    " ORDER BY seq, message_id LIMIT $4";
const char kNotifyMessageSql[] = "SELECT pg_notify('caregate_messages', $1)";
const char kClaimDueMessagesSql[] =
    "UPDATE messages SET lease_owner = $5, lease_until_us = $6"
    " WHERE message_id IN (SELECT message_id FROM messages"
    " WHERE recipient_org_id = $1 AND state = $2 AND seq <= $7"
    " AND (next_attempt_at_us IS NULL OR next_attempt_at_us <= $3)"
    " AND (lease_until_us IS NULL OR lease_until_us <= $3 OR lease_owner = $5)"
    " ORDER BY seq, message_id LIMIT $4 FOR UPDATE SKIP LOCKED)"
    " RETURNING " CG_MESSAGE_COLUMNS;
const char kSelectMessagesSql[] = "SELECT " CG_MESSAGE_COLUMNS " FROM messages";
const char kListDisclosuresSql[] =
    "SELECT " CG_DISCLOSURE_COLUMNS
    " FROM disclosures WHERE patient_id = $1 AND practice_org_id = $2"
    " AND created_at_us >= $3 AND created_at_us < $4 AND outcome IN ($5, $6)"
    " ORDER BY created_at_us, row_id";
const char kScanAuditEventsSql[] =
    "SELECT " CG_AUDIT_COLUMNS
    " FROM audit_events WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3";
const char kLatestCheckpointSql[] =
    "SELECT " CG_CHECKPOINT_COLUMNS
    " FROM checkpoints ORDER BY seq DESC, time_us DESC, row_id DESC LIMIT 1";
const char kCheckpointPageSql[] =
    "SELECT " CG_CHECKPOINT_COLUMNS
    ", row_id FROM checkpoints WHERE (seq, time_us, row_id) > ($1, $2, $3)"
    " ORDER BY seq, time_us, row_id LIMIT $4";
const char kSelectAuditEventsSql[] =
    "SELECT " CG_AUDIT_COLUMNS " FROM audit_events";

PgParams ConsentParams(const ConsentRecord& c) {
  const ConsentEvidence& e = c.evidence;
  PgParams p;
  p.Text(c.consent_id)
      .Text(c.patient_id)
      .Text(c.practice_org_id)
      .Text(c.grantee.org_id)
      .Text(c.grantee.provider_id)
      .Int32(c.grantee.specialty)
      .Int64(static_cast<int64_t>(c.purposes.bits()))
      .Int64(static_cast<int64_t>(c.categories.bits()))
      .Int64(static_cast<int64_t>(c.withheld_categories.bits()))
      .Int64(TimeToMicros(c.valid_from))
      .Int64(TimeToMicros(c.expires_at))
      .Text(e.document_sha256)
      .Int64(TimeToMicros(e.signed_at))
      .Int32(e.signer_relationship)
      .Bool(e.states_right_to_revoke)
      .Bool(e.states_treatment_not_conditioned)
      .Bool(e.states_redisclosure_risk)
      .Int32(e.capture_method)
      .Text(c.recorded_by)
      .Int64(TimeToMicros(c.recorded_at))
      .Text(c.request_id)
      .Int64(c.revision);
  // Patient-identifying text is written sealed only, never plain.
  if (c.revocation.has_value()) {
    p.Int64(TimeToMicros(c.revocation->revoked_at))
        .Text(c.revocation->revoked_by);
  } else {
    p.Null(kInt8Oid).Null(kTextOid);
  }
  p.Text(c.sealed.key_id)
      .Bytes(c.sealed.evidence)
      .Bytes(c.sealed.revocation_reason)
      .Bytes(c.request_digest);
  return p;
}

absl::StatusOr<ConsentRecord> ReadConsent(PgRow r) {
  ConsentRecord c;
  int i = 0;
  c.consent_id = r.Text(i++);
  c.patient_id = r.Text(i++);
  c.practice_org_id = r.Text(i++);
  c.grantee.org_id = r.Text(i++);
  c.grantee.provider_id = r.Text(i++);
  c.grantee.specialty = static_cast<v1::Specialty>(r.Int32(i++));
  c.purposes = PurposeSet::FromBits(r.Int64(i++));
  c.categories = CategorySet::FromBits(r.Int64(i++));
  c.withheld_categories = CategorySet::FromBits(r.Int64(i++));
  c.valid_from = MicrosToTime(r.Int64(i++));
  c.expires_at = MicrosToTime(r.Int64(i++));
  ConsentEvidence& e = c.evidence;
  e.document_sha256 = r.Text(i++);
  e.signed_at = MicrosToTime(r.Int64(i++));
  e.signer_relationship = static_cast<v1::SignerRelationship>(r.Int32(i++));
  e.states_right_to_revoke = r.Bool(i++);
  e.states_treatment_not_conditioned = r.Bool(i++);
  e.states_redisclosure_risk = r.Bool(i++);
  e.capture_method = static_cast<v1::CaptureMethod>(r.Int32(i++));
  c.recorded_by = r.Text(i++);
  c.recorded_at = MicrosToTime(r.Int64(i++));
  c.request_id = r.Text(i++);
  c.revision = r.Int64(i++);
  if (!r.IsNull(i)) {
    Revocation revocation;
    revocation.revoked_at = MicrosToTime(r.Int64(i++));
    revocation.revoked_by = r.Text(i++);
    c.revocation = std::move(revocation);
  } else {
    i += 2;
  }
  c.sealed.key_id = r.Text(i++);
  c.sealed.evidence = r.Bytes(i++);
  c.sealed.revocation_reason = r.Bytes(i++);
  c.request_digest = r.Bytes(i++);
  if (i != kConsentColumnCount) {
    return absl::InternalError("read consent: column list and reader disagree");
  }
  CG_RETURN_IF_ERROR(r.status());
  return c;
}

PgParams DisclosureParams(const DisclosureRow& d) {
  return std::move(PgParams()
                       .Text(d.disclosure_id)
                       .Text(d.practice_org_id)
                       .Text(d.sender_principal_id)
                       .Text(d.request_id)
                       .Text(d.patient_id)
                       .Text(d.recipient_org_id)
                       .Text(d.recipient_provider_id)
                       .Int32(d.purpose)
                       .Int32(d.outcome)
                       .Int32Array(std::vector<int>(d.categories.begin(),
                                                    d.categories.end()))
                       .TextArray(d.consent_ids)
                       .Text(d.content_sha256)
                       .Int64(d.audit_seq)
                       .Text(d.message_id)
                       .Int64(TimeToMicros(d.created_at))
                       .Bytes(d.decision_bytes)
                       .Bytes(d.request_digest));
}

absl::StatusOr<DisclosureRow> ReadDisclosure(PgRow r) {
  DisclosureRow d;
  int i = 0;
  d.disclosure_id = r.Text(i++);
  d.practice_org_id = r.Text(i++);
  d.sender_principal_id = r.Text(i++);
  d.request_id = r.Text(i++);
  d.patient_id = r.Text(i++);
  d.recipient_org_id = r.Text(i++);
  d.recipient_provider_id = r.Text(i++);
  d.purpose = static_cast<v1::Purpose>(r.Int32(i++));
  d.outcome = static_cast<v1::DecisionOutcome>(r.Int32(i++));
  d.categories = ToEnums<v1::Category>(r.Int32Array(i++));
  d.consent_ids = r.TextArray(i++);
  d.content_sha256 = r.Text(i++);
  d.audit_seq = r.Int64(i++);
  d.message_id = r.Text(i++);
  d.created_at = MicrosToTime(r.Int64(i++));
  d.decision_bytes = r.Bytes(i++);
  d.request_digest = r.Bytes(i++);
  CG_RETURN_IF_ERROR(r.status());
  return d;
}

namespace {

PgParams& OptionalTime(PgParams& p, const std::optional<absl::Time>& t) {
  if (t.has_value()) return p.Int64(TimeToMicros(*t));
  return p.Null(kInt8Oid);
}

std::optional<absl::Time> ReadOptionalTime(PgRow& r, int i) {
  std::optional<int64_t> us = r.NullableInt64(i);
  if (!us.has_value()) return std::nullopt;
  return MicrosToTime(*us);
}

}  // namespace

PgParams MessageParams(const MessageRow& m) {
  PgParams p;
  p.Text(m.message_id)
      .Text(m.disclosure_id)
      .Text(m.recipient_org_id)
      .Int64(m.seq)
      .TextArray(m.consent_ids)
      .Int32(m.state)
      .Int64(TimeToMicros(m.created_at));
  if (m.acknowledged_at.has_value()) {
    p.Int64(TimeToMicros(*m.acknowledged_at));
  } else {
    p.Null(kInt8Oid);
  }
  p.Text(m.key_id).Bytes(m.sealed_envelope).Int32(m.delivery_attempts);
  OptionalTime(p, m.next_attempt_at).Text(m.last_delivery_error);
  OptionalTime(p, m.delivered_at);
  OptionalTime(p, m.retried_at);
  return p;
}

PgParams MessageDeliveryParams(const MessageRow& m) {
  PgParams p;
  p.Int32(m.state);
  OptionalTime(p, m.acknowledged_at).Int32(m.delivery_attempts);
  OptionalTime(p, m.next_attempt_at).Text(m.last_delivery_error);
  OptionalTime(p, m.delivered_at);
  OptionalTime(p, m.retried_at).Text(m.message_id);
  return p;
}

absl::StatusOr<MessageRow> ReadMessage(PgRow r) {
  MessageRow m;
  int i = 0;
  m.message_id = r.Text(i++);
  m.disclosure_id = r.Text(i++);
  m.recipient_org_id = r.Text(i++);
  m.seq = r.Int64(i++);
  m.consent_ids = r.TextArray(i++);
  m.state = static_cast<v1::DeliveryState>(r.Int32(i++));
  m.created_at = MicrosToTime(r.Int64(i++));
  if (std::optional<int64_t> ack = r.NullableInt64(i++); ack.has_value()) {
    m.acknowledged_at = MicrosToTime(*ack);
  }
  m.key_id = r.Text(i++);
  m.sealed_envelope = r.Bytes(i++);
  m.delivery_attempts = r.Int32(i++);
  m.next_attempt_at = ReadOptionalTime(r, i++);
  m.last_delivery_error = r.Text(i++);
  m.delivered_at = ReadOptionalTime(r, i++);
  m.retried_at = ReadOptionalTime(r, i++);
  CG_RETURN_IF_ERROR(r.status());
  return m;
}

PgParams AuditEventParams(const AuditEvent& e) {
  return std::move(
      PgParams()
          .Int64(e.seq)
          .Int64(TimeToMicros(e.time))
          .Text(e.actor_principal_id)
          .Int32(e.actor_role)
          .Text(e.actor_org_id)
          .Int32(e.action)
          .Text(e.practice_org_id)
          .Text(e.patient_id)
          .Text(e.recipient_org_id)
          .Int32(e.purpose)
          .Int32Array(
              std::vector<int>(e.categories.begin(), e.categories.end()))
          .TextArray(e.consent_ids)
          .Int32(e.outcome)
          .Int32Array(std::vector<int>(e.reasons.begin(), e.reasons.end()))
          .Text(e.content_sha256)
          .Text(e.request_id)
          .Text(e.subject_id)
          .Text(e.detail)
          .Bytes(HashBytes(e.prev_hash))
          .Bytes(HashBytes(e.hash)));
}

absl::StatusOr<AuditEvent> ReadAuditEvent(PgRow r) {
  AuditEvent e;
  int i = 0;
  e.seq = r.Int64(i++);
  e.time = MicrosToTime(r.Int64(i++));
  e.actor_principal_id = r.Text(i++);
  e.actor_role = static_cast<v1::Role>(r.Int32(i++));
  e.actor_org_id = r.Text(i++);
  e.action = static_cast<v1::AuditAction>(r.Int32(i++));
  e.practice_org_id = r.Text(i++);
  e.patient_id = r.Text(i++);
  e.recipient_org_id = r.Text(i++);
  e.purpose = static_cast<v1::Purpose>(r.Int32(i++));
  e.categories = ToEnums<v1::Category>(r.Int32Array(i++));
  e.consent_ids = r.TextArray(i++);
  e.outcome = static_cast<v1::DecisionOutcome>(r.Int32(i++));
  e.reasons = ToEnums<v1::DenialReason>(r.Int32Array(i++));
  e.content_sha256 = r.Text(i++);
  e.request_id = r.Text(i++);
  e.subject_id = r.Text(i++);
  e.detail = r.Text(i++);
  const std::string prev_hash = r.Bytes(i++);
  const std::string hash = r.Bytes(i++);
  CG_RETURN_IF_ERROR(r.status());
  CG_ASSIGN_OR_RETURN(e.prev_hash, DecodeHash("audit prev_hash", prev_hash));
  CG_ASSIGN_OR_RETURN(e.hash, DecodeHash("audit hash", hash));
  return e;
}

PgParams CheckpointParams(const Checkpoint& c) {
  return std::move(PgParams()
                       .Text(c.origin)
                       .Int64(c.seq)
                       .Bytes(HashBytes(c.head_hash))
                       .Int64(TimeToMicros(c.time))
                       .Text(c.body)
                       .Bytes(c.signature)
                       .Text(c.key_id)
                       .Bytes(c.tree_root.has_value() ? HashBytes(*c.tree_root)
                                                      : std::string_view())
                       .Text(c.note));
}

absl::StatusOr<Checkpoint> ReadCheckpoint(PgRow r) {
  Checkpoint c;
  int i = 0;
  c.origin = r.Text(i++);
  c.seq = r.Int64(i++);
  const std::string head_hash = r.Bytes(i++);
  c.time = MicrosToTime(r.Int64(i++));
  c.body = r.Text(i++);
  c.signature = r.Bytes(i++);
  c.key_id = r.Text(i++);
  const std::string tree_root = r.Bytes(i++);
  c.note = r.Text(i++);
  CG_RETURN_IF_ERROR(r.status());
  if (i != kCheckpointColumnCount) {
    return absl::InternalError("checkpoint reader out of step with columns");
  }
  CG_ASSIGN_OR_RETURN(c.head_hash,
                      DecodeHash("checkpoint head_hash", head_hash));
  if (!tree_root.empty()) {
    CG_ASSIGN_OR_RETURN(c.tree_root,
                        DecodeHash("checkpoint tree_root", tree_root));
  }
  return c;
}

PgParams TreeNodeIdParams(absl::Span<const tlog::NodeId> ids) {
  std::vector<int> levels;
  std::vector<std::string> indexes;
  for (const tlog::NodeId& id : ids) {
    levels.push_back(id.level);
    indexes.push_back(absl::StrCat(id.index));
  }
  return std::move(PgParams().Int32Array(levels).TextArray(indexes));
}

PgParams TreeNodeParams(absl::Span<const tlog::NodeHash> nodes) {
  std::vector<int> levels;
  std::vector<std::string> indexes;
  std::vector<std::string> hashes;
  for (const tlog::NodeHash& node : nodes) {
    levels.push_back(node.id.level);
    indexes.push_back(absl::StrCat(node.id.index));
    hashes.push_back(tlog::HashHex(node.hash));
  }
  return std::move(
      PgParams().Int32Array(levels).TextArray(indexes).TextArray(hashes));
}

absl::StatusOr<std::vector<Hash256>> ReadTreeNodeHashes(
    const PgResult& result, absl::Span<const tlog::NodeId> ids) {
  if (result.rows() != static_cast<int>(ids.size())) {
    return absl::InternalError("read tree nodes: one row per node expected");
  }
  std::vector<Hash256> hashes;
  hashes.reserve(ids.size());
  for (int i = 0; i < result.rows(); ++i) {
    PgRow row = result.row(i);
    if (row.IsNull(0)) {
      return absl::NotFoundError(absl::StrCat("tree node (", ids[i].level, ", ",
                                              ids[i].index, ") is not stored"));
    }
    const std::string hash = row.Bytes(0);
    CG_RETURN_IF_ERROR(row.status());
    CG_ASSIGN_OR_RETURN(Hash256 h, DecodeHash("tree node hash", hash));
    hashes.push_back(h);
  }
  return hashes;
}

absl::StatusOr<std::optional<ChainHead>> ReadChainHead(PgRow r) {
  ChainHead head;
  head.seq = r.Int64(0);
  const std::string hash = r.Bytes(1);
  CG_RETURN_IF_ERROR(r.status());
  if (head.seq == 0) return std::nullopt;
  CG_ASSIGN_OR_RETURN(head.hash, DecodeHash("log head hash", hash));
  return head;
}

}  // namespace caregate::pg
