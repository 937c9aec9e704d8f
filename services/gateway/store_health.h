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

class StoreHealth {
 public:
  struct Options {
    // A cheap read of the store; runs on the probe thread.
    std::function<absl::Status()> probe;
    std::function<void(bool serving)> set_serving;
    absl::Duration interval = absl::Seconds(1);
  };

  static std::unique_ptr<StoreHealth> Start(Options options);
  ~StoreHealth();
  StoreHealth(const StoreHealth&) = delete;
  StoreHealth& operator=(const StoreHealth&) = delete;

 private:
  explicit StoreHealth(Options options) : options_(std::move(options)) {}
  void Run();

  const Options options_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_GATEWAY_STORE_HEALTH_H_
