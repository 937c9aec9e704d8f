// Bulk-loads bench consents (bench_fixtures.h) straight into a Store, for
// benchmarks that need a large index: far faster than RecordConsent, which
// commits (fsyncs) each consent on its own. Writes no audit events, so a
// store seeded this way is for benchmarks only.
//
// Thread-safety: uses the store's one write transaction; call it while
// nothing else writes (before the gateway starts). Errors: the store's
// (ALREADY_EXISTS when a consent id is already there); the batches committed
// before the error stay.
#ifndef CAREGATE_BENCH_COMMON_CONSENT_SEEDER_H_
#define CAREGATE_BENCH_COMMON_CONSENT_SEEDER_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/crypto/data_cipher.h"
#include "services/store/store.h"

namespace caregate::bench {

struct SeedOptions {
  int64_t first = 0;        // the first bench patient index
  int64_t count = 0;        // how many consents (one per patient)
  int batch_size = 10'000;  // consents per transaction
  absl::Time now = absl::Now();
  // The gateway's data key: when set, the consents' text is sealed as the
  // gateway stores it. Without it the text is stored plain, and the gateway
  // seals it at its first start (a one-time migration that holds every such
  // consent in memory while it runs).
  const DataCipher* cipher = nullptr;
};

// Writes BenchConsentRecord(i, now) for i in [first, first + count).
absl::Status SeedConsents(Store& store, const SeedOptions& options);

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_COMMON_CONSENT_SEEDER_H_
