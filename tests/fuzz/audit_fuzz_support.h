// Support of the audit-log verifier fuzzer: audit events decoded from fuzz
// input, a fixed checkpoint key, field-by-field event comparison, and the
// verification of a whole log the way AuditService.VerifyAuditLog does it
// (services/audit_service/log_verification.cc): ChainVerifier over every
// event, then VerifyCheckpoint and CheckCheckpointAgainstChain.
//
// Plain functions; the key pair is built once and is thread-safe afterwards.
#ifndef CAREGATE_TESTS_FUZZ_AUDIT_FUZZ_SUPPORT_H_
#define CAREGATE_TESTS_FUZZ_AUDIT_FUZZ_SUPPORT_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "services/audit/audit_chain.h"
#include "services/audit/audit_event.h"
#include "services/crypto/ed25519.h"
#include "tests/fuzz/fuzz_bytes.h"

namespace caregate::fuzz {

// The checkpoint key of the fuzzer: fixed, so runs are reproducible. Used by
// nothing else.
const Ed25519Signer& FuzzSigner();
const Ed25519Verifier& FuzzVerifier();

// Every field of an event except seq, prev_hash and hash: times anywhere in
// absl::Time's range (also infinite, and with sub-microsecond parts), any
// int32 for each enum, short strings with any bytes.
AuditEvent DecodeEventContent(FuzzBytes& in);
// 32 bytes of input.
Hash256 DecodeHash(FuzzBytes& in);
// Sets field number `field` (0..17, docs/audit-log.md order minus one) of
// `event` to a value decoded from `in`.
void MutateField(FuzzBytes& in, int field, AuditEvent& event);
inline constexpr int kAuditEventFields = 18;

// The same event as stored: every field equal, time compared in whole
// microseconds (the unit of the store and of the hash), and, when
// `with_hashes`, prev_hash and hash equal too.
bool SameEvent(const AuditEvent& a, const AuditEvent& b, bool with_hashes);

// SHA-256(prev_hash || CanonicalEventBytes(event)) computed without
// ComputeEventHash, as an independent check of it.
Hash256 ReferenceEventHash(const Hash256& prev_hash, const AuditEvent& event);

// The verdict on a whole log and an optional checkpoint.
struct LogVerdict {
  VerifyResult chain;       // ChainVerifier's result over all events
  absl::Status checkpoint;  // OK when there is none
  bool accepted() const { return chain.ok && checkpoint.ok(); }
};

// Verifies `events` from seq 1 and, if given, `checkpoint` against them.
LogVerdict VerifyLog(const std::vector<AuditEvent>& events,
                     const Checkpoint* checkpoint);

}  // namespace caregate::fuzz

#endif  // CAREGATE_TESTS_FUZZ_AUDIT_FUZZ_SUPPORT_H_
