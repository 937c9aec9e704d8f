// The gateway's side of its witnesses (C2SP tlog-witness;
// docs/transparency.md):
//
// CheckLogAgainstWitnesses runs at start, before the ledger signs anything:
// it asks each witness for the latest checkpoint it cosigned for this log,
// rebuilds the Merkle tree from the stored events themselves (checking the
// hash chain as it goes) and refuses the log when it is shorter than a
// witnessed size (truncated) or its tree at that size has another root
// (rewritten, even with every hash recomputed). The stored tree nodes must
// give the same root too, or proofs would be served from a forged tree.
//
// WitnessPublisher runs beside the ledger: on its own thread it sends each
// new durable checkpoint to every witness, with a consistency proof from the
// size that witness last cosigned, and stores the cosignatures it gets in the
// checkpoint's note (through the ledger). A witness that is down is retried
// with the next checkpoint; one that refuses a checkpoint as inconsistent is
// logged as an error (the log's history was altered).
#ifndef CAREGATE_SERVICES_WITNESSING_LOG_WITNESSES_H_
#define CAREGATE_SERVICES_WITNESSING_LOG_WITNESSES_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/ledger/ledger.h"
#include "services/store/store.h"
#include "services/transparency/witness_client.h"

namespace caregate {

// One client per configured witness (url, verifier key), in order.
absl::StatusOr<std::vector<std::unique_ptr<tlog::WitnessClient>>>
ConnectWitnesses(const std::vector<std::pair<std::string, std::string>>&
                     url_and_verifier_key);

// OK when the stored log is consistent with what every reachable witness
// cosigned for `origin`; FAILED_PRECONDITION naming the witness, the size it
// holds and what is wrong otherwise (DATA_LOSS for a broken hash chain).
// A witness that cannot be reached is logged and skipped.
absl::Status CheckLogAgainstWitnesses(
    Store& store, const std::string& origin,
    const std::vector<std::unique_ptr<tlog::WitnessClient>>& witnesses);

class WitnessPublisher {
 public:
  struct Options {
    int min_cosignatures = 1;
    absl::Duration poll_interval = absl::Milliseconds(200);
  };

  // Starts the publishing thread. `store` and `ledger` must outlive it.
  WitnessPublisher(Store* store, Ledger* ledger,
                   std::vector<std::unique_ptr<tlog::WitnessClient>> witnesses,
                   Options options);
  ~WitnessPublisher();  // stops and joins the thread

  // The size of the last checkpoint published to the witnesses, and how
  // many cosigned it (for tests and logs).
  std::pair<int64_t, int> last_published() const;

 private:
  void Loop();
  void Publish(const Checkpoint& checkpoint);
  // Asks witness `i` to cosign; the signature line, or nothing.
  std::optional<std::string> AskWitness(size_t i, const Checkpoint& checkpoint);

  Store* const store_;
  Ledger* const ledger_;
  const std::vector<std::unique_ptr<tlog::WitnessClient>> witnesses_;
  const Options options_;
  // The size each witness last cosigned (-1: not known yet). Publisher
  // thread only.
  std::vector<int64_t> witnessed_size_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t published_size_ ABSL_GUARDED_BY(mu_) = 0;
  int published_cosignatures_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_WITNESSING_LOG_WITNESSES_H_
