// decide/<N>: one ConsentIndex::Decide with N consents indexed.
//
// The index holds N/3 bench patients with three consents each (lakeside-obgyn,
// which covers the request, core-pelvic-pt and riverside-urology), so each
// decision scans a realistic handful. Requests cycle through 4096 patients
// drawn at random from all of them, so at 1M consents the records are cache
// misses, as in a gateway serving many patients. Every decision is timed on
// its own (two steady_clock reads, ~20-40 ns, included) into a histogram.
#include <chrono>
#include <memory>
#include <random>

#include "absl/strings/str_cat.h"
#include "bench/common/bench_fixtures.h"
#include "bench/micro/micro_benchmarks.h"
#include "services/policy/consent_index.h"

namespace caregate::bench {
namespace {

constexpr int kRequestPool = 4096;  // a power of two

struct DecisionFixture {
  int64_t consents = 0;
  absl::Time now;
  ConsentIndex index;
  std::vector<DecisionRequest> requests;
};

ConsentRecord OtherClinicConsent(int64_t patient, absl::Time now,
                                 const char* org_id, int n) {
  ConsentRecord r = BenchConsentRecord(patient, now);
  r.consent_id = absl::StrCat("cns-bench-", patient, "-", n);
  r.grantee.org_id = org_id;
  r.request_id.clear();
  return r;
}

DecisionRequest RequestFor(int64_t patient, absl::Time now) {
  DecisionRequest request;
  request.practice_org_id = kBenchPractice;
  request.patient_id = BenchPatientId(patient);
  request.recipient.org_id = kBenchRecipientOrg;
  request.recipient.provider_id = kBenchRecipientProvider;
  request.recipient.provider_specialty = v1::SPECIALTY_OBGYN;
  request.purpose = v1::PURPOSE_TREATMENT_COORDINATION;
  request.section_categories = {v1::CATEGORY_TREATMENT_SUMMARY,
                                v1::CATEGORY_HOMEWORK_PLAN};
  request.now = now;
  return request;
}

std::unique_ptr<DecisionFixture> BuildFixture(int64_t consents) {
  auto f = std::make_unique<DecisionFixture>();
  f->now = absl::FromUnixSeconds(1'790'000'000);
  const int64_t patients = std::max<int64_t>(1, consents / 3);
  for (int64_t p = 0; p < patients; ++p) {
    f->index.Upsert(OtherClinicConsent(p, f->now, "core-pelvic-pt", 1));
    f->index.Upsert(OtherClinicConsent(p, f->now, "riverside-urology", 2));
    f->index.Upsert(BenchConsentRecord(p, f->now));
  }
  f->consents = static_cast<int64_t>(f->index.size());
  std::mt19937_64 random(42);
  std::uniform_int_distribution<int64_t> pick(0, patients - 1);
  for (int i = 0; i < kRequestPool; ++i) {
    f->requests.push_back(RequestFor(pick(random), f->now));
  }
  return f;
}

// One fixture at a time (the 1M one holds about 1 GB).
DecisionFixture& FixtureFor(int64_t consents) {
  static std::unique_ptr<DecisionFixture> fixture;
  static int64_t built_for = -1;
  if (built_for != consents) {
    fixture.reset();
    fixture = BuildFixture(consents);
    built_for = consents;
  }
  return *fixture;
}

void BM_Decide(benchmark::State& state, int64_t consents) {
  DecisionFixture& f = FixtureFor(consents);
  if (f.index.Decide(f.requests[0]).outcome != v1::DECISION_OUTCOME_PERMITTED) {
    state.SkipWithError("the bench consent does not permit the request");
    return;
  }
  LatencyHistogram latency;
  size_t i = 0;
  for (auto _ : state) {
    const DecisionRequest& request = f.requests[i++ & (kRequestPool - 1)];
    const auto start = std::chrono::steady_clock::now();
    DecisionResult result = f.index.Decide(request);
    const auto end = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(result);
    latency.Record(
        static_cast<uint64_t>(std::chrono::nanoseconds(end - start).count()));
  }
  state.counters["consents"] = static_cast<double>(f.consents);
  SetLatencyCounters(state, latency);
}

}  // namespace

void SetLatencyCounters(benchmark::State& state, const LatencyHistogram& h) {
  state.counters["p50_ns"] = static_cast<double>(h.Percentile(50));
  state.counters["p90_ns"] = static_cast<double>(h.Percentile(90));
  state.counters["p99_ns"] = static_cast<double>(h.Percentile(99));
  state.counters["max_ns"] = static_cast<double>(h.max());
  state.counters["mean_ns"] = h.mean();
}

void RegisterDecisionBenchmarks(const std::vector<int64_t>& consent_counts) {
  for (int64_t n : consent_counts) {
    benchmark::RegisterBenchmark(absl::StrCat("decide/", n).c_str(), BM_Decide,
                                 n)
        ->Unit(benchmark::kNanosecond);
  }
}

}  // namespace caregate::bench
