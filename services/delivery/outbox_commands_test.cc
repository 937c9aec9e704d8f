#include "services/delivery/outbox_commands.h"

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
using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class OutboxCommandsTest : public InboxFixture {
 protected:
  // Records `outcome` (its disclosure read first, as the dispatcher does)
  // and returns the message as the command left it.
  std::optional<MessageRow> RecordOutcome(PushOutcome outcome) {
    auto message = store_->GetMessage(outcome.message_id);
    if (message.ok() && message->has_value()) {
      auto disclosure = store_->GetDisclosure((*message)->disclosure_id);
      if (disclosure.ok()) outcome.disclosure = *disclosure;
    }
    auto result = std::make_shared<absl::StatusOr<std::optional<MessageRow>>>(
        absl::InternalError("not run"));
    CG_EXPECT_OK(Run(RecordPushOutcomeCommand(std::move(outcome), result)));
    CG_EXPECT_OK(*result);
    return result->ok() ? **result : std::nullopt;
  }

  MessageRow Stored(const std::string& id) {
    auto row = store_->GetMessage(id);
    EXPECT_TRUE(row.ok() && row->has_value());
    return row.ok() && row->has_value() ? **row : MessageRow{};
  }

  static absl::Time Micros(absl::Time t) {
    return absl::FromUnixMicros(absl::ToUnixMicros(t));
  }

  // Runs RetryDeliveryCommand as compliance-officer, the disclosure read
  // first as the service does; the command's result.
  absl::StatusOr<RetriedDelivery> RetryAsCompliance(const std::string& id) {
    std::optional<DisclosureRow> disclosure;
    auto message = store_->GetMessage(id);
    if (message.ok() && message->has_value()) {
      auto d = store_->GetDisclosure((*message)->disclosure_id);
      if (d.ok()) disclosure = *d;
    }
    auto result = std::make_shared<absl::StatusOr<RetriedDelivery>>(
        absl::InternalError("not run"));
    CG_EXPECT_OK(
        Run(RetryDeliveryCommand(id, kCompliance, disclosure, result)));
    return *result;
  }

  void Fail(const std::string& id, int attempts) {
    RecordOutcome({.message_id = id,
                   .kind = PushOutcome::Kind::kFailed,
                   .attempt = attempts,
                   .error = "HTTP 400"});
  }

  const PrincipalInfo kCompliance{"compliance-officer", v1::ROLE_COMPLIANCE,
                                  "sunrise-therapy", false};
};

TEST_F(OutboxCommandsTest, AcknowledgedDeliveryIsDeliveredAndAcknowledged) {
  AddMessage(1, kClinicOrg, 10);
  const absl::Time received = clock_.Now() + absl::Milliseconds(5);
  RecordOutcome({.message_id = "msg-1",
                 .kind = PushOutcome::Kind::kDelivered,
                 .attempt = 2,
                 .acknowledged = true,
                 .received_at = received});

  MessageRow row = Stored("msg-1");
  EXPECT_EQ(row.state, v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_EQ(row.delivery_attempts, 2);
  EXPECT_EQ(row.delivered_at, Micros(received));
  EXPECT_EQ(row.acknowledged_at, Micros(received));
  EXPECT_FALSE(row.next_attempt_at.has_value());
  std::vector<AuditEvent> delivered =
      EventsOf(v1::AUDIT_ACTION_MESSAGE_DELIVERED);
  ASSERT_THAT(delivered, SizeIs(1));
  EXPECT_EQ(delivered[0].actor_principal_id, kDeliveryActorId);
  EXPECT_EQ(delivered[0].subject_id, "msg-1");
  EXPECT_EQ(delivered[0].recipient_org_id, kClinicOrg);
  EXPECT_EQ(delivered[0].patient_id, "patient-7");
  EXPECT_EQ(delivered[0].practice_org_id, "sunrise-therapy");
  std::vector<AuditEvent> acked =
      EventsOf(v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED);
  ASSERT_THAT(acked, SizeIs(1));
  EXPECT_GT(acked[0].seq, delivered[0].seq);
}

TEST_F(OutboxCommandsTest, DeliveryWithoutAckIsDelivered) {
  AddMessage(1, kClinicOrg, 10);
  RecordOutcome({.message_id = "msg-1",
                 .kind = PushOutcome::Kind::kDelivered,
                 .attempt = 1,
                 .received_at = clock_.Now()});
  MessageRow row = Stored("msg-1");
  EXPECT_EQ(row.state, v1::DELIVERY_STATE_DELIVERED);
  EXPECT_FALSE(row.acknowledged_at.has_value());
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED), IsEmpty());
}

