// Bulk-loads a synthetic audit log straight into a Store, for the console's
// load check (bench/console_load.sh): `events` audit events chained onto the
// store's current head (so VerifyAuditLog and the gateway's checkpoints
// accept them) over the `days` before `now`, and a disclosure row for each
// permitted or redacted one (what accountings and the by-specialty counts
// read). The mix is a busy practice's: mostly permitted disclosures, with
// denials, redactions, acknowledgements, consents, revocations, audit reads
// and refused calls. `hot_patient_disclosures` of the permitted disclosures
// go to one patient (kHotPatient of kBenchPractice), spread over the period.
//
// Ids follow the dev-init sample directory; no real data. Writes no
// consents or messages, so a store seeded this way is for benchmarks only.
//
// Thread-safety: uses the store's one write transaction; call it while
// nothing else writes (before the gateway starts). Errors: the store's; the
// batches committed before the error stay.
#ifndef CAREGATE_BENCH_COMMON_AUDIT_SEEDER_H_
#define CAREGATE_BENCH_COMMON_AUDIT_SEEDER_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/store/store.h"

namespace caregate::bench {

inline constexpr char kHotPatient[] = "bench-hot-patient";

struct AuditSeedOptions {
  int64_t events = 0;
  int64_t hot_patient_disclosures = 0;  // at most a third of `events`
  int days = 365;
  int batch_size = 10'000;
  absl::Time now = absl::Now();
};

absl::Status SeedAuditEvents(Store& store, const AuditSeedOptions& options);

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_COMMON_AUDIT_SEEDER_H_
