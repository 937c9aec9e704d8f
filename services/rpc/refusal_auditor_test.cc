#include "services/rpc/refusal_auditor.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class RefusalAuditorTest : public ::testing::Test {
 protected:
  RefusalAuditorTest()
      : clock_(absl::FromUnixSeconds(1800000000)),
        auditor_(absl::Seconds(10), &clock_,
                 [this](AuditEvent e) { events_.push_back(std::move(e)); },
                 /*start_thread=*/false) {}

  static RefusalKey Key(std::string subject) {
    return {"lakeside-obgyn-inbox", "/caregate.v1.InboxService/GetMessage",
            absl::StatusCode::kNotFound, std::move(subject)};
  }
  std::vector<std::string> Details() const {
    std::vector<std::string> out;
    for (const AuditEvent& e : events_) out.push_back(e.detail);
    return out;
  }

  const PrincipalInfo clinic_{"lakeside-obgyn-inbox", v1::ROLE_CLINIC,
                              "lakeside-obgyn", false};
  FakeClock clock_;
  std::vector<AuditEvent> events_;
  RefusalAuditor auditor_;
};

TEST_F(RefusalAuditorTest, FirstRefusalIsAuditedAtOnce) {
  auditor_.Record(clinic_, Key("msg-1"));
  ASSERT_THAT(events_, SizeIs(1));
  const AuditEvent& e = events_[0];
  EXPECT_EQ(e.action, v1::AUDIT_ACTION_ACCESS_DENIED);
  EXPECT_EQ(e.actor_principal_id, "lakeside-obgyn-inbox");
  EXPECT_EQ(e.actor_role, v1::ROLE_CLINIC);
  EXPECT_EQ(e.actor_org_id, "lakeside-obgyn");
  EXPECT_EQ(e.subject_id, "msg-1");
  EXPECT_EQ(e.detail, "/caregate.v1.InboxService/GetMessage NOT_FOUND");
}

TEST_F(RefusalAuditorTest, RepeatsInAWindowBecomeOneEventWithTheirCount) {
  for (int i = 0; i < 500; ++i) auditor_.Record(clinic_, Key("msg-1"));
  EXPECT_THAT(events_, SizeIs(1));
  clock_.Advance(absl::Seconds(9));
  auditor_.CloseExpiredWindows();
  EXPECT_THAT(events_, SizeIs(1));
  clock_.Advance(absl::Seconds(1));
  auditor_.CloseExpiredWindows();
  EXPECT_THAT(Details(),
              ElementsAre("/caregate.v1.InboxService/GetMessage NOT_FOUND",
                          "/caregate.v1.InboxService/GetMessage NOT_FOUND "
                          "x499 more within 10s"));
  // A new window starts with an event of its own.
  auditor_.Record(clinic_, Key("msg-1"));
  EXPECT_THAT(events_, SizeIs(3));
}

TEST_F(RefusalAuditorTest, DifferentSubjectsAreDifferentKinds) {
  auditor_.Record(clinic_, Key("msg-1"));
  auditor_.Record(clinic_, Key("msg-2"));
  auditor_.Record(clinic_, Key("msg-1"));
  ASSERT_THAT(events_, SizeIs(2));
  EXPECT_EQ(events_[1].subject_id, "msg-2");
}

TEST_F(RefusalAuditorTest, FlushAuditsPendingRepeats) {
  auditor_.Record(clinic_, Key("msg-1"));
  auditor_.Record(clinic_, Key("msg-1"));
  auditor_.Record(clinic_, Key("msg-1"));
  auditor_.Flush();
  EXPECT_THAT(Details(),
              ElementsAre("/caregate.v1.InboxService/GetMessage NOT_FOUND",
                          "/caregate.v1.InboxService/GetMessage NOT_FOUND "
                          "x2 more within 10s"));
  auditor_.Flush();
  EXPECT_THAT(events_, SizeIs(2));
}

TEST_F(RefusalAuditorTest, AWindowClosedLateIsAuditedBeforeTheNextOne) {
  auditor_.Record(clinic_, Key("msg-1"));
  auditor_.Record(clinic_, Key("msg-1"));
  clock_.Advance(absl::Seconds(30));
  auditor_.Record(clinic_, Key("msg-1"));
  EXPECT_THAT(Details(),
              ElementsAre("/caregate.v1.InboxService/GetMessage NOT_FOUND",
                          "/caregate.v1.InboxService/GetMessage NOT_FOUND "
                          "x1 more within 10s",
                          "/caregate.v1.InboxService/GetMessage NOT_FOUND"));
}

TEST(RefusalAuditorThreadTest, NothingPendingMeansNothingAudited) {
  std::vector<AuditEvent> events;
  {
    RefusalAuditor auditor(absl::Milliseconds(40), RealClock::Get(),
                           [&](AuditEvent e) { events.push_back(e); });
  }
  EXPECT_THAT(events, IsEmpty());
}

}  // namespace
}  // namespace caregate
