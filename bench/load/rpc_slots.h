// The call slots of caregate-bench's workloads: each starts one kind of
// asynchronous gRPC call (callback API, `stub->async()->Method(...)`) on a
// fresh ClientContext with a deadline, and reports the outcome to its
// CallSink.
//
// Thread-safety: a slot has at most one call in flight (closed_loop.h); its
// members are touched by that call only. The stubs are borrowed and must
// outlive the slot. Reporting to the sink is the last thing a completion
// does, because the sink may start the slot's next call at once.
#ifndef CAREGATE_BENCH_LOAD_RPC_SLOTS_H_
#define CAREGATE_BENCH_LOAD_RPC_SLOTS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "bench/load/closed_loop.h"
#include "caregate/v1/consent_service.grpc.pb.h"
#include "caregate/v1/disclosure_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"

namespace caregate::bench {

// What every slot knows.
struct SlotSetup {
  int index = 0;
  CallSink* sink = nullptr;
  int op = 0;  // reported in CallResult::op
  absl::Duration timeout = absl::Seconds(10);
  std::string run_id;    // unique per run: makes request ids unique
  int64_t patients = 0;  // bench patients with a consent: [0, patients)
};

// A small, fast, per-slot random source (SplitMix64).
class SlotRandom {
 public:
  explicit SlotRandom(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, bound); 0 when bound is 0.
  uint64_t Below(uint64_t bound) { return bound == 0 ? 0 : Next() % bound; }

 private:
  uint64_t state_;
};

class RpcSlot : public Workload::Slot {
 protected:
  explicit RpcSlot(SlotSetup setup);
  // A fresh context (the previous call's is destroyed) with the deadline.
  grpc::ClientContext* NewContext();
  // Reports the call; must be the completion's last statement.
  void Report(const grpc::Status& status, bool unexpected, int op);
  void Report(const grpc::Status& status, bool unexpected) {
    Report(status, unexpected, setup_.op);
  }

  const SlotSetup setup_;
  SlotRandom random_;

 private:
  std::unique_ptr<grpc::ClientContext> context_;
};

// grpc.health.v1.Health/Check of the whole server; expects SERVING.
// With `payload_bytes` > 0 the request also carries an unknown field (number
// 1000) of that many bytes, which gRPC's health service skips: an empty RPC
// with a check-sized request that runs no caregate code.
class HealthSlot final : public RpcSlot {
 public:
  HealthSlot(SlotSetup setup, grpc::health::v1::Health::Stub* stub,
             size_t payload_bytes = 0);
  void Start(int64_t call_number) override;

 private:
  grpc::health::v1::Health::Stub* const stub_;
  grpc::health::v1::HealthCheckRequest request_;
  grpc::health::v1::HealthCheckResponse response_;
};

// CheckDisclosure of BenchDisclosure for a random bench patient; expects
// PERMITTED.
class CheckSlot final : public RpcSlot {
 public:
  CheckSlot(SlotSetup setup, v1::DisclosureService::Stub* stub);
  void Start(int64_t call_number) override;

 private:
  v1::DisclosureService::Stub* const stub_;
  v1::CheckDisclosureRequest request_;
  v1::CheckDisclosureResponse response_;
};

// SendDisclosure of BenchDisclosure for a random bench patient with a unique
// request id; expects a PERMITTED receipt.
class SendSlot final : public RpcSlot {
 public:
  SendSlot(SlotSetup setup, v1::DisclosureService::Stub* stub);
  void Start(int64_t call_number) override;

 private:
  v1::DisclosureService::Stub* const stub_;
  v1::SendDisclosureRequest request_;
  v1::SendDisclosureResponse response_;
};

// RecordConsent of bench patient `call_number`'s consent with its bench
// request id (so it is recorded once however often it runs).
class RecordBenchConsentSlot final : public RpcSlot {
 public:
  RecordBenchConsentSlot(SlotSetup setup, v1::ConsentService::Stub* stub)
      : RpcSlot(std::move(setup)), stub_(stub) {}
  void Start(int64_t call_number) override;

 private:
  v1::ConsentService::Stub* const stub_;
  v1::RecordConsentRequest request_;
  v1::Consent response_;
};

// Consent churn: records a consent of a fresh patient (op `setup.op`), and
// on its next call revokes it (op `setup.op + 1`), and so on.
class ChurnSlot final : public RpcSlot {
 public:
  ChurnSlot(SlotSetup setup, v1::ConsentService::Stub* stub)
      : RpcSlot(std::move(setup)), stub_(stub) {}
  void Start(int64_t call_number) override;

 private:
  void Record(int64_t call_number);
  void Revoke();

  v1::ConsentService::Stub* const stub_;
  v1::RecordConsentRequest record_;
  v1::RevokeConsentRequest revoke_;
  v1::Consent response_;
  std::string pending_revoke_;  // recorded, not yet revoked
};

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_LOAD_RPC_SLOTS_H_
