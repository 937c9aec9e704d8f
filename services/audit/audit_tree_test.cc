#include "services/audit/audit_tree.h"

#include <vector>

#include "gtest/gtest.h"
#include "services/audit/test_events.h"
#include "services/transparency/merkle.h"
#include "services/transparency/node_source.h"

namespace caregate {
namespace {

std::vector<AuditEvent> Chain(int n) {
  AuditChain chain;
  std::vector<AuditEvent> events;
  for (int i = 0; i < n; ++i) {
    AuditEvent e = testing::MakeTestEvent(i);
    chain.Append(&e);
    events.push_back(e);
  }
  return events;
}

TEST(AuditTreeTest, LeafInputIsTheEventsChainHash) {
  const AuditEvent e = Chain(1)[0];
  EXPECT_EQ(AuditLeafHash(e.hash), tlog::LeafHash(tlog::HashBytes(e.hash)));
}

TEST(AuditTreeTest, RootsMatchATreeOfTheLeafHashesAtEveryRecordedSize) {
  const std::vector<AuditEvent> events = Chain(37);
  AuditTreeVerifier verifier(std::vector<int64_t>{0, 1, 5, 16, 36});
  tlog::MemoryNodeSource reference;
  std::vector<Hash256> expected_roots = {tlog::EmptyRoot()};
  for (const AuditEvent& e : events) {
    ASSERT_TRUE(verifier.Add(e));
    reference.AppendLeaf(AuditLeafHash(e.hash));
    expected_roots.push_back(reference.Root());
  }
  EXPECT_EQ(verifier.size(), 37);
  for (int64_t size : {0, 1, 5, 16, 36, 37}) {
    ASSERT_TRUE(verifier.RootAt(size).has_value()) << size;
    EXPECT_EQ(*verifier.RootAt(size), expected_roots[size]) << size;
  }
  EXPECT_FALSE(verifier.RootAt(20).has_value());  // not asked for
}

TEST(AuditTreeTest, AnEditedEventStopsTheWalkBeforeTheTreeGrows) {
  std::vector<AuditEvent> events = Chain(10);
  events[6].patient_id = "p-9999";  // content changed, stored hash kept
  AuditTreeVerifier verifier(std::vector<int64_t>{8});
  bool ok = true;
  for (const AuditEvent& e : events) {
    ok = verifier.Add(e);
    if (!ok) break;
  }
  EXPECT_FALSE(ok);
  EXPECT_EQ(verifier.result().first_bad_seq, 7);
  EXPECT_EQ(verifier.size(), 6);
  EXPECT_FALSE(verifier.RootAt(8).has_value());
}

}  // namespace
}  // namespace caregate
