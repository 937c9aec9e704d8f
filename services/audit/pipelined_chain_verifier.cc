#include "services/audit/pipelined_chain_verifier.h"

#include <utility>

#include "services/common/thread_name.h"

namespace caregate {

PipelinedChainVerifier::PipelinedChainVerifier(
    ChainVerifier chain, absl::Span<const int64_t> recorded_seqs)
    : chain_(std::move(chain)) {
  for (int64_t seq : recorded_seqs) recorded_[seq] = std::nullopt;
  for (Batch& batch : batches_) free_.push_back(&batch);
  worker_ = std::thread([this] {
    SetCurrentThreadName("chain-verifier");
    RunWorker();
  });
}

PipelinedChainVerifier::~PipelinedChainVerifier() {
  failed_.store(true, std::memory_order_relaxed);  // skip the rest
  Close();
}

bool PipelinedChainVerifier::Add(const AuditEvent& event) {
  if (failed_.load(std::memory_order_relaxed)) return false;
  if (filling_ == nullptr) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &PipelinedChainVerifier::HasFreeBatch));
    filling_ = free_.back();
    free_.pop_back();
  }
  Batch& batch = *filling_;
  if (batch.size == batch.events.size()) {
    batch.events.push_back(event);
  } else {
    batch.events[batch.size] = event;  // reuses the strings' capacity
  }
  if (++batch.size == kBatchEvents) Submit(filling_);
  return !failed_.load(std::memory_order_relaxed);
}

const VerifyResult& PipelinedChainVerifier::Finish() {
  if (!finished_) {
    if (filling_ != nullptr && filling_->size > 0) Submit(filling_);
    Close();
    finished_ = true;
  }
  return chain_.result();
}

std::optional<Hash256> PipelinedChainVerifier::RecordedHash(int64_t seq) const {
  auto it = recorded_.find(seq);
  return it == recorded_.end() ? std::nullopt : it->second;
}

bool PipelinedChainVerifier::HasFreeBatch() const { return !free_.empty(); }

bool PipelinedChainVerifier::HasWork() const {
  return !full_.empty() || closed_;
}

void PipelinedChainVerifier::Submit(Batch* batch) {
  filling_ = nullptr;
  absl::MutexLock lock(&mu_);
  full_.push_back(batch);
}

void PipelinedChainVerifier::Close() {
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  if (worker_.joinable()) worker_.join();
}

void PipelinedChainVerifier::RunWorker() {
  while (true) {
    Batch* batch = nullptr;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &PipelinedChainVerifier::HasWork));
      if (full_.empty()) return;  // closed and drained
      batch = full_.front();
      full_.pop_front();
    }
    if (!failed_.load(std::memory_order_relaxed)) VerifyBatch(*batch);
    batch->size = 0;
    absl::MutexLock lock(&mu_);
    free_.push_back(batch);
  }
}

void PipelinedChainVerifier::VerifyBatch(const Batch& batch) {
  for (size_t i = 0; i < batch.size; ++i) {
    const AuditEvent& event = batch.events[i];
    if (!chain_.Add(event)) {
      failed_.store(true, std::memory_order_relaxed);
      return;
    }
    if (recorded_.empty()) continue;
    auto it = recorded_.find(event.seq);
    if (it != recorded_.end()) it->second = event.hash;
  }
}

}  // namespace caregate
