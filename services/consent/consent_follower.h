// Follows the consent changes other replicas commit (ADR 5), so that what a
// replica answers from its in-memory ConsentIndex without a transaction
// (CheckDisclosure) is at most about one `interval` behind the database.
// GetConsent and ListConsents read the store and are never behind. Sends and
// revocations do not rely on it: they check the patient's consent revision
// inside their own transaction (consent_refresh.h).
//
// A thread polls Store::ListConsentRevisionsAfter from a cursor (at first the
// audit head read before the index was loaded, so no change committed after
// the load is missed: a revision is the seq of the event that made it). The
// patients whose revision is above the index's are refreshed by one ledger
// command, on the writer thread like every other change of the index, so a
// refresh never races a send's. Only on a shared store (PostgreSQL); on
// SQLite the list is always empty.
//
// Thread-safe. The destructor stops the thread and waits for it. Errors (an
// unreachable database) are logged without patient data and retried at the
// next interval; the cursor only moves past what was refreshed.
#ifndef CAREGATE_SERVICES_CONSENT_CONSENT_FOLLOWER_H_
#define CAREGATE_SERVICES_CONSENT_CONSENT_FOLLOWER_H_

#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/ledger/ledger.h"
#include "services/policy/consent_index.h"
#include "services/store/store.h"

namespace caregate {

class ConsentFollower {
 public:
  struct Options {
    absl::Duration interval = absl::Milliseconds(100);
    int batch = 1000;  // patients read per poll
  };

  // Starts following changes with a revision above `after`. Every pointer
  // must outlive the follower.
  ConsentFollower(Store* store, Ledger* ledger, ConsentIndex* index,
                  int64_t after, Options options);
  ~ConsentFollower();
  ConsentFollower(const ConsentFollower&) = delete;
  ConsentFollower& operator=(const ConsentFollower&) = delete;

  // One poll: refreshes the patients changed since the cursor (all of them,
  // a batch at a time), then moves the cursor. The thread calls it every
  // interval; tests may call it directly.
  absl::Status FollowOnce() ABSL_LOCKS_EXCLUDED(poll_mu_);

 private:
  void Loop();
  // Refreshes `changed` through one ledger command and waits for it.
  absl::Status Refresh(std::vector<PatientRevision> changed);
  // The revision followed so far.
  int64_t followed() const ABSL_LOCKS_EXCLUDED(mu_);

  Store* const store_;
  Ledger* const ledger_;
  ConsentIndex* const index_;
  const Options options_;

  absl::Mutex poll_mu_;  // one FollowOnce at a time
  mutable absl::Mutex mu_;
  int64_t cursor_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CONSENT_CONSENT_FOLLOWER_H_
