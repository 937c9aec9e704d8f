// The workloads of caregate-bench's scenarios (see BENCHMARKS.md):
//   health  grpc.health.v1.Health/Check: the empty-RPC baseline
//   payload the same with a 4200-byte unknown field that gRPC's health
//           service skips: the baseline with a check-sized request
//   check   CheckDisclosure, permitted, 2 sections of 2 KiB
//   send    SendDisclosure, permitted, unique request ids (durable, audited,
//           encrypted, signed by the gateway)
//   mixed   90% check, 9% send, 1% consent churn (record, then revoke)
// and the setup workload that records bench consents through RecordConsent.
//
// Thread-safety: a workload is immutable once made; it hands each slot a
// stub of one of the channels (round robin). The channels must outlive it.
#ifndef CAREGATE_BENCH_LOAD_WORKLOADS_H_
#define CAREGATE_BENCH_LOAD_WORKLOADS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/load/closed_loop.h"
#include "bench/load/load_options.h"
#include "grpcpp/channel.h"

namespace caregate::bench {

struct WorkloadContext {
  std::vector<std::shared_ptr<grpc::Channel>> channels;  // at least one
  absl::Duration call_timeout = absl::Seconds(10);
  int64_t patients = 0;  // bench patients with a consent: [0, patients)
  std::string run_id;    // unique per run
};

std::unique_ptr<Workload> NewScenarioWorkload(Scenario scenario,
                                              const WorkloadContext& context);

// Call n records bench patient n's consent (use with LoopOptions::max_calls).
std::unique_ptr<Workload> NewRecordConsentsWorkload(
    const WorkloadContext& context);

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_LOAD_WORKLOADS_H_
