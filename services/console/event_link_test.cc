#include "services/console/event_link.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit/test_events.h"

namespace caregate::console {
namespace {

using ::caregate::testing::BuildTestChain;
using ::testing::IsEmpty;

TEST(CheckEventLinkTest, IntactEventAndLinkCheck) {
  const std::vector<AuditEvent> chain = BuildTestChain(5);
  const EventLinkCheck c = CheckEventLink(chain[3], chain[2]);
  EXPECT_TRUE(c.hash_ok);
  EXPECT_TRUE(c.link_ok);
  EXPECT_EQ(c.predecessor_seq, 3);
  EXPECT_EQ(c.predecessor_hash_hex.size(), 64u);
  EXPECT_EQ(c.recomputed_hash_hex.size(), 64u);
  EXPECT_THAT(c.problem, IsEmpty());
}

TEST(CheckEventLinkTest, FirstEventLinksToZeroHash) {
  const std::vector<AuditEvent> chain = BuildTestChain(2);
  const EventLinkCheck c = CheckEventLink(chain[0], std::nullopt);
  EXPECT_TRUE(c.hash_ok);
  EXPECT_TRUE(c.link_ok);
  EXPECT_EQ(c.predecessor_seq, 0);

  AuditEvent odd = chain[0];
  odd.prev_hash[0] = 1;
  odd.hash = ComputeEventHash(odd.prev_hash, odd);
  const EventLinkCheck bad = CheckEventLink(odd, std::nullopt);
  EXPECT_TRUE(bad.hash_ok);
  EXPECT_FALSE(bad.link_ok);
  EXPECT_EQ(bad.problem, "seq 1: prev_hash is not 32 zero bytes");
}

TEST(CheckEventLinkTest, ChangedContentIsAHashMismatch) {
  std::vector<AuditEvent> chain = BuildTestChain(3);
  chain[2].recipient_org_id = "riverside-urology";
  const EventLinkCheck c = CheckEventLink(chain[2], chain[1]);
  EXPECT_FALSE(c.hash_ok);
  EXPECT_TRUE(c.link_ok);
  EXPECT_EQ(c.problem, "seq 3: hash mismatch (event content changed)");
}

TEST(CheckEventLinkTest, RewrittenPredecessorBreaksTheLink) {
  std::vector<AuditEvent> chain = BuildTestChain(3);
  // The predecessor rewritten with a consistent hash of its own.
  chain[1].patient_id = "p-9999";
  chain[1].hash = ComputeEventHash(chain[1].prev_hash, chain[1]);
  const EventLinkCheck c = CheckEventLink(chain[2], chain[1]);
  EXPECT_TRUE(c.hash_ok);
  EXPECT_FALSE(c.link_ok);
  EXPECT_EQ(c.problem, "seq 3: prev_hash does not match hash of seq 2");
}

TEST(CheckEventLinkTest, MissingPredecessor) {
  const std::vector<AuditEvent> chain = BuildTestChain(4);
  EXPECT_EQ(CheckEventLink(chain[3], std::nullopt).problem,
            "seq 3: event missing");
  // A predecessor with the wrong seq is not the predecessor.
  EXPECT_EQ(CheckEventLink(chain[3], chain[1]).problem, "seq 3: event missing");
}

}  // namespace
}  // namespace caregate::console
