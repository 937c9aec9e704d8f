// The checks after every crash cycle: everything a client was told must be in
// the gateway's state exactly once, and the audit log must be one unbroken,
// verifiable chain that only ever grows across kills and restarts.
//
// Reads through the API as compliance (QueryAuditEvents page by page,
// VerifyAuditLog) and compares with a read-only StoreView of the SQLite file.
// Plain functions; thread-compatible. Problems are PHI-free text (ids, seqs,
// enum values only).
#ifndef CAREGATE_TESTS_CRASH_CRASH_CHECKS_H_
#define CAREGATE_TESTS_CRASH_CRASH_CHECKS_H_

#include "tests/crash/chain_checks.h"
#include "tests/crash/check_figures.h"
#include "tests/crash/crash_calls.h"
#include "tests/crash/store_view.h"

namespace caregate::crash {

// Checks every call in `calls` (all cycles so far) against `api` and
// `store`, and the chain against `memory`; then updates `memory`.
CheckFigures CheckAll(const CallRecords& calls, const ApiView& api,
                      const StoreView& store, ChainMemory& memory);

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_CRASH_CHECKS_H_
