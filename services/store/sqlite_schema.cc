#include "services/store/sqlite_schema.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"

namespace caregate::sqlite {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Version 1: the first schema. Times are Unix microseconds (INT64_MIN and
// INT64_MAX for the infinite past and future); enum sets of consents are bit
// masks; repeated enums and id lists are encoded as in sqlite_codec.h.
constexpr char kSchemaV1[] = R"sql(
CREATE TABLE consents (
  row_id INTEGER PRIMARY KEY,
  consent_id TEXT NOT NULL UNIQUE,
  patient_id TEXT NOT NULL,
  practice_org_id TEXT NOT NULL,
  grantee_org_id TEXT NOT NULL,
  grantee_provider_id TEXT NOT NULL,
  grantee_specialty INTEGER NOT NULL,
  purposes INTEGER NOT NULL,
  categories INTEGER NOT NULL,
  withheld_categories INTEGER NOT NULL,
  valid_from_us INTEGER NOT NULL,
  expires_at_us INTEGER NOT NULL,
  information_description TEXT NOT NULL,
  document_sha256 TEXT NOT NULL,
  signed_at_us INTEGER NOT NULL,
  signer_name TEXT NOT NULL,
  signer_relationship INTEGER NOT NULL,
  representative_authority TEXT NOT NULL,
  witness TEXT NOT NULL,
  states_right_to_revoke INTEGER NOT NULL,
  states_treatment_not_conditioned INTEGER NOT NULL,
  states_redisclosure_risk INTEGER NOT NULL,
  capture_method INTEGER NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at_us INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  revoked_at_us INTEGER,
  revoked_by TEXT,
  revocation_reason TEXT
) STRICT;
CREATE UNIQUE INDEX consents_by_request ON consents (recorded_by, request_id)
  WHERE request_id != '';

CREATE TABLE disclosures (
  row_id INTEGER PRIMARY KEY,
  disclosure_id TEXT NOT NULL UNIQUE,
  practice_org_id TEXT NOT NULL,
  sender_principal_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  recipient_org_id TEXT NOT NULL,
  recipient_provider_id TEXT NOT NULL,
  purpose INTEGER NOT NULL,
  outcome INTEGER NOT NULL,
  categories TEXT NOT NULL,
  consent_ids TEXT NOT NULL,
  content_sha256 TEXT NOT NULL,
  audit_seq INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  decision BLOB NOT NULL,
  UNIQUE (sender_principal_id, request_id)
) STRICT;
CREATE INDEX disclosures_by_patient ON disclosures (patient_id, created_at_us);

CREATE TABLE messages (
  row_id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  disclosure_id TEXT NOT NULL,
  recipient_org_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  consent_ids TEXT NOT NULL,
  state INTEGER NOT NULL,
  created_at_us INTEGER NOT NULL,
  acknowledged_at_us INTEGER,
  key_id TEXT NOT NULL,
  sealed_envelope BLOB NOT NULL
) STRICT;
CREATE INDEX messages_by_recipient ON messages (recipient_org_id, seq);

-- Which consents each message relies on, so a revocation finds its messages
-- through an index.
CREATE TABLE message_consents (
  consent_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  PRIMARY KEY (consent_id, message_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  actor_principal_id TEXT NOT NULL,
  actor_role INTEGER NOT NULL,
  actor_org_id TEXT NOT NULL,
  action INTEGER NOT NULL,
  practice_org_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  recipient_org_id TEXT NOT NULL,
  purpose INTEGER NOT NULL,
  categories TEXT NOT NULL,
  consent_ids TEXT NOT NULL,
  outcome INTEGER NOT NULL,
  reasons TEXT NOT NULL,
  content_sha256 TEXT NOT NULL,
  request_id TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL
) STRICT;
CREATE INDEX audit_by_patient ON audit_events (patient_id);
CREATE INDEX audit_by_actor ON audit_events (actor_principal_id);
CREATE INDEX audit_by_recipient ON audit_events (recipient_org_id);
CREATE INDEX audit_by_action ON audit_events (action);
CREATE INDEX audit_by_time ON audit_events (time_us);

CREATE TABLE checkpoints (
  row_id INTEGER PRIMARY KEY,
  origin TEXT NOT NULL,
  seq INTEGER NOT NULL,
  head_hash BLOB NOT NULL,
  time_us INTEGER NOT NULL,
  body TEXT NOT NULL,
  signature BLOB NOT NULL,
  key_id TEXT NOT NULL
) STRICT;
CREATE INDEX checkpoints_by_seq ON checkpoints (seq, time_us);
)sql";

// Version 2: patient-identifying consent text sealed (the plain columns stay,
// always empty: the gateway seals rows written before, ReplaceConsentText),
// request fingerprints for idempotency, and the accounting index on the
// patient as (practice, patient id).
constexpr char kSchemaV2[] = R"sql(
ALTER TABLE consents ADD COLUMN text_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE consents ADD COLUMN sealed_evidence BLOB NOT NULL DEFAULT x'';
ALTER TABLE consents ADD COLUMN sealed_revocation_reason BLOB NOT NULL
  DEFAULT x'';
ALTER TABLE consents ADD COLUMN request_digest BLOB NOT NULL DEFAULT x'';
ALTER TABLE disclosures ADD COLUMN request_digest BLOB NOT NULL DEFAULT x'';
DROP INDEX disclosures_by_patient;
CREATE INDEX disclosures_by_patient ON disclosures
  (practice_org_id, patient_id, created_at_us);
)sql";

// Version 3: the counts behind Store::SummarizeAuditEvents
// (sqlite_day_counts.h): per UTC day (time_us / 86400000000) and kind, events
// by action (kind 1), DISCLOSURE_DENIED events by reason set (2; action 5),
// ACCESS_DENIED events by actor (3; action 9), permitted or redacted
// disclosures (outcome 1 or 2) by "<org>/<provider>" (4). Write transactions
// add to it at commit; the migration counts what is already there. A summary
// reads a few rows per day instead of every event (sqlite_audit_query.cc);
// the indexes serve the partial days at either end of a period.
constexpr char kSchemaV3[] = R"sql(
CREATE TABLE audit_day_counts (
  day INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  key TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (day, kind, key)
) STRICT, WITHOUT ROWID;

INSERT INTO audit_day_counts
  SELECT time_us / 86400000000, 1, CAST(action AS TEXT), COUNT(*)
  FROM audit_events GROUP BY 1, 3;
INSERT INTO audit_day_counts
  SELECT time_us / 86400000000, 2, reasons, COUNT(*)
  FROM audit_events WHERE action = 5 GROUP BY 1, 3;
INSERT INTO audit_day_counts
  SELECT time_us / 86400000000, 3, actor_principal_id, COUNT(*)
  FROM audit_events WHERE action = 9 GROUP BY 1, 3;
INSERT INTO audit_day_counts
  SELECT created_at_us / 86400000000, 4,
         recipient_org_id || '/' || recipient_provider_id, COUNT(*)
  FROM disclosures WHERE outcome IN (1, 2) GROUP BY 1, 3;

CREATE INDEX audit_by_action_time ON audit_events (action, time_us);
CREATE INDEX disclosures_by_time ON disclosures (created_at_us);
)sql";