TEST_F(OutboxCommandsTest, RetryKeepsQueuedAndSchedulesWithoutAudit) {
  AddMessage(1, kClinicOrg, 10);
  const absl::Time next = clock_.Now() + absl::Seconds(3);
  RecordOutcome({.message_id = "msg-1",
                 .kind = PushOutcome::Kind::kRetry,
                 .attempt = 1,
                 .next_attempt_at = next,
                 .error = "HTTP 503"});
  MessageRow row = Stored("msg-1");
  EXPECT_EQ(row.state, v1::DELIVERY_STATE_QUEUED);
  EXPECT_EQ(row.delivery_attempts, 1);
  EXPECT_EQ(row.next_attempt_at, Micros(next));
  EXPECT_EQ(row.last_delivery_error, "HTTP 503");
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_DELIVERY_FAILED), IsEmpty());
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_MESSAGE_DELIVERED), IsEmpty());
}

TEST_F(OutboxCommandsTest, PermanentFailureIsFailedAndAudited) {
  AddMessage(1, kClinicOrg, 10);
  RecordOutcome({.message_id = "msg-1",
                 .kind = PushOutcome::Kind::kFailed,
                 .attempt = 3,
                 .error = "HTTP 400"});
  MessageRow row = Stored("msg-1");
  EXPECT_EQ(row.state, v1::DELIVERY_STATE_FAILED);
  EXPECT_EQ(row.delivery_attempts, 3);
  EXPECT_EQ(row.last_delivery_error, "HTTP 400");
  std::vector<AuditEvent> failed = EventsOf(v1::AUDIT_ACTION_DELIVERY_FAILED);
  ASSERT_THAT(failed, SizeIs(1));
  EXPECT_EQ(failed[0].detail, "HTTP 400");
  EXPECT_EQ(failed[0].subject_id, "msg-1");
}

TEST_F(OutboxCommandsTest, DeliveryInFlightAtRevocationCountsAsDisclosed) {
  AddMessage(1, kClinicOrg, 10);
  CG_ASSERT_OK(Run([](LedgerTxn& txn) {
    return txn.store().WithholdPendingMessages("cns-1").status();
  }));
  RecordOutcome({.message_id = "msg-1",
                 .kind = PushOutcome::Kind::kDelivered,
                 .attempt = 1,
                 .received_at = clock_.Now()});
  EXPECT_EQ(Stored("msg-1").state, v1::DELIVERY_STATE_DELIVERED);
  std::vector<AuditEvent> delivered =
      EventsOf(v1::AUDIT_ACTION_MESSAGE_DELIVERED);
  ASSERT_THAT(delivered, SizeIs(1));
  EXPECT_EQ(delivered[0].detail, "in flight at revocation");
}

TEST_F(OutboxCommandsTest, RetryOrFailureOfAWithheldMessageChangesNothing) {
  AddMessage(1, kClinicOrg, 10);
  CG_ASSERT_OK(Run([](LedgerTxn& txn) {
    return txn.store().WithholdPendingMessages("cns-1").status();
  }));
  RecordOutcome({.message_id = "msg-1",
                 .kind = PushOutcome::Kind::kRetry,
                 .attempt = 1,
                 .next_attempt_at = clock_.Now(),
                 .error = "HTTP 503"});
  RecordOutcome({.message_id = "msg-1",
                 .kind = PushOutcome::Kind::kFailed,
                 .attempt = 1,
                 .error = "HTTP 400"});
  MessageRow row = Stored("msg-1");
  EXPECT_EQ(row.state, v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION);
  EXPECT_EQ(row.delivery_attempts, 0);
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_DELIVERY_FAILED), IsEmpty());
}

TEST_F(OutboxCommandsTest, RepeatedDeliveryIsRecordedOnce) {
  AddMessage(1, kClinicOrg, 10);
  PushOutcome delivered{.message_id = "msg-1",
                        .kind = PushOutcome::Kind::kDelivered,
                        .attempt = 1,
                        .received_at = clock_.Now()};
  RecordOutcome(delivered);
  delivered.attempt = 2;
  RecordOutcome(delivered);
  EXPECT_EQ(Stored("msg-1").delivery_attempts, 1);
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_MESSAGE_DELIVERED), SizeIs(1));
}

TEST_F(OutboxCommandsTest, UnknownMessageWritesNothing) {
  auto result = std::make_shared<absl::StatusOr<std::optional<MessageRow>>>(
      absl::InternalError("not run"));
  CG_ASSERT_OK(Run(RecordPushOutcomeCommand(
      {.message_id = "msg-9", .kind = PushOutcome::Kind::kFailed}, result)));
  CG_ASSERT_OK(*result);
  EXPECT_FALSE(result->value().has_value());
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_DELIVERY_FAILED), IsEmpty());
}

