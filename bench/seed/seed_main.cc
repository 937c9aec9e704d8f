// caregate-bench-seed: writes bench consents (bench/common/bench_fixtures.h)
// and/or a synthetic audit log (bench/common/audit_seeder.h) straight into a
// gateway's SQLite store, in batches, for benchmarks that need a large
// consent index or a large audit log (1M consents or events take minutes
// through the API, which commits each one on its own). Run it while the
// gateway is stopped. Benchmark stores only: the consents have no
// CONSENT_RECORDED audit events, the audit events no consents or messages.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/clock.h"
#include "bench/common/audit_seeder.h"
#include "bench/common/consent_seeder.h"
#include "services/config/gateway_config.h"
#include "services/crypto/data_cipher.h"
#include "services/store/sqlite_store.h"

ABSL_FLAG(std::string, db, "",
          "The gateway's SQLite file, e.g. DIR/data/caregate.db (created when "
          "missing).");
ABSL_FLAG(int64_t, consents, 0, "How many bench consents to write.");
ABSL_FLAG(int64_t, first, 0, "The first bench patient index.");
ABSL_FLAG(int, batch, 10'000, "Consents (or audit events) per transaction.");
ABSL_FLAG(std::string, config, "",
          "The gateway's config (DIR/caregate.textproto): its data key seals "
          "the consents' text as the gateway stores it. Without it the text "
          "is stored plain and the gateway seals it at its first start.");
ABSL_FLAG(int64_t, audit_events, 0,
          "How many synthetic audit events to chain onto the log.");
ABSL_FLAG(int64_t, hot_patient_disclosures, 0,
          "How many of the permitted disclosures go to one patient "
          "(bench-hot-patient of sunrise-therapy).");
ABSL_FLAG(int, days, 365, "The audit events span this many days up to now.");

namespace {

// The data cipher of the gateway configured by `config_path`.
absl::StatusOr<std::unique_ptr<caregate::DataCipher>> LoadCipher(
    const std::string& config_path) {
  absl::StatusOr<std::shared_ptr<const caregate::GatewayConfig>> config =
      caregate::GatewayConfig::LoadFile(config_path);
  if (!config.ok()) return config.status();
  return caregate::DataCipher::FromKeyFile((*config)->data_key_file(),
                                           (*config)->data_key_id());
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "caregate-bench-seed --db DIR/data/caregate.db [--consents N] "
      "[--config DIR/caregate.textproto] "
      "[--first I] [--batch 10000] [--audit_events N "
      "[--hot_patient_disclosures K] [--days D]]");
  absl::ParseCommandLine(argc, argv);
  const std::string db = absl::GetFlag(FLAGS_db);
  const int64_t count = absl::GetFlag(FLAGS_consents);
  const int64_t events = absl::GetFlag(FLAGS_audit_events);
  if (db.empty() || count < 0 || count > 20'000'000 || events < 0 ||
      events > 20'000'000 || count + events == 0) {
    std::fprintf(stderr,
                 "caregate-bench-seed: --db and --consents 1..20000000 or "
                 "--audit_events 1..20000000 are required\n");
    return 2;
  }
  const absl::Time start = absl::Now();
  auto store = caregate::OpenSqliteStore(db);
  if (!store.ok()) {
    std::fprintf(stderr, "caregate-bench-seed: %s\n",
                 std::string(store.status().message()).c_str());
    return 1;
  }
  std::unique_ptr<caregate::DataCipher> cipher;
  if (const std::string config = absl::GetFlag(FLAGS_config); !config.empty()) {
    absl::StatusOr<std::unique_ptr<caregate::DataCipher>> loaded =
        LoadCipher(config);
    if (!loaded.ok()) {
      std::fprintf(stderr, "caregate-bench-seed: --config: %s\n",
                   std::string(loaded.status().message()).c_str());
      return 1;
    }
    cipher = *std::move(loaded);
  }
  caregate::bench::SeedOptions options;
  options.cipher = cipher.get();
  options.first = absl::GetFlag(FLAGS_first);
  options.count = count;
  options.batch_size = absl::GetFlag(FLAGS_batch);
  options.now = start;
  absl::Status seeded = caregate::bench::SeedConsents(**store, options);
  if (seeded.ok() && events > 0) {
    caregate::bench::AuditSeedOptions audit;
    audit.events = events;
    audit.hot_patient_disclosures =
        absl::GetFlag(FLAGS_hot_patient_disclosures);
    audit.days = absl::GetFlag(FLAGS_days);
    audit.batch_size = absl::GetFlag(FLAGS_batch);
    audit.now = start;
    seeded = caregate::bench::SeedAuditEvents(**store, audit);
  }
  if (!seeded.ok()) {
    std::fprintf(stderr, "caregate-bench-seed: %s\n",
                 std::string(seeded.message()).c_str());
    return 1;
  }
  std::printf("seeded %lld consents and %lld audit events in %.2f s\n",
              static_cast<long long>(count), static_cast<long long>(events),
              absl::ToDoubleSeconds(absl::Now() - start));
  return 0;
}
