#include "services/delivery/message_notifier.h"

#include <limits>

#include "gtest/gtest.h"

namespace caregate {
namespace {

TEST(InProcessNotifierTest, WakesOnlyTheOrganizationsListeners) {
  InProcessNotifier notifier(7);
  EXPECT_EQ(notifier.visible_seq(), 7);
  int lakeside = 0, riverside = 0;
  const int64_t a = notifier.Subscribe("lakeside-obgyn", [&] { ++lakeside; });
  notifier.Subscribe("riverside-urology", [&] { ++riverside; });
  notifier.Published("lakeside-obgyn", 9);
  EXPECT_EQ(lakeside, 1);
  EXPECT_EQ(riverside, 0);
  EXPECT_EQ(notifier.visible_seq(), 9);
  notifier.Unsubscribe(a);
  notifier.Published("lakeside-obgyn", 12);
  EXPECT_EQ(lakeside, 1);
  EXPECT_EQ(notifier.visible_seq(), 12);
}

TEST(InProcessNotifierTest, VisibleSeqNeverGoesBack) {
  InProcessNotifier notifier;
  notifier.Published("lakeside-obgyn", 5);
  notifier.Published("lakeside-obgyn", 3);
  EXPECT_EQ(notifier.visible_seq(), 5);
}

TEST(InProcessNotifierTest, WakeWakesOneOrganizationWakeAllEveryone) {
  InProcessNotifier notifier(std::numeric_limits<int64_t>::max());
  int lakeside = 0, riverside = 0;
  notifier.Subscribe("lakeside-obgyn", [&] { ++lakeside; });
  const int64_t r =
      notifier.Subscribe("riverside-urology", [&] { ++riverside; });
  notifier.WakeAll();
  EXPECT_EQ(lakeside, 1);
  EXPECT_EQ(riverside, 1);
  notifier.Wake("riverside-urology");
  EXPECT_EQ(lakeside, 1);
  EXPECT_EQ(riverside, 2);
  notifier.Unsubscribe(r);
  notifier.WakeAll();
  EXPECT_EQ(lakeside, 2);
  EXPECT_EQ(riverside, 2);
  // Unbounded (a store whose commits are durable) stays unbounded.
  notifier.Published("lakeside-obgyn", 12);
  EXPECT_EQ(notifier.visible_seq(), std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace caregate
