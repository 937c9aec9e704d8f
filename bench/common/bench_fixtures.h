// The synthetic data every caregate benchmark uses, against the sample
// directory of `caregatectl dev-init`: therapist dr-rivera of sunrise-therapy
// discloses to dr-okafor of lakeside-obgyn, for TREATMENT_COORDINATION, a
// TREATMENT_SUMMARY and a HOMEWORK_PLAN section of 2 KiB each. Bench patient
// i is "bench-p-<i, 7 digits>" and has one consent covering exactly that.
//
// The ids are the contract between the bulk seeder (caregate-bench-seed),
// which writes consent i straight into the store, and the load generator,
// which records consent i through RecordConsent with request id
// "bench-consent-<i>" (so a re-run, or a seeded store, records nothing twice)
// and then checks and sends for patients drawn from [0, N).
//
// No real data: names and bodies are filler text. Plain functions, no state;
// thread-safe.
#ifndef CAREGATE_BENCH_COMMON_BENCH_FIXTURES_H_
#define CAREGATE_BENCH_COMMON_BENCH_FIXTURES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"
#include "services/policy/consent_record.h"

namespace caregate::bench {

inline constexpr char kBenchPractice[] = "sunrise-therapy";
inline constexpr char kBenchTherapist[] = "dr-rivera";
inline constexpr char kBenchRecipientOrg[] = "lakeside-obgyn";
inline constexpr char kBenchRecipientProvider[] = "dr-okafor";
inline constexpr size_t kBenchSectionBytes = 2048;

// "bench-p-0000042".
std::string BenchPatientId(int64_t index);
// The request id the load generator records consent `index` with.
std::string BenchConsentRequestId(int64_t index);

// A complete, valid written consent of `patient_id` for lakeside-obgyn
// (TREATMENT_SUMMARY, HOMEWORK_PLAN; TREATMENT_COORDINATION), signed an hour
// before `now` and expiring a year after it: what RecordConsent accepts.
v1::Consent BenchConsentProto(const std::string& patient_id, absl::Time now);

// The same consent of bench patient `index` as the gateway stores it once
// recorded by dr-rivera at `now` (valid from `now`), with consent id
// "cns-bench-<index>" and request id BenchConsentRequestId(index).
ConsentRecord BenchConsentRecord(int64_t index, absl::Time now);

// The disclosure the benchmarks check and send: two 2 KiB sections of
// `patient_id` to dr-okafor, which BenchConsentProto permits.
v1::Disclosure BenchDisclosure(const std::string& patient_id);

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_COMMON_BENCH_FIXTURES_H_
