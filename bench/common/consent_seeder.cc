#include "bench/common/consent_seeder.h"

#include <algorithm>
#include <memory>

#include "bench/common/bench_fixtures.h"
#include "services/common/status_macros.h"
#include "services/consent/consent_text.h"

namespace caregate::bench {

absl::Status SeedConsents(Store& store, const SeedOptions& options) {
  if (options.count < 0 || options.first < 0 || options.batch_size < 1) {
    return absl::InvalidArgumentError(
        "seed: count and first must be >= 0, batch_size >= 1");
  }
  const int64_t end = options.first + options.count;
  for (int64_t begin = options.first; begin < end;
       begin += options.batch_size) {
    const int64_t batch_end = std::min(end, begin + options.batch_size);
    CG_ASSIGN_OR_RETURN(std::unique_ptr<WriteTransaction> txn,
                        store.BeginWrite());
    for (int64_t i = begin; i < batch_end; ++i) {
      ConsentRecord consent = BenchConsentRecord(i, options.now);
      if (options.cipher != nullptr) SealConsentText(*options.cipher, &consent);
      CG_RETURN_IF_ERROR(txn->InsertConsent(consent));
    }
    CG_RETURN_IF_ERROR(txn->Commit());
  }
  return absl::OkStatus();
}

}  // namespace caregate::bench
