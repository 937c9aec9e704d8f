#include "services/store/postgres/pg_schema.h"

#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"

namespace caregate::pg {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Version 1. Times are int8 Unix microseconds (INT64_MIN / INT64_MAX for the
// infinite past / future); enums are int4 numbers, consent enum sets int8
// bit masks, repeated enums int4[], id lists text[]; hashes are 32-byte
// bytea. `log_head` is one row: the last audit event's seq and hash (seq 0
// and an empty hash for an empty log), kept by every append in the same
// transaction, so a writer that selects it FOR UPDATE holds the chain.
constexpr char kSchemaV1[] = R"sql(
CREATE TABLE consents (
  row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consent_id text NOT NULL UNIQUE,
  patient_id text NOT NULL,
  practice_org_id text NOT NULL,
  grantee_org_id text NOT NULL,
  grantee_provider_id text NOT NULL,
  grantee_specialty int4 NOT NULL,
  purposes int8 NOT NULL,
  categories int8 NOT NULL,
  withheld_categories int8 NOT NULL,
  valid_from_us int8 NOT NULL,
  expires_at_us int8 NOT NULL,
  document_sha256 text NOT NULL,
  signed_at_us int8 NOT NULL,
  signer_relationship int4 NOT NULL,
  states_right_to_revoke bool NOT NULL,
  states_treatment_not_conditioned bool NOT NULL,
  states_redisclosure_risk bool NOT NULL,
  capture_method int4 NOT NULL,
  recorded_by text NOT NULL,
  recorded_at_us int8 NOT NULL,
  request_id text NOT NULL,
  revision int8 NOT NULL,
  revoked_at_us int8,
  revoked_by text,
  -- Patient-identifying text, sealed with the data key (never in plain).
  text_key_id text NOT NULL,
  sealed_evidence bytea NOT NULL,
  sealed_revocation_reason bytea NOT NULL,
  request_digest bytea NOT NULL
);
CREATE UNIQUE INDEX consents_by_request ON consents (recorded_by, request_id)
  WHERE request_id <> '';

CREATE TABLE disclosures (
  row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  disclosure_id text NOT NULL UNIQUE,
  practice_org_id text NOT NULL,
  sender_principal_id text NOT NULL,
  request_id text NOT NULL,
  patient_id text NOT NULL,
  recipient_org_id text NOT NULL,
  recipient_provider_id text NOT NULL,
  purpose int4 NOT NULL,
  outcome int4 NOT NULL,
  categories int4[] NOT NULL,
  consent_ids text[] NOT NULL,
  content_sha256 text NOT NULL,
  audit_seq int8 NOT NULL,
  message_id text NOT NULL,
  created_at_us int8 NOT NULL,
  decision bytea NOT NULL,
  request_digest bytea NOT NULL,
  UNIQUE (sender_principal_id, request_id)
);
CREATE INDEX disclosures_by_patient
  ON disclosures (practice_org_id, patient_id, created_at_us);
CREATE INDEX disclosures_by_time ON disclosures (created_at_us);

CREATE TABLE messages (
  message_id text PRIMARY KEY,
  disclosure_id text NOT NULL,
  recipient_org_id text NOT NULL,
  seq int8 NOT NULL,
  consent_ids text[] NOT NULL,
  state int4 NOT NULL,
  created_at_us int8 NOT NULL,
  acknowledged_at_us int8,
  key_id text NOT NULL,
  sealed_envelope bytea NOT NULL
);
CREATE INDEX messages_by_recipient ON messages (recipient_org_id, seq);

-- Which consents each message relies on, so a revocation finds its messages
-- through an index.
CREATE TABLE message_consents (
  consent_id text NOT NULL,
  message_id text NOT NULL,
  PRIMARY KEY (consent_id, message_id)
);

CREATE TABLE audit_events (
  seq int8 PRIMARY KEY,
  time_us int8 NOT NULL,
  actor_principal_id text NOT NULL,
  actor_role int4 NOT NULL,
  actor_org_id text NOT NULL,
  action int4 NOT NULL,
  practice_org_id text NOT NULL,
  patient_id text NOT NULL,
  recipient_org_id text NOT NULL,
  purpose int4 NOT NULL,
  categories int4[] NOT NULL,
  consent_ids text[] NOT NULL,
  outcome int4 NOT NULL,
  reasons int4[] NOT NULL,
  content_sha256 text NOT NULL,
  request_id text NOT NULL,
  subject_id text NOT NULL,
  detail text NOT NULL,
  prev_hash bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
  hash bytea NOT NULL CHECK (octet_length(hash) = 32)
);
CREATE INDEX audit_by_patient ON audit_events (patient_id);
CREATE INDEX audit_by_practice ON audit_events (practice_org_id, patient_id);
CREATE INDEX audit_by_actor ON audit_events (actor_principal_id);
CREATE INDEX audit_by_recipient ON audit_events (recipient_org_id);
CREATE INDEX audit_by_action ON audit_events (action, time_us);
CREATE INDEX audit_by_time ON audit_events (time_us);

-- One row per patient with consents: the audit seq of the last event that
-- recorded or revoked one of them (replicas compare it with their copy).
CREATE TABLE consent_revisions (
  practice_org_id text NOT NULL,
  patient_id text NOT NULL,
  revision int8 NOT NULL,
  PRIMARY KEY (practice_org_id, patient_id)
);
CREATE INDEX consent_revisions_by_revision ON consent_revisions (revision);
CREATE INDEX consents_by_patient ON consents (practice_org_id, patient_id);

CREATE TABLE log_head (
  id bool PRIMARY KEY DEFAULT true CHECK (id),
  seq int8 NOT NULL,
  hash bytea NOT NULL CHECK (seq = 0 OR octet_length(hash) = 32)
);
INSERT INTO log_head (seq, hash) VALUES (0, '');

CREATE TABLE checkpoints (
  row_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  origin text NOT NULL,
  seq int8 NOT NULL,
  head_hash bytea NOT NULL CHECK (octet_length(head_hash) = 32),
  time_us int8 NOT NULL,
  body text NOT NULL,
  signature bytea NOT NULL,
  key_id text NOT NULL
);
CREATE INDEX checkpoints_by_seq ON checkpoints (seq, time_us);
)sql";

// Version 2: push delivery state of each message (as SQLite's version 3).
constexpr char kSchemaV2[] = R"sql(
ALTER TABLE messages ADD COLUMN delivery_attempts int4 NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN next_attempt_at_us int8;
ALTER TABLE messages ADD COLUMN last_delivery_error text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN delivered_at_us int8;
CREATE INDEX messages_due ON messages
  (recipient_org_id, state, next_attempt_at_us);
)sql";

