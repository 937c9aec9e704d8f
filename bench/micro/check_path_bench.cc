// check_path/<stage>: the stages of one CheckDisclosure after its request is
// parsed, each on its own, so a regression shows per stage (issue 15).
//
//   check_path/validate        ValidateDisclosure of the bench disclosure
//                              (two 2 KiB sections) against the sample
//                              directory of `caregatectl dev-init`
//   check_path/decide          MakeDecisionRequest + ConsentIndex::Decide
//                              with 1k bench consents (one per patient, as
//                              the load generator records them), now read
//                              from the clock as the service does
//   check_path/build_response  DecisionToProto into a fresh
//                              CheckDisclosureResponse, serialized into a
//                              grpc::ByteBuffer as TypedCall does
//   check_path/all             the three in a row, what DisclosureService::
//                              Check runs between parse and Finish
//
// These are the plain functions DisclosureService::Check calls; no server
// runs. Not covered: admission (identity, roles, limits), parsing the
// request bytes, the call's log line, and gRPC/TLS. Requests cycle through
// kRequestPool patients, so the index lookups are not all one hot entry.
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "bench/common/bench_fixtures.h"
#include "bench/micro/micro_benchmarks.h"
#include "caregate/v1/disclosure_service.pb.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/byte_buffer.h"
#include "services/config/gateway_config.h"
#include "services/disclosure/send_command.h"
#include "services/pki/sample_config.h"
#include "services/policy/consent_index.h"
#include "services/validation/disclosure_validation.h"
#include "services/validation/proto_convert.h"

namespace caregate::bench {
namespace {

constexpr int kConsents = 1'000;   // the 1k-consent gateway of bench/run.sh
constexpr int kRequestPool = 256;  // a power of two, <= kConsents

struct CheckPathFixture {
  std::shared_ptr<const GatewayConfig> config;
  ConsentIndex index;
  std::vector<v1::Disclosure> disclosures;     // kRequestPool of them
  std::vector<ValidatedDisclosure> validated;  // the same, validated
  std::vector<DecisionResult> decisions;       // the same, decided
};

std::shared_ptr<const GatewayConfig> SampleConfig() {
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(
          pki::SampleGatewayConfig(pki::DevInitOptions{}), &text)) {
    return nullptr;
  }
  auto loaded = GatewayConfig::FromText(text, "sample", "/tmp");
  return loaded.ok() ? *std::move(loaded) : nullptr;
}

// Built once; nullptr when the sample config does not load or a bench
// disclosure does not validate (the benchmarks then skip with an error).
const CheckPathFixture* Fixture() {
  static const CheckPathFixture* const fixture = []() -> CheckPathFixture* {
    auto f = std::make_unique<CheckPathFixture>();
    f->config = SampleConfig();
    if (f->config == nullptr) return nullptr;
    const absl::Time now = absl::Now();
    for (int64_t p = 0; p < kConsents; ++p) {
      f->index.Upsert(BenchConsentRecord(p, now - absl::Minutes(1)));
    }
    const int64_t stride = kConsents / kRequestPool;
    for (int i = 0; i < kRequestPool; ++i) {
      f->disclosures.push_back(BenchDisclosure(BenchPatientId(i * stride)));
      absl::StatusOr<ValidatedDisclosure> v = ValidateDisclosure(
          f->disclosures.back(), f->config->directory(), f->config->limits());
      if (!v.ok()) return nullptr;
      f->validated.push_back(*std::move(v));
      f->decisions.push_back(f->index.Decide(
          MakeDecisionRequest(kBenchPractice, f->validated.back(), now)));
    }
    return f.release();
  }();
  return fixture;
}

// The fixture, or nullptr after marking `state` as failed.
const CheckPathFixture* FixtureOrSkip(benchmark::State& state) {
  const CheckPathFixture* f = Fixture();
  if (f == nullptr) {
    state.SkipWithError(
        "the sample config does not load or a bench disclosure is invalid");
  } else if (f->decisions[0].outcome != v1::DECISION_OUTCOME_PERMITTED) {
    state.SkipWithError("the bench consent does not permit the disclosure");
    return nullptr;
  }
  return f;
}

// The response bytes, as TypedCall::WriteResponse produces them.
size_t BuildResponse(const DecisionResult& decision) {
  v1::CheckDisclosureResponse response;
  *response.mutable_decision() = DecisionToProto(decision);
  grpc::ByteBuffer reply;
  bool own_buffer = false;
  grpc::SerializationTraits<v1::CheckDisclosureResponse>::Serialize(
      response, &reply, &own_buffer);
  return reply.Length();
}

void BM_Validate(benchmark::State& state) {
  const CheckPathFixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  const Directory& directory = f->config->directory();
  const InputLimits& limits = f->config->limits();
  size_t i = 0;
  for (auto _ : state) {
    absl::StatusOr<ValidatedDisclosure> v = ValidateDisclosure(
        f->disclosures[i++ & (kRequestPool - 1)], directory, limits);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(2 * kBenchSectionBytes));
}

void BM_Decide(benchmark::State& state) {
  const CheckPathFixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  size_t i = 0;
  for (auto _ : state) {
    DecisionResult d = f->index.Decide(MakeDecisionRequest(
        kBenchPractice, f->validated[i++ & (kRequestPool - 1)], absl::Now()));
    benchmark::DoNotOptimize(d);
  }
  state.counters["consents"] = static_cast<double>(f->index.size());
}

void BM_BuildResponse(benchmark::State& state) {
  const CheckPathFixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  size_t i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    bytes = BuildResponse(f->decisions[i++ & (kRequestPool - 1)]);
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["response_bytes"] = static_cast<double>(bytes);
}

void BM_All(benchmark::State& state) {
  const CheckPathFixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  const Directory& directory = f->config->directory();
  const InputLimits& limits = f->config->limits();
  size_t i = 0;
  for (auto _ : state) {
    absl::StatusOr<ValidatedDisclosure> v = ValidateDisclosure(
        f->disclosures[i++ & (kRequestPool - 1)], directory, limits);
    if (!v.ok()) {
      state.SkipWithError("a bench disclosure did not validate");
      break;
    }
    DecisionResult d =
        f->index.Decide(MakeDecisionRequest(kBenchPractice, *v, absl::Now()));
    benchmark::DoNotOptimize(BuildResponse(d));
  }
}

}  // namespace

void RegisterCheckPathBenchmarks() {
  benchmark::RegisterBenchmark("check_path/validate", BM_Validate)
      ->Unit(benchmark::kNanosecond);
  benchmark::RegisterBenchmark("check_path/decide", BM_Decide)
      ->Unit(benchmark::kNanosecond);
  benchmark::RegisterBenchmark("check_path/build_response", BM_BuildResponse)
      ->Unit(benchmark::kNanosecond);
  benchmark::RegisterBenchmark("check_path/all", BM_All)
      ->Unit(benchmark::kNanosecond);
}

}  // namespace caregate::bench
