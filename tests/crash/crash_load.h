// The load of one crash cycle: consents recorded up front, then many
// concurrent clients (threads on the sync gRPC API) sending disclosures with
// unique request ids, revoking this cycle's consents and acknowledging the
// clinics' messages until the gateway is killed; after the restart, every
// unanswered call is retried with the same request.
//
// CycleLoad: Start(), then StopAfterKill() and Join() from one thread; the
// workers share only the revocable-consent pool (mutex-guarded). Counts and
// time are bounded by LoadOptions.
#ifndef CAREGATE_TESTS_CRASH_CRASH_LOAD_H_
#define CAREGATE_TESTS_CRASH_CRASH_LOAD_H_

#include <atomic>
#include <cstdint>
#include <map>
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
// the same consent). Returns the consent ids per therapist.
absl::StatusOr<std::map<std::string, std::vector<std::string>>> RecordConsents(
    const DevSetup& setup, const std::vector<std::string>& patients,
    absl::Duration deadline);

class CycleLoad {
 public:
  // `revocable`: this cycle's consent ids per therapist; each is revoked at
  // most once, at a random moment of the load.
  CycleLoad(const DevSetup& setup, LoadOptions options,
            std::map<std::string, std::vector<std::string>> revocable);
  ~CycleLoad();  // Joins.

  void Start();
  // The gateway is gone: each worker ends after its current call.
  void StopAfterKill() { stopped_ = true; }
  // Waits for the workers; returns every call they made.
  CallRecords Join();

 private:
  void Sender(const std::string& therapist, int worker, uint64_t seed,
              CallRecords* out);
  void Acker(const std::string& inbox_principal, uint64_t seed,
             CallRecords* out);
  std::optional<std::string> TakeRevocable(const std::string& therapist);

  const DevSetup& setup_;
  const LoadOptions options_;
  std::atomic<bool> stopped_ = false;
  absl::Mutex mu_;
  std::map<std::string, std::vector<std::string>> revocable_
      ABSL_GUARDED_BY(mu_);
  std::vector<CallRecords> results_;
  std::vector<std::thread> threads_;
};

// Retries every unanswered call of `calls` (same request, same request_id)
// on fresh channels, up to `max_attempts` each, one thread per principal.
// Returns how many calls were retried.
int RetryUnanswered(const DevSetup& setup, CallRecords& calls, int max_attempts,
                    absl::Duration deadline);

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_CRASH_LOAD_H_
