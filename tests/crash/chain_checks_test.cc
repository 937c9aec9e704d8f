#include "tests/crash/chain_checks.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/crash/test_world.h"

namespace caregate::crash {
namespace {

using testing::ConsistentWorld;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::World;

CheckFigures Check(World& w) {
  CheckFigures f;
  CheckChain(w.api, w.store, w.memory, f);
  return f;
}

TEST(ChainChecksTest, ConsistentChainPassesAndIsRemembered) {
  World w = ConsistentWorld();
  const CheckFigures f = Check(w);
  EXPECT_TRUE(f.ok());
  EXPECT_THAT(w.memory.hashes, ElementsAre("hash-1", "hash-2", "hash-3"));
}

TEST(ChainChecksTest, GrowingLogPasses) {
  World w = ConsistentWorld();
  Check(w);
  w.AddEvent(v1::AUDIT_ACTION_AUDIT_ACCESSED, "");
  w.memory.kill_head = {{3, "hash-3"}};
  EXPECT_TRUE(Check(w).ok());
  EXPECT_FALSE(w.memory.kill_head.has_value());
}

TEST(ChainChecksTest, GapFails) {
  World w = ConsistentWorld();
  w.api.events.erase(w.api.events.begin() + 1);
  EXPECT_THAT(Check(w).problems,
              Contains(HasSubstr("event 2 has seq 3 (gap or reorder)")));
}

TEST(ChainChecksTest, BrokenLinkFails) {
  World w = ConsistentWorld();
  w.api.events[2].set_prev_hash("other");
  EXPECT_THAT(Check(w).problems,
              Contains(HasSubstr("seq 3 prev_hash does not link")));
}

TEST(ChainChecksTest, RewrittenEventSinceLastCheckIsFork) {
  World w = ConsistentWorld();
  Check(w);
  w.memory.hashes[1] = "hash-before";
  EXPECT_THAT(Check(w).problems,
              Contains(HasSubstr("fork: seq 2 changed since the last check")));
}

TEST(ChainChecksTest, ShrunkLogFails) {
  World w = ConsistentWorld();
  Check(w);
  w.memory.hashes.push_back("hash-4");
  EXPECT_THAT(Check(w).problems,
              Contains(HasSubstr("log shrank from 4 to 3 events")));
}

TEST(ChainChecksTest, HeadAtKillNotInLogIsFork) {
  World w = ConsistentWorld();
  w.memory.kill_head = {{2, "hash-lost"}};
  EXPECT_THAT(Check(w).problems,
              Contains(HasSubstr("the head at the kill (seq 2) is not part")));
}

TEST(ChainChecksTest, FailedVerificationFails) {
  World w = ConsistentWorld();
  w.api.verify.set_ok(false);
  w.api.verify.set_first_bad_seq(2);
  w.api.verify.set_problem("hash mismatch");
  w.api.verify.set_verified_through_seq(1);
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.failures, 2);
  EXPECT_THAT(f.problems,
              Contains(HasSubstr("first_bad_seq 2: hash mismatch")));
  EXPECT_THAT(f.problems, Contains(HasSubstr("verified through 1 of 3")));
}

TEST(ChainChecksTest, FileDifferentFromApiFails) {
  World w = ConsistentWorld();
  w.store.event_hashes[1].second = "hash-x";
  w.store.checkpoints.clear();
  EXPECT_THAT(Check(w).problems,
              ElementsAre("FAILED file and API differ at seq 2"));
}

TEST(ChainChecksTest, CheckpointOfAnotherLogFails) {
  World w = ConsistentWorld();
  w.store.checkpoints.emplace_back(2, "hash-forked");
  EXPECT_THAT(Check(w).problems,
              ElementsAre("FAILED stored checkpoint at seq 2 is not of this "
                          "log"));
}

}  // namespace
}  // namespace caregate::crash
