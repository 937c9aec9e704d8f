#include "services/inbox/acknowledge_command.h"

#include <memory>
#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/inbox/inbox_test_support.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::InboxFixture;
using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class AcknowledgeCommandTest : public InboxFixture {
 protected:
  // Acknowledges `message_id` as `actor`, reading the disclosure first as
  // the service does.
  absl::StatusOr<absl::Time> Acknowledge(const std::string& message_id,
                                         const PrincipalInfo& actor) {
    std::optional<DisclosureRow> disclosure;
    auto message = store_->GetMessage(message_id);
    if (!message.ok()) return message.status();
    if (message->has_value()) {
      auto row = store_->GetDisclosure((*message)->disclosure_id);
      if (!row.ok()) return row.status();
      disclosure = *row;
    }
    auto result = std::make_shared<absl::StatusOr<absl::Time>>(
        absl::InternalError("not run"));
    absl::Status ran =
        Run(AcknowledgeMessageCommand(message_id, actor, disclosure, result));
    if (!ran.ok()) return ran;
    return *result;
  }

  MessageRow StoredMessage(const std::string& message_id) {
    auto row = store_->GetMessage(message_id);
    EXPECT_THAT(row, IsOk());
    EXPECT_TRUE(row.ok() && row->has_value());
    return row.ok() && row->has_value() ? **row : MessageRow{};
  }
};

TEST_F(AcknowledgeCommandTest, QueuedMessageIsAcknowledgedAndAudited) {
  AddMessage(1, kClinicOrg, 10);
  const absl::Time expected =
      absl::FromUnixMicros(absl::ToUnixMicros(clock_.Now()));

  absl::StatusOr<absl::Time> at = Acknowledge("msg-1", Clinic(kClinicOrg));

  CG_ASSERT_OK(at);
  EXPECT_EQ(*at, expected);
  MessageRow row = StoredMessage("msg-1");
  EXPECT_EQ(row.state, v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_THAT(row.acknowledged_at, Eq(std::optional<absl::Time>(expected)));
  std::vector<AuditEvent> events =
      EventsOf(v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED);
  ASSERT_THAT(events, SizeIs(1));
  const AuditEvent& event = events[0];
  EXPECT_EQ(event.actor_principal_id, "lakeside-obgyn-inbox");
  EXPECT_EQ(event.actor_role, v1::ROLE_CLINIC);
  EXPECT_EQ(event.actor_org_id, kClinicOrg);
  EXPECT_EQ(event.recipient_org_id, kClinicOrg);
  EXPECT_EQ(event.subject_id, "msg-1");
  EXPECT_THAT(event.consent_ids, ElementsAre("cns-1"));
  EXPECT_EQ(event.patient_id, "patient-7");
  EXPECT_EQ(event.practice_org_id, "sunrise-therapy");
  EXPECT_EQ(event.purpose, v1::PURPOSE_REFERRAL);
  EXPECT_EQ(event.time, expected);
}

TEST_F(AcknowledgeCommandTest, SecondAcknowledgementReturnsFirstTime) {
  AddMessage(1, kClinicOrg, 10);
  absl::StatusOr<absl::Time> first = Acknowledge("msg-1", Clinic(kClinicOrg));
  CG_ASSERT_OK(first);
  const int64_t head_after_first = ledger_->committed_head().seq;
  clock_.Advance(absl::Minutes(5));

  absl::StatusOr<absl::Time> second = Acknowledge("msg-1", Clinic(kClinicOrg));

  CG_ASSERT_OK(second);
  EXPECT_EQ(*second, *first);
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED), SizeIs(1));
  EXPECT_EQ(ledger_->committed_head().seq, head_after_first);
  EXPECT_EQ(StoredMessage("msg-1").acknowledged_at,
            std::optional<absl::Time>(*first));
}

// The service refuses and audits other organizations' ids before it submits
// (CallAdmission::RefuseId); the command only makes sure nothing changes.
TEST_F(AcknowledgeCommandTest, OtherOrganizationGetsNotFoundAndNothingChanges) {
  AddMessage(1, kClinicOrg, 10);
  const int64_t head = ledger_->committed_head().seq;

  absl::StatusOr<absl::Time> at = Acknowledge("msg-1", Clinic(kOtherClinicOrg));

  EXPECT_THAT(at, StatusIs(absl::StatusCode::kNotFound,
                           Eq("message_id: no message msg-1")));
  EXPECT_EQ(StoredMessage("msg-1").state, v1::DELIVERY_STATE_QUEUED);
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED), IsEmpty());
  EXPECT_EQ(ledger_->committed_head().seq, head);
}

