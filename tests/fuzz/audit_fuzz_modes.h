// The two halves of the audit-log verifier fuzzer (audit_verifier_fuzzer.cc).
//
// RunAdversarialLog: an attacker-written log, event by event (seqs, hashes
// and prev_hashes raw or derived, any content), and an attacker-written or
// signed-then-edited checkpoint. ChainVerifier's verdict on each event must
// equal an independent recomputation; VerifyCheckpoint may accept only a
// checkpoint the fuzzer signed; CheckCheckpointAgainstChain only one that
// matches the verified chain.
//
// RunTamperedLog: a valid log built with AuditChain and a checkpoint signed
// over it, then input-chosen tampering (edit a field, delete, swap, insert,
// duplicate, truncate, flip hash bits, recompute hashes, edit or roll back the
// checkpoint). The verifier must never accept a log whose checkpointed prefix
// differs from the original, nor, when no hash was recomputed, any log that is
// not a prefix of the original; and it must accept the untouched log.
//
// Both trap (CG_FUZZ_CHECK) on a violated property. Not thread-safe.
#ifndef CAREGATE_TESTS_FUZZ_AUDIT_FUZZ_MODES_H_
#define CAREGATE_TESTS_FUZZ_AUDIT_FUZZ_MODES_H_

#include "tests/fuzz/fuzz_bytes.h"

namespace caregate::fuzz {

void RunAdversarialLog(FuzzBytes& in);
void RunTamperedLog(FuzzBytes& in);

}  // namespace caregate::fuzz

#endif  // CAREGATE_TESTS_FUZZ_AUDIT_FUZZ_MODES_H_
