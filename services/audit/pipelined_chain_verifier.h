// A ChainVerifier that hashes on a second thread, so that reading the events
// (a store scan on the caller's thread) and hashing them overlap.
//
// The caller feeds events in ascending order with Add(), which copies each
// into a batch; full batches go to a worker thread that runs one
// ChainVerifier over them in order. The result, its problem text and the
// first bad seq are exactly those of one ChainVerifier fed the same events:
// the pipeline changes when the work is done, not what is checked. Every
// event added is verified (SHA-256 of its canonical bytes) before Finish()
// returns, unless an earlier one failed.
//
// It also records the hash of each accepted event whose seq is one of
// `recorded_seqs` (the seqs of the signed checkpoints to compare), as the
// caller would with ChainVerifier::Add's results.
//
// Threading: one thread at a time calls Add and Finish (thread-compatible);
// the object owns one worker thread from construction until Finish() or
// destruction, which joins it. Memory: a few batches of events, reused
// (no allocation per event once the batches' strings have grown).
#ifndef CAREGATE_SERVICES_AUDIT_PIPELINED_CHAIN_VERIFIER_H_
#define CAREGATE_SERVICES_AUDIT_PIPELINED_CHAIN_VERIFIER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "services/audit/audit_chain.h"
#include "services/audit/audit_event.h"

namespace caregate {

class PipelinedChainVerifier {
 public:
  // Events per batch handed to the worker, and batches in flight.
  static constexpr size_t kBatchEvents = 512;
  static constexpr size_t kBatches = 4;

  // Verifies after `chain`'s anchor (a fresh ChainVerifier: from seq 1).
  explicit PipelinedChainVerifier(ChainVerifier chain,
                                  absl::Span<const int64_t> recorded_seqs = {});
  ~PipelinedChainVerifier();  // stops and joins the worker if still running
  PipelinedChainVerifier(const PipelinedChainVerifier&) = delete;
  PipelinedChainVerifier& operator=(const PipelinedChainVerifier&) = delete;

  // Queues a copy of `event`. Returns false once the worker has found a
  // problem (possibly some events after the bad one): the caller may stop
  // feeding. Blocks while every batch is in flight. Not after Finish().
  bool Add(const AuditEvent& event);

  // Waits until every event added has been verified and returns the result
  // (ChainVerifier::result()). Idempotent.
  const VerifyResult& Finish();

  // After Finish(): the hash of event `seq` (one of recorded_seqs) when it was
  // accepted, std::nullopt otherwise.
  std::optional<Hash256> RecordedHash(int64_t seq) const;

 private:
  struct Batch {
    std::vector<AuditEvent> events;  // grows to kBatchEvents, then reused
    size_t size = 0;
  };

  bool HasFreeBatch() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RunWorker();
  void VerifyBatch(const Batch& batch);
  void Submit(Batch* batch);
  void Close();

  // Worker-only until Finish() has joined it.
  ChainVerifier chain_;
  absl::flat_hash_map<int64_t, std::optional<Hash256>> recorded_;

  std::vector<Batch> batches_{kBatches};
  Batch* filling_ = nullptr;  // the caller's thread only
  bool finished_ = false;     // the caller's thread only
  std::atomic<bool> failed_{false};

  absl::Mutex mu_;
  std::deque<Batch*> full_ ABSL_GUARDED_BY(mu_);  // oldest first
  std::vector<Batch*> free_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;

  std::thread worker_;  // last: starts once the members above exist
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_PIPELINED_CHAIN_VERIFIER_H_
