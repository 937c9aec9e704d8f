// Test helpers that edit a stopped gateway's SQLite file the way an attacker
// would: raw SQL, reading and re-appending audit events, forging a
// checkpoint signature. Shared by the tamper suites (VerifyAuditLog in
// tests/integration, `audit verify-offline` in tests/cli).
//
// Failures are reported with gtest assertions; the gateway must be stopped.
#ifndef CAREGATE_TESTS_TESTING_AUDIT_DB_EDITS_H_
#define CAREGATE_TESTS_TESTING_AUDIT_DB_EDITS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "services/audit/audit_event.h"

namespace caregate::testing {

// Every column of audit_events but seq (services/store/sqlite_schema.cc).
inline constexpr const char* kEventColumns[] = {
    "time_us", "actor_principal_id", "actor_role",  "actor_org_id",
    "action",  "practice_org_id",    "patient_id",  "recipient_org_id",
    "purpose", "categories",         "consent_ids", "outcome",
    "reasons", "content_sha256",     "request_id",  "subject_id",
    "detail",  "prev_hash",          "hash"};

// Runs `sql` on the database at `path`; fails the test on error.
void Sql(const std::string& path, const std::string& sql);

// One integer read with `sql`; -1 when it returns no row.
int64_t SqlInt(const std::string& path, const std::string& sql);

// The stored events from seq `from` on, decoded by the store itself.
std::vector<AuditEvent> ReadEvents(const std::string& path, int64_t from);

// Appends `events` exactly as given (seq and hashes included).
void WriteEvents(const std::string& path,
                 const std::vector<AuditEvent>& events);

// Replaces the signature of the checkpoint of seq `seq` with a signature by
// another key over the same body.
void ForgeCheckpointSignature(const std::string& path, int64_t seq);

// Events `a` and `b` trade every column but their seq.
void SwapEvents(const std::string& path, int64_t a, int64_t b);

// Inserts after event `after` a forged CONSENT_REVOKED event about the same
// patient whose own hash is valid (its prev_hash is event `after`'s hash);
// later events move up one seq. Returns nothing; check the new MAX(seq).
void InsertForgedEventAfter(const std::string& path, int64_t after);

}  // namespace caregate::testing

#endif  // CAREGATE_TESTS_TESTING_AUDIT_DB_EDITS_H_
