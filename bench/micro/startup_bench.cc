// startup_index_load/<N>: what the gateway does at start with N consents in
// its store: open the SQLite store, read every consent (ForEachConsent) and
// Upsert it into a ConsentIndex. The store is written once beforehand (not
// timed) through the store's WriteTransaction in batches of 10k, into a
// fresh temporary directory that is removed at exit.
//
// Counters: rss_mb is this process's resident size right after the load,
// index_rss_mb how much the load grew it (run it in a process of its own for
// a clean figure: memory freed by earlier benchmarks is reused), seed_s the
// untimed setup.
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/common/consent_seeder.h"
#include "bench/micro/micro_benchmarks.h"
#include "bench/micro/process_memory.h"
#include "services/policy/consent_index.h"
#include "services/store/sqlite_store.h"

namespace caregate::bench {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// A store holding N bench consents, in a temporary directory.
class SeededStore {
 public:
  ~SeededStore() {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  static absl::StatusOr<std::unique_ptr<SeededStore>> Create(int64_t count) {
    auto seeded = std::unique_ptr<SeededStore>(new SeededStore());
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp",
                     "/caregate-microbench-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      return absl::UnavailableError("cannot create a temporary directory");
    }
    seeded->dir_ = pattern;
    seeded->db_ = absl::StrCat(pattern, "/caregate.db");
    const absl::Time start = absl::Now();
    auto store = OpenSqliteStore(seeded->db_);
    if (!store.ok()) return store.status();
    SeedOptions options;
    options.count = count;
    options.now = start;
    if (absl::Status s = SeedConsents(**store, options); !s.ok()) return s;
    seeded->seed_seconds_ = absl::ToDoubleSeconds(absl::Now() - start);
    return seeded;
  }

  const std::string& db() const { return db_; }
  double seed_seconds() const { return seed_seconds_; }

 private:
  SeededStore() = default;
  std::string dir_;
  std::string db_;
  double seed_seconds_ = 0;
};

void BM_StartupIndexLoad(benchmark::State& state, int64_t count) {
  auto seeded = SeededStore::Create(count);
  if (!seeded.ok()) {
    state.SkipWithError(std::string(seeded.status().message()).c_str());
    return;
  }
  double rss_after = 0, rss_growth = 0;
  size_t loaded = 0;
  for (auto _ : state) {
    const uint64_t rss_before = ResidentBytes();
    const absl::Time start = absl::Now();
    auto store = OpenSqliteStore((*seeded)->db());
    auto index = std::make_unique<ConsentIndex>();
    absl::Status s = store.ok()
                         ? (*store)->ForEachConsent([&](ConsentRecord c) {
                             index->Upsert(std::move(c));
                           })
                         : store.status();
    state.SetIterationTime(absl::ToDoubleSeconds(absl::Now() - start));
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
    loaded = index->size();
    rss_after = static_cast<double>(ResidentBytes());
    rss_growth = rss_after - static_cast<double>(rss_before);
  }
  state.counters["consents"] = static_cast<double>(loaded);
  state.counters["rss_mb"] = rss_after / kMiB;
  state.counters["index_rss_mb"] = rss_growth / kMiB;
  state.counters["peak_rss_mb"] =
      static_cast<double>(PeakResidentBytes()) / kMiB;
  state.counters["seed_s"] = (*seeded)->seed_seconds();
}

}  // namespace

void RegisterStartupBenchmarks(const std::vector<int64_t>& consent_counts) {
  for (int64_t n : consent_counts) {
    benchmark::RegisterBenchmark(absl::StrCat("startup_index_load/", n).c_str(),
                                 BM_StartupIndexLoad, n)
        ->UseManualTime()
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace caregate::bench
