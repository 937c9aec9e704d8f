// The load of one crash cycle: consents recorded up front, then many
// concurrent clients (threads on the sync gRPC API) sending disclosures with
// unique request ids, revoking this cycle's consents and acknowledging the
// clinics' messages until the gateway is killed; after the restart, every
// unanswered call is retried with the same request.
//
// The clients talk to Endpoints: one gateway, or several replicas of one
// database. With several, a call that gets no answer (UNAVAILABLE, a
// deadline) is retried at once, with the same request, on the next replica:
// the callers fail over, as behind a load balancer.
//
// CycleLoad: Start(), then Stop() and Join() from one thread; the
// workers share only the revocable-consent pool (mutex-guarded). Counts and
// time are bounded by LoadOptions.
#ifndef CAREGATE_TESTS_CRASH_CRASH_LOAD_H_
#define CAREGATE_TESTS_CRASH_CRASH_LOAD_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tests/crash/crash_calls.h"
#include "tests/crash/gateway_process.h"

namespace caregate::crash {

// Where the clients connect: `count` gateways serving one state, numbered
// from 0. `channel(i, principal)` returns a new channel to gateway i
// authenticated as `principal`; it must be thread-safe.
struct Endpoints {
  int count = 1;
  std::function<std::shared_ptr<grpc::Channel>(int, const std::string&)>
      channel;
};

// The one gateway of `setup` (which must outlive the result).
Endpoints OneGateway(const DevSetup& setup);

struct LoadOptions {
  int cycle = 0;
  uint64_t seed = 0;
  int senders_per_therapist = 4;
  int max_sends_per_sender = 300;
  int max_ack_rounds = 60;
  absl::Duration call_deadline = absl::Seconds(5);
};

// Records, before the load, each therapist's consents for `patients` to
// every clinic (request ids derived from the patient, so a rerun returns
// the same consent), spread over the endpoints. Returns the consent ids per
// therapist.
absl::StatusOr<std::map<std::string, std::vector<std::string>>> RecordConsents(
    const Endpoints& endpoints, const std::vector<std::string>& patients,
    absl::Duration deadline);

class CycleLoad {
 public:
  // `revocable`: this cycle's consent ids per therapist; each is revoked at
  // most once, at a random moment of the load. Each call goes to the next
  // endpoint in turn and fails over to the others (each tried once) until
  // answered; a worker whose call none answered ends.
  CycleLoad(Endpoints endpoints, LoadOptions options,
            std::map<std::string, std::vector<std::string>> revocable);
  ~CycleLoad();  // Joins.

  void Start();
  // Ends the load (the gateway is gone, or the cycle's time is up): each
  // worker ends after its current call.
  void Stop() { stopped_ = true; }
  // Waits for the workers; returns every call they made.
  CallRecords Join();

 private:
  void Sender(const std::string& therapist, int worker, uint64_t seed,
              CallRecords* out);
  void Acker(const std::string& inbox_principal, uint64_t seed,
             CallRecords* out);
  std::optional<std::string> TakeRevocable(const std::string& therapist);

  const Endpoints endpoints_;
  const LoadOptions options_;
  std::atomic<bool> stopped_ = false;
  absl::Mutex mu_;
  std::map<std::string, std::vector<std::string>> revocable_
      ABSL_GUARDED_BY(mu_);
  std::vector<CallRecords> results_;
  std::vector<std::thread> threads_;
};

// Retries every unanswered call of `calls` (same request, same request_id)
// on fresh channels, up to `max_attempts` each (attempt k on endpoint k mod
// count), one thread per principal. Returns how many calls were retried.
int RetryUnanswered(const Endpoints& endpoints, CallRecords& calls,
                    int max_attempts, absl::Duration deadline);

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_CRASH_LOAD_H_
