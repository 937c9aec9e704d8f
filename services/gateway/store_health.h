// Replica health on a shared database (ADR 5, section 8): a thread that
// probes the store every `interval` and reports whether the gateway can
// serve. While the database is unreachable the gateway answers
// grpc.health.v1 NOT_SERVING, so a load balancer sends calls to the
// replicas that can commit them; calls that still arrive get UNAVAILABLE
// from the store.
//
// `set_serving(serving)` runs on the probe thread after the first probe and
// whenever the outcome changes (each change logged once). Only UNAVAILABLE
// counts as unreachable: other errors say nothing about the connection.
// A commit that failed because the store is unavailable
// (ReportUnavailable, through StoreFailureSignal from the ledger) counts as
// a failed probe at once; the next probe, one interval later, may bring
// SERVING back.
//
// Thread-safe. The destructor stops the thread and waits for it; after
// that, `set_serving` is not called again.
#ifndef CAREGATE_SERVICES_GATEWAY_STORE_HEALTH_H_
#define CAREGATE_SERVICES_GATEWAY_STORE_HEALTH_H_

#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace caregate {

class StoreHealth;

// Carries the ledger's "the store is unavailable" (raised on its writer
// thread, which exists before the StoreHealth and may outlive it) to the
// StoreHealth attached at the time, if any.
//
// Thread-safe. Attach(nullptr) waits for a Raise in progress.
class StoreFailureSignal {
 public:
  void Attach(StoreHealth* health) ABSL_LOCKS_EXCLUDED(mu_);
  void Raise() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::Mutex mu_;
  StoreHealth* health_ ABSL_GUARDED_BY(mu_) = nullptr;
};

class StoreHealth {
 public:
  struct Options {
    // A cheap read of the store; runs on the probe thread.
    std::function<absl::Status()> probe;
    std::function<void(bool serving)> set_serving;
    absl::Duration interval = absl::Seconds(1);
    // Attached from Start until destruction, when set (must outlive this).
    StoreFailureSignal* failures = nullptr;
  };

  static std::unique_ptr<StoreHealth> Start(Options options);
  ~StoreHealth();
  StoreHealth(const StoreHealth&) = delete;
  StoreHealth& operator=(const StoreHealth&) = delete;

  // A write found the store unavailable: NOT_SERVING now, without waiting
  // for the probe. Does not block.
  void ReportUnavailable() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  explicit StoreHealth(Options options) : options_(std::move(options)) {}
  void Run();

  const Options options_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_GATEWAY_STORE_HEALTH_H_