// Version 4: push delivery state of each message (docs API.md "Push
// delivery"), and an index to find the messages due for a push.
constexpr char kSchemaV4[] = R"sql(
ALTER TABLE messages ADD COLUMN delivery_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN next_attempt_at_us INTEGER;
ALTER TABLE messages ADD COLUMN last_delivery_error TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN delivered_at_us INTEGER;
CREATE INDEX messages_due ON messages
  (recipient_org_id, state, next_attempt_at_us);
)sql";

// Version 5: the audit log's RFC 6962 Merkle tree (every node the
// accumulator completes, since 2026-12-07 but the leaves, which are the
// events' hashes; docs/transparency.md "Storing the tree") and the
// checkpoints' tree root and C2SP signed note. The gateway fills the tree of
// an older log from its events at start.
constexpr char kSchemaV5[] = R"sql(
CREATE TABLE tree_nodes (
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;
ALTER TABLE checkpoints ADD COLUMN tree_root BLOB NOT NULL DEFAULT x'';
ALTER TABLE checkpoints ADD COLUMN note TEXT NOT NULL DEFAULT '';
)sql";

// Version 6: when compliance last retried a failed push (the retry policy's
// max_age counts from there), and an index to list the outbox by state
// (DeliveryService.ListDeliveries).
constexpr char kSchemaV6[] = R"sql(
ALTER TABLE messages ADD COLUMN retried_at_us INTEGER;
CREATE INDEX messages_by_state ON messages (state, seq);
)sql";

constexpr Migration kMigrations[] = {
    {1, kSchemaV1}, {2, kSchemaV2}, {3, kSchemaV3},
    {4, kSchemaV4}, {5, kSchemaV5}, {6, kSchemaV6},
};

absl::StatusOr<int> ReadVersion(SqliteConnection& db) {
  CG_ASSIGN_OR_RETURN(std::string text, db.QueryText("read schema version",
                                                     "PRAGMA user_version"));
  int version = 0;
  if (!absl::SimpleAtoi(text, &version)) {
    return absl::InternalError("read schema version: not a number");
  }
  return version;
}

absl::Status CheckNotNewer(int version) {
  if (version <= LatestSchemaVersion()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("database schema version ", version,
                   " is newer than this build supports (",
                   LatestSchemaVersion(), "); use a newer caregate"));
}

// Applies `m` unless another process did so first.
absl::Status ApplyInTransaction(SqliteConnection& db, const Migration& m) {
  CG_ASSIGN_OR_RETURN(int version, ReadVersion(db));
  CG_RETURN_IF_ERROR(CheckNotNewer(version));
  if (version >= m.version) return absl::OkStatus();
  const std::string op = absl::StrCat("migrate schema to version ", m.version);
  CG_RETURN_IF_ERROR(db.Exec(op, m.sql));
  return db.Exec(op, absl::StrCat("PRAGMA user_version = ", m.version));
}

absl::Status Apply(SqliteConnection& db, const Migration& m) {
  CG_RETURN_IF_ERROR(db.Exec("begin schema migration", "BEGIN IMMEDIATE"));
  absl::Status status = ApplyInTransaction(db, m);
  if (status.ok()) status = db.Exec("commit schema migration", "COMMIT");
  if (!status.ok() && db.InTransaction()) {
    db.Exec("roll back schema migration", "ROLLBACK").IgnoreError();
  }
  return status;
}

}  // namespace

int LatestSchemaVersion() {
  return kMigrations[std::size(kMigrations) - 1].version;
}

absl::Status MigrateSchema(SqliteConnection& db) {
  CG_ASSIGN_OR_RETURN(int version, ReadVersion(db));
  CG_RETURN_IF_ERROR(CheckNotNewer(version));
  for (const Migration& m : kMigrations) {
    if (m.version > version) CG_RETURN_IF_ERROR(Apply(db, m));
  }
  return absl::OkStatus();
}

}  // namespace caregate::sqlite
