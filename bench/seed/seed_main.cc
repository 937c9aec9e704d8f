// caregate-bench-seed: writes bench consents (bench/common/bench_fixtures.h)
// straight into a gateway's SQLite store, in batches, for benchmarks that need
// a large consent index (1M consents take minutes through RecordConsent,
// which commits each one on its own). Run it while the gateway is stopped.
// Benchmark stores only: the consents have no CONSENT_RECORDED audit events.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/clock.h"
#include "bench/common/consent_seeder.h"
#include "services/store/sqlite_store.h"

ABSL_FLAG(std::string, db, "",
          "The gateway's SQLite file, e.g. DIR/data/caregate.db (created when "
          "missing).");
ABSL_FLAG(int64_t, consents, 0, "How many bench consents to write.");
ABSL_FLAG(int64_t, first, 0, "The first bench patient index.");
ABSL_FLAG(int, batch, 10'000, "Consents per transaction.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "caregate-bench-seed --db DIR/data/caregate.db --consents N "
      "[--first I] [--batch 10000]");
  absl::ParseCommandLine(argc, argv);
  const std::string db = absl::GetFlag(FLAGS_db);
  const int64_t count = absl::GetFlag(FLAGS_consents);
  if (db.empty() || count < 1 || count > 20'000'000) {
    std::fprintf(stderr,
                 "caregate-bench-seed: --db and --consents 1..20000000 are "
                 "required\n");
    return 2;
  }
  const absl::Time start = absl::Now();
  auto store = caregate::OpenSqliteStore(db);
  if (!store.ok()) {
    std::fprintf(stderr, "caregate-bench-seed: %s\n",
                 std::string(store.status().message()).c_str());
    return 1;
  }
  caregate::bench::SeedOptions options;
  options.first = absl::GetFlag(FLAGS_first);
  options.count = count;
  options.batch_size = absl::GetFlag(FLAGS_batch);
  options.now = start;
  absl::Status seeded = caregate::bench::SeedConsents(**store, options);
  if (!seeded.ok()) {
    std::fprintf(stderr, "caregate-bench-seed: %s\n",
                 std::string(seeded.message()).c_str());
    return 1;
  }
  std::printf("seeded %lld consents in %.2f s\n", static_cast<long long>(count),
              absl::ToDoubleSeconds(absl::Now() - start));
  return 0;
}