TEST_F(AcknowledgeCommandTest, UnknownMessageIsNotFoundWithoutAudit) {
  AddMessage(1, kClinicOrg, 10);
  const int64_t head = ledger_->committed_head().seq;

  absl::StatusOr<absl::Time> at = Acknowledge("msg-404", Clinic(kClinicOrg));

  EXPECT_THAT(at, StatusIs(absl::StatusCode::kNotFound,
                           Eq("message_id: no message msg-404")));
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_ACCESS_DENIED), IsEmpty());
  EXPECT_EQ(ledger_->committed_head().seq, head);
}

TEST_F(AcknowledgeCommandTest, WithheldMessageIsFailedPrecondition) {
  AddMessage(1, kClinicOrg, 10);
  CG_ASSERT_OK(Run([](LedgerTxn& txn) -> absl::Status {
    return txn.store().WithholdPendingMessages("cns-1").status();
  }));
  const int64_t head = ledger_->committed_head().seq;

  absl::StatusOr<absl::Time> at = Acknowledge("msg-1", Clinic(kClinicOrg));

  EXPECT_THAT(at, StatusIs(absl::StatusCode::kFailedPrecondition,
                           Eq("message_id: message was withheld after its "
                              "consent was revoked")));
  EXPECT_EQ(StoredMessage("msg-1").state,
            v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION);
  EXPECT_EQ(ledger_->committed_head().seq, head);
}

TEST_F(AcknowledgeCommandTest, WithheldMessageOfOtherOrganizationIsNotFound) {
  AddMessage(1, kClinicOrg, 10);
  CG_ASSERT_OK(Run([](LedgerTxn& txn) -> absl::Status {
    return txn.store().WithholdPendingMessages("cns-1").status();
  }));

  absl::StatusOr<absl::Time> at = Acknowledge("msg-1", Clinic(kOtherClinicOrg));

  EXPECT_THAT(at, StatusIs(absl::StatusCode::kNotFound,
                           Eq("message_id: no message msg-1")));
}

TEST_F(AcknowledgeCommandTest, MismatchedDisclosureIsNotUsedForTheEvent) {
  AddMessage(1, kClinicOrg, 10);
  DisclosureRow wrong = MakeDisclosure("dsc-other", "msg-other", kClinicOrg);
  wrong.patient_id = "patient-other";
  auto result = std::make_shared<absl::StatusOr<absl::Time>>(
      absl::InternalError("not run"));

  CG_ASSERT_OK(Run(
      AcknowledgeMessageCommand("msg-1", Clinic(kClinicOrg), wrong, result)));

  CG_ASSERT_OK(*result);
  std::vector<AuditEvent> events =
      EventsOf(v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].patient_id, "");
  EXPECT_EQ(events[0].subject_id, "msg-1");
}

TEST_F(AcknowledgeCommandTest, PushedMessageIsAcknowledgedThroughTheInbox) {
  AddMessage(1, kClinicOrg, 10);
  CG_ASSERT_OK(Run([](LedgerTxn& txn) -> absl::Status {
    MessageRow row = txn.store().FindMessage("msg-1")->value();
    row.state = v1::DELIVERY_STATE_DELIVERED;
    row.delivery_attempts = 1;
    row.delivered_at = txn.now();
    return txn.store().UpdateMessageDelivery(row);
  }));

  CG_ASSERT_OK(Acknowledge("msg-1", Clinic(kClinicOrg)));

  MessageRow row = StoredMessage("msg-1");
  EXPECT_EQ(row.state, v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_TRUE(row.delivered_at.has_value());
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED), SizeIs(1));
}

TEST_F(AcknowledgeCommandTest, FailedPushIsFailedPrecondition) {
  AddMessage(1, kClinicOrg, 10);
  CG_ASSERT_OK(Run([](LedgerTxn& txn) -> absl::Status {
    MessageRow row = txn.store().FindMessage("msg-1")->value();
    row.state = v1::DELIVERY_STATE_FAILED;
    return txn.store().UpdateMessageDelivery(row);
  }));

  EXPECT_THAT(Acknowledge("msg-1", Clinic(kClinicOrg)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       Eq("message_id: push delivery of the message failed")));
  EXPECT_EQ(StoredMessage("msg-1").state, v1::DELIVERY_STATE_FAILED);
}

}  // namespace
}  // namespace caregate