// Version 3: the audit log's RFC 6962 Merkle tree and the checkpoints' tree
// root and C2SP signed note (as SQLite's version 5).
constexpr char kSchemaV3[] = R"sql(
CREATE TABLE tree_nodes (
  level int4 NOT NULL,
  idx int8 NOT NULL,
  hash bytea NOT NULL CHECK (octet_length(hash) = 32),
  PRIMARY KEY (level, idx)
);
ALTER TABLE checkpoints ADD COLUMN tree_root bytea NOT NULL DEFAULT '';
ALTER TABLE checkpoints ADD COLUMN note text NOT NULL DEFAULT '';
)sql";

// Version 4: when compliance last retried a failed push, and an index to
// list the outbox by state (as SQLite's version 6).
constexpr char kSchemaV4[] = R"sql(
ALTER TABLE messages ADD COLUMN retried_at_us int8;
CREATE INDEX messages_by_state ON messages (state, seq);
)sql";

// Version 5: push leases, so that replicas never push one message at once
// (Store::ClaimDueMessages): who holds the lease, and until when.
constexpr char kSchemaV5[] = R"sql(
ALTER TABLE messages ADD COLUMN lease_owner text;
ALTER TABLE messages ADD COLUMN lease_until_us int8;
)sql";

constexpr Migration kMigrations[] = {
    {1, kSchemaV1}, {2, kSchemaV2}, {3, kSchemaV3},
    {4, kSchemaV4}, {5, kSchemaV5},
};

constexpr char kCreateVersionTableSql[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version int4 PRIMARY KEY,"
    " applied_at timestamptz NOT NULL DEFAULT now())";
constexpr char kReadVersionSql[] =
    "SELECT coalesce(max(version), 0)::int4 FROM schema_version";
constexpr char kVersionTableExistsSql[] =
    "SELECT to_regclass('schema_version') IS NOT NULL";
constexpr char kRecordVersionSql[] =
    "INSERT INTO schema_version (version) VALUES ($1)";
constexpr char kLockSql[] = "SELECT pg_advisory_xact_lock($1)";

absl::Status CheckNotNewer(int version) {
  if (version <= LatestSchemaVersion()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("database schema version ", version,
                   " is newer than this build supports (",
                   LatestSchemaVersion(), "); use a newer caregate"));
}

// Inside the migration transaction: waits for the lock, then applies `m`
// unless another process did so first.
absl::Status ApplyLocked(PgConnection& db, const Migration& m) {
  const std::string op = absl::StrCat("migrate schema to version ", m.version);
  CG_RETURN_IF_ERROR(
      db.Query(op, kLockSql, PgParams().Int64(kSchemaLockKey)).status());
  CG_RETURN_IF_ERROR(db.Exec(op, kCreateVersionTableSql));
  CG_ASSIGN_OR_RETURN(int version, ReadSchemaVersion(db));
  CG_RETURN_IF_ERROR(CheckNotNewer(version));
  if (version >= m.version) return absl::OkStatus();
  CG_RETURN_IF_ERROR(db.Exec(op, m.sql));
  return db.Query(op, kRecordVersionSql, PgParams().Int32(m.version)).status();
}

absl::Status Apply(PgConnection& db, const Migration& m) {
  CG_RETURN_IF_ERROR(db.Exec("begin schema migration", "BEGIN"));
  absl::Status status = ApplyLocked(db, m);
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

absl::StatusOr<int> ReadSchemaVersion(PgConnection& db) {
  constexpr char kOp[] = "read schema version";
  CG_ASSIGN_OR_RETURN(PgResult exists,
                      db.Query(kOp, kVersionTableExistsSql, PgParams()));
  PgRow exists_row = exists.row(0);
  const bool has_table = exists_row.Bool(0);
  CG_RETURN_IF_ERROR(exists_row.status());
  if (!has_table) return 0;
  CG_ASSIGN_OR_RETURN(PgResult result,
                      db.Query(kOp, kReadVersionSql, PgParams()));
  PgRow row = result.row(0);
  const int version = row.Int32(0);
  CG_RETURN_IF_ERROR(row.status());
  return version;
}

absl::Status MigrateSchema(PgConnection& db) {
  // A first look without the lock: an up-to-date database (every start but
  // the first) takes no lock at all.
  CG_ASSIGN_OR_RETURN(int version, ReadSchemaVersion(db));
  CG_RETURN_IF_ERROR(CheckNotNewer(version));
  for (const Migration& m : kMigrations) {
    if (m.version > version) CG_RETURN_IF_ERROR(Apply(db, m));
  }
  return absl::OkStatus();
}

}  // namespace caregate::pg
