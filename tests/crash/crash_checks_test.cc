#include "tests/crash/crash_checks.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/crash/test_world.h"

namespace caregate::crash {
namespace {

using ::testing::AllOf;
using testing::ConsistentWorld;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::World;

CheckFigures Check(World& w) {
  return CheckAll(w.calls, w.api, w.store, w.memory);
}

TEST(CrashChecksTest, ConsistentWorldPasses) {
  World w = ConsistentWorld();
  const CheckFigures f = Check(w);
  EXPECT_TRUE(f.ok());
  EXPECT_EQ(f.receipts_checked, 1);
  EXPECT_EQ(f.acks_checked, 1);
  EXPECT_EQ(f.revokes_checked, 1);
  EXPECT_EQ(f.events, 3);
  EXPECT_THAT(f.problems, ElementsAre());
}

TEST(CrashChecksTest, ReceiptWithoutDisclosureRowIsLost) {
  World w = ConsistentWorld();
  w.store.disclosures.clear();
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.lost, 1);
  EXPECT_THAT(f.problems, Contains(AllOf(HasSubstr("LOST receipt dsc-1"),
                                         HasSubstr("no disclosure row"))));
}

TEST(CrashChecksTest, ReceiptWithoutMessageIsLost) {
  World w = ConsistentWorld();
  w.store.messages.clear();
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.lost, 2);      // The receipt and the acknowledgement.
  EXPECT_EQ(f.failures, 1);  // The disclosure row without its message.
  EXPECT_THAT(f.problems, Contains(HasSubstr("no message row")));
}

TEST(CrashChecksTest, DisclosureWithoutMessageFails) {
  World w = ConsistentWorld();
  w.calls.sends.clear();
  w.calls.acks.clear();
  w.store.messages.clear();
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.failures, 1);
  EXPECT_THAT(f.problems,
              ElementsAre("FAILED disclosure dsc-1 has no message msg-1"));
}

TEST(CrashChecksTest, ReceiptWhoseEventIsAnotherIsLost) {
  World w = ConsistentWorld();
  w.calls.sends[0].receipt->set_audit_seq(2);
  w.store.disclosures.begin()->second[0].audit_seq = 2;
  w.store.messages["msg-1"].seq = 2;
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.lost, 1);
  EXPECT_THAT(f.problems,
              Contains(HasSubstr("audit event 2 is not this disclosure's")));
}

TEST(CrashChecksTest, SecondDisclosureEventForOneRequestIsDuplicate) {
  World w = ConsistentWorld();
  v1::AuditEvent& again =
      w.AddEvent(v1::AUDIT_ACTION_DISCLOSURE_REDACTED, "dsc-2");
  again.set_actor_principal_id("dr-rivera");
  again.set_request_id("c1-w0-n0");
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.duplicated, 1);
  EXPECT_THAT(f.problems,
              Contains(HasSubstr("2 PERMITTED/REDACTED audit events")));
}

TEST(CrashChecksTest, DuplicateRowsFoundBySqlAreDuplicates) {
  World w = ConsistentWorld();
  w.store.duplicate_rows.push_back("disclosure dsc-1 has 2 messages");
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.duplicated, 1);
  EXPECT_THAT(f.problems,
              Contains("DUPLICATE disclosure dsc-1 has 2 messages"));
}

TEST(CrashChecksTest, MessageWithoutEventFails) {
  World w = ConsistentWorld();
  w.store.messages_without_event.push_back("message msg-9 (seq 9)");
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.failures, 1);
  EXPECT_THAT(f.problems, Contains("FAILED message msg-9 (seq 9)"));
}

TEST(CrashChecksTest, UnansweredSendFails) {
  World w = ConsistentWorld();
  SendCall& lost = w.calls.sends.emplace_back();
  lost.principal = "dr-novak";
  lost.request_id = "c1-w1-n4";
  lost.attempts = 4;
  lost.code = grpc::StatusCode::UNAVAILABLE;
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.failures, 1);
  EXPECT_THAT(f.problems, Contains(HasSubstr("no answer after 4 attempts")));
}

TEST(CrashChecksTest, DeniedSendThatWasStoredFails) {
  World w = ConsistentWorld();
  SendCall& denied = w.calls.sends[0];
  denied.code = grpc::StatusCode::FAILED_PRECONDITION;
  denied.receipt.reset();
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.failures, 1);
  EXPECT_THAT(f.problems, Contains(HasSubstr("answered DENIED but stored")));
}

TEST(CrashChecksTest, AcknowledgementNotStoredIsLost) {
  World w = ConsistentWorld();
  w.store.messages["msg-1"].state = v1::DELIVERY_STATE_QUEUED;
  w.api.events[1].set_action(v1::AUDIT_ACTION_AUDIT_ACCESSED);
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.lost, 1);
  EXPECT_THAT(f.problems, Contains(HasSubstr("LOST ack core-pelvic-pt-inbox")));
}

TEST(CrashChecksTest, AcknowledgedMessageWithoutEventFails) {
  World w = ConsistentWorld();
  w.calls.acks.clear();
  w.api.events[1].set_action(v1::AUDIT_ACTION_AUDIT_ACCESSED);
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.failures, 1);
  EXPECT_THAT(f.problems,
              Contains(HasSubstr("in state 2 has 0 ack and 0 withheld")));
}

TEST(CrashChecksTest, RevocationNotStoredIsLost) {
  World w = ConsistentWorld();
  w.store.consents_revoked["cns-1"] = false;
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.lost, 1);
  EXPECT_THAT(f.problems, Contains(HasSubstr("LOST revocation")));
}

TEST(CrashChecksTest, ProblemsAreCappedButCounted) {
  World w = ConsistentWorld();
  for (int i = 0; i < 50; ++i) {
    w.store.messages_without_event.push_back("message " + std::to_string(i));
  }
  const CheckFigures f = Check(w);
  EXPECT_EQ(f.failures, 50);
  EXPECT_EQ(f.problems.size(), CheckFigures::kMaxProblems);
}

}  // namespace
}  // namespace caregate::crash