TEST_F(OutboxCommandsTest, RetryPutsAFailedMessageBackDueAtOnceAndAudits) {
  AddMessage(1, kClinicOrg, 10);
  Fail("msg-1", 5);
  clock_.Advance(absl::Minutes(10));

  absl::StatusOr<RetriedDelivery> retried = RetryAsCompliance("msg-1");
  CG_ASSERT_OK(retried);
  MessageRow row = Stored("msg-1");
  EXPECT_EQ(row.state, v1::DELIVERY_STATE_QUEUED);
  EXPECT_EQ(row.delivery_attempts, 0);
  EXPECT_FALSE(row.next_attempt_at.has_value());
  EXPECT_EQ(row.retried_at, Micros(clock_.Now()));
  EXPECT_EQ(row.last_delivery_error, "HTTP 400");  // kept: why it failed
  EXPECT_EQ(retried->message.retried_at, row.retried_at);
  std::vector<AuditEvent> events = EventsOf(v1::AUDIT_ACTION_DELIVERY_RETRIED);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].seq, retried->audit_seq);
  EXPECT_EQ(events[0].actor_principal_id, "compliance-officer");
  EXPECT_EQ(events[0].actor_role, v1::ROLE_COMPLIANCE);
  EXPECT_EQ(events[0].subject_id, "msg-1");
  EXPECT_EQ(events[0].patient_id, "patient-7");
  EXPECT_EQ(events[0].recipient_org_id, kClinicOrg);
  EXPECT_EQ(events[0].detail, "after 5 failed attempts");

  // Queued again: a second retry is refused until it fails again.
  EXPECT_THAT(RetryAsCompliance("msg-1"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("DELIVERY_STATE_QUEUED")));
}

TEST_F(OutboxCommandsTest, RetryRefusesEveryStateButFailedAndWritesNothing) {
  AddMessage(1, kClinicOrg, 10);  // queued
  AddMessage(2, kClinicOrg, 11);
  RecordOutcome({.message_id = "msg-2",
                 .kind = PushOutcome::Kind::kDelivered,
                 .attempt = 1,
                 .received_at = clock_.Now()});
  EXPECT_THAT(RetryAsCompliance("msg-1"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("only a DELIVERY_STATE_FAILED delivery")));
  EXPECT_THAT(RetryAsCompliance("msg-2"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("DELIVERY_STATE_DELIVERED")));
  EXPECT_THAT(RetryAsCompliance("msg-9"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("msg-9")));
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_DELIVERY_RETRIED), IsEmpty());
  EXPECT_FALSE(Stored("msg-1").retried_at.has_value());
}

TEST_F(OutboxCommandsTest, AFailedMessageIsWithheldByRevocationNotRetried) {
  AddMessage(1, kClinicOrg, 10);
  Fail("msg-1", 2);
  CG_ASSERT_OK(Run([](LedgerTxn& txn) {
    return txn.store().WithholdPendingMessages("cns-1").status();
  }));
  EXPECT_EQ(Stored("msg-1").state, v1::DELIVERY_STATE_WITHHELD_BY_REVOCATION);
  EXPECT_THAT(RetryAsCompliance("msg-1"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("WITHHELD_BY_REVOCATION")));
}

// A message failed before revocations withheld failed messages, whose
// consent was revoked since: the retry sees the revocation itself.
TEST_F(OutboxCommandsTest, RetryIsRefusedWhenAConsentItReliedOnIsRevoked) {
  AddMessage(1, kClinicOrg, 10);
  Fail("msg-1", 2);
  ConsentRecord consent;
  consent.consent_id = "cns-1";
  consent.patient_id = "patient-7";
  consent.practice_org_id = "sunrise-therapy";
  consent.grantee.org_id = kClinicOrg;
  consent.revocation = Revocation{clock_.Now(), "dr-rivera", ""};
  CG_ASSERT_OK(
      Run([&](LedgerTxn& txn) { return txn.store().InsertConsent(consent); }));
  EXPECT_THAT(RetryAsCompliance("msg-1"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("its consent cns-1 was revoked")));
  EXPECT_EQ(Stored("msg-1").state, v1::DELIVERY_STATE_FAILED);
  EXPECT_THAT(EventsOf(v1::AUDIT_ACTION_DELIVERY_RETRIED), IsEmpty());
}

}  // namespace
}  // namespace caregate
