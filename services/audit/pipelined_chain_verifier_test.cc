#include "services/audit/pipelined_chain_verifier.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/test_events.h"

namespace caregate {
namespace {

using ::caregate::testing::BuildTestChain;
using ::testing::Optional;

constexpr int kBatch = static_cast<int>(PipelinedChainVerifier::kBatchEvents);
// More events than the batches in flight hold, so batches are reused.
constexpr int kEvents =
    kBatch * static_cast<int>(PipelinedChainVerifier::kBatches) * 3 + 17;

VerifyResult Serial(const std::vector<AuditEvent>& events,
                    ChainVerifier verifier = ChainVerifier()) {
  for (const AuditEvent& e : events) {
    if (!verifier.Add(e)) break;
  }
  return verifier.result();
}

VerifyResult Pipelined(const std::vector<AuditEvent>& events,
                       ChainVerifier verifier = ChainVerifier()) {
  PipelinedChainVerifier pipeline(verifier);
  for (const AuditEvent& e : events) {
    if (!pipeline.Add(e)) break;
  }
  return pipeline.Finish();
}

void ExpectSameResult(const std::vector<AuditEvent>& events) {
  const VerifyResult serial = Serial(events);
  const VerifyResult pipelined = Pipelined(events);
  EXPECT_EQ(pipelined.ok, serial.ok);
  EXPECT_EQ(pipelined.verified_through_seq, serial.verified_through_seq);
  EXPECT_EQ(pipelined.first_bad_seq, serial.first_bad_seq);
  EXPECT_EQ(pipelined.problem, serial.problem);
}

TEST(PipelinedChainVerifierTest, AcceptsAnIntactChain) {
  const VerifyResult r = Pipelined(BuildTestChain(kEvents));
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.verified_through_seq, kEvents);
}

TEST(PipelinedChainVerifierTest, EmptyInputVerifiesNothing) {
  PipelinedChainVerifier pipeline{ChainVerifier()};
  const VerifyResult& r = pipeline.Finish();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.verified_through_seq, 0);
}

// Each tamper kind at the start, inside a batch, at a batch's last and next
// event, and next to the end: the same report as one ChainVerifier.
TEST(PipelinedChainVerifierTest, ReportsWhatChainVerifierReports) {
  const std::vector<std::function<void(std::vector<AuditEvent>&, int)>>
      tampers = {
          [](auto& ev, int i) { ev[i].detail = "GetMessage"; },
          [](auto& ev, int i) { ev[i].consent_ids.push_back("cns-extra"); },
          [](auto& ev, int i) { ev[i].prev_hash[0] ^= 1; },
          [](auto& ev, int i) { ev.erase(ev.begin() + i); },
          [](auto& ev, int i) { std::swap(ev[i], ev[i + 1]); },
      };
  for (int at : {0, 5, kBatch - 1, kBatch, kBatch + 1, kEvents - 2}) {
    for (size_t t = 0; t < tampers.size(); ++t) {
      SCOPED_TRACE(::testing::Message() << "tamper " << t << " at " << at);
      std::vector<AuditEvent> events = BuildTestChain(kEvents);
      tampers[t](events, at);
      ExpectSameResult(events);
      EXPECT_FALSE(Pipelined(events).ok);
    }
  }
}

TEST(PipelinedChainVerifierTest, ContinuesFromAnAnchor) {
  const std::vector<AuditEvent> all = BuildTestChain(kEvents);
  const std::vector<AuditEvent> tail(all.begin() + 100, all.end());
  const VerifyResult r =
      Pipelined(tail, ChainVerifier(all[99].seq, all[99].hash));
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.verified_through_seq, kEvents);
  Hash256 wrong = all[99].hash;
  wrong[31] ^= 1;
  const VerifyResult bad = Pipelined(tail, ChainVerifier(100, wrong));
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.problem, "seq 101: prev_hash does not match hash of seq 100");
}

TEST(PipelinedChainVerifierTest, RecordsTheHashesOfAcceptedEventsOnly) {
  std::vector<AuditEvent> events = BuildTestChain(kEvents);
  events[kBatch + 10].detail = "changed";  // seq kBatch + 11 is bad
  const std::vector<int64_t> seqs = {1, kBatch, kBatch + 11, kEvents};
  PipelinedChainVerifier pipeline(ChainVerifier(), seqs);
  for (const AuditEvent& e : events) {
    if (!pipeline.Add(e)) break;
  }
  EXPECT_FALSE(pipeline.Finish().ok);
  EXPECT_THAT(pipeline.RecordedHash(1), Optional(events[0].hash));
  EXPECT_THAT(pipeline.RecordedHash(kBatch), Optional(events[kBatch - 1].hash));
  EXPECT_EQ(pipeline.RecordedHash(kBatch + 11), std::nullopt);
  EXPECT_EQ(pipeline.RecordedHash(kEvents), std::nullopt);
  EXPECT_EQ(pipeline.RecordedHash(2), std::nullopt);  // not asked for
}

TEST(PipelinedChainVerifierTest, AddTurnsFalseAfterAProblem) {
  std::vector<AuditEvent> events = BuildTestChain(kEvents);
  events[3].detail = "changed";
  PipelinedChainVerifier pipeline{ChainVerifier()};
  int added = 0;
  for (const AuditEvent& e : events) {
    ++added;
    if (!pipeline.Add(e)) break;
  }
  // The reader learns of the problem within the batches in flight.
  EXPECT_LT(added, kEvents);
  EXPECT_EQ(pipeline.Finish().first_bad_seq, 4);
}

TEST(PipelinedChainVerifierTest, DestroyingWithoutFinishJoins) {
  const std::vector<AuditEvent> events = BuildTestChain(kBatch * 2 + 3);
  PipelinedChainVerifier pipeline{ChainVerifier()};
  for (const AuditEvent& e : events) pipeline.Add(e);
}

}  // namespace
}  // namespace caregate
