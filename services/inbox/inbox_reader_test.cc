#include "services/inbox/inbox_reader.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/inbox/inbox_test_support.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::InboxFixture;
using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class InboxReaderTest : public InboxFixture {
 protected:
  MessageRow Row(const std::string& message_id) {
    auto row = store_->GetMessage(message_id);
    EXPECT_TRUE(row.ok() && row->has_value());
    return row.ok() && row->has_value() ? **row : MessageRow{};
  }

  static std::vector<std::string> Ids(const InboxPage& page) {
    std::vector<std::string> ids;
    for (const v1::Message& m : page.messages) ids.push_back(m.message_id());
    return ids;
  }
};

TEST_F(InboxReaderTest, OpensSealedCopyWithStateFromTheRow) {
  v1::Message sealed = AddMessage(1, kClinicOrg, 10);
  MessageRow row = Row("msg-1");
  row.state = v1::DELIVERY_STATE_ACKNOWLEDGED;
  row.acknowledged_at = absl::FromUnixSeconds(1700000100);

  absl::StatusOr<v1::Message> message = OpenStoredMessage(*cipher_, row);

  CG_ASSERT_OK(message);
  EXPECT_EQ(message->message_id(), "msg-1");
  EXPECT_EQ(message->sections(0).body(), sealed.sections(0).body());
  EXPECT_EQ(message->delivery_state(), v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_EQ(message->acknowledged_at().seconds(), 1700000100);
}

TEST_F(InboxReaderTest, OtherKeyIdIsDataLossNamingOnlyTheId) {
  AddMessage(1, kClinicOrg, 10);
  MessageRow row = Row("msg-1");
  row.key_id = "data-key-0";

  absl::StatusOr<v1::Message> message = OpenStoredMessage(*cipher_, row);

  EXPECT_THAT(message, StatusIs(absl::StatusCode::kDataLoss,
                                HasSubstr("message msg-1")));
  EXPECT_THAT(message,
              StatusIs(absl::StatusCode::kDataLoss, Not(HasSubstr("body"))));
}

TEST_F(InboxReaderTest, AlteredEnvelopeIsDataLoss) {
  AddMessage(1, kClinicOrg, 10);
  MessageRow row = Row("msg-1");
  row.sealed_envelope[DataCipher::kNonceSize] ^= 0x01;

  EXPECT_THAT(OpenStoredMessage(*cipher_, row),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("msg-1")));
}

TEST_F(InboxReaderTest, EnvelopeOfAnotherMessageIsDataLoss) {
  AddMessage(1, kClinicOrg, 10);
  AddMessage(2, kClinicOrg, 11);
  MessageRow row = Row("msg-1");
  row.sealed_envelope = Row("msg-2").sealed_envelope;

  EXPECT_THAT(OpenStoredMessage(*cipher_, row),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("msg-1")));
}

absl::StatusOr<InboxPage> Page(Store& store, const DataCipher& cipher,
                                bool include_acknowledged, int64_t after_seq,
                                int max_messages) {
  InboxPageRequest request;
  request.include_acknowledged = include_acknowledged;
  request.after_seq = after_seq;
  request.max_messages = max_messages;
  return ReadInboxPage(store, cipher, "lakeside-obgyn", request);
}

TEST_F(InboxReaderTest, PagesThroughOwnQueuedMessagesInSeqOrder) {
  AddMessage(1, kClinicOrg, 12);
  AddMessage(2, kClinicOrg, 10);
  AddMessage(3, kOtherClinicOrg, 11);
  AddMessage(4, kClinicOrg, 13);

  absl::StatusOr<InboxPage> first =
      Page(*store_, *cipher_, false, 0, 2);
  CG_ASSERT_OK(first);
  EXPECT_THAT(Ids(*first), ElementsAre("msg-2", "msg-1"));
  EXPECT_TRUE(first->more);
  EXPECT_EQ(first->last_seq, 12);

  absl::StatusOr<InboxPage> second =
      Page(*store_, *cipher_, false, first->last_seq, 2);
  CG_ASSERT_OK(second);
  EXPECT_THAT(Ids(*second), ElementsAre("msg-4"));
  EXPECT_FALSE(second->more);
  EXPECT_EQ(second->last_seq, 13);
}

TEST_F(InboxReaderTest, ExactlyFullLastPageHasNoMore) {
  AddMessage(1, kClinicOrg, 10);
  AddMessage(2, kClinicOrg, 11);

  absl::StatusOr<InboxPage> page =
      Page(*store_, *cipher_, false, 0, 2);

  CG_ASSERT_OK(page);
  EXPECT_THAT(Ids(*page), ElementsAre("msg-1", "msg-2"));
  EXPECT_FALSE(page->more);
}

TEST_F(InboxReaderTest, AcknowledgedMessagesOnlyWhenAsked) {
  AddMessage(1, kClinicOrg, 10);
  AddMessage(2, kClinicOrg, 11);
  const absl::Time at = absl::FromUnixSeconds(1700000200);
  CG_ASSERT_OK(Run([at](LedgerTxn& txn) {
    return txn.store().MarkMessageAcknowledged("msg-1", at);
  }));

  absl::StatusOr<InboxPage> queued =
      Page(*store_, *cipher_, false, 0, 50);
  absl::StatusOr<InboxPage> all =
      Page(*store_, *cipher_, true, 0, 50);

  CG_ASSERT_OK(queued);
  EXPECT_THAT(Ids(*queued), ElementsAre("msg-2"));
  CG_ASSERT_OK(all);
  ASSERT_THAT(Ids(*all), ElementsAre("msg-1", "msg-2"));
  EXPECT_EQ(all->messages[0].delivery_state(), v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_EQ(all->messages[0].acknowledged_at().seconds(), 1700000200);
  EXPECT_EQ(all->messages[1].delivery_state(), v1::DELIVERY_STATE_QUEUED);
  EXPECT_FALSE(all->messages[1].has_acknowledged_at());
}

TEST_F(InboxReaderTest, EmptyInboxKeepsTheCursor) {
  absl::StatusOr<InboxPage> page =
      Page(*store_, *cipher_, false, 7, 50);

  CG_ASSERT_OK(page);
  EXPECT_TRUE(page->messages.empty());
  EXPECT_FALSE(page->more);
  EXPECT_EQ(page->last_seq, 7);
}

TEST_F(InboxReaderTest, PageEndsOnceItHoldsMaxBytesButNeverEmpty) {
  AddMessage(1, kClinicOrg, 10);
  AddMessage(2, kClinicOrg, 11);
  InboxPageRequest request;
  request.max_bytes = 1;
  absl::StatusOr<InboxPage> page =
      ReadInboxPage(*store_, *cipher_, kClinicOrg, request);
  CG_ASSERT_OK(page);
  EXPECT_THAT(Ids(*page), ElementsAre("msg-1"));
  EXPECT_TRUE(page->more);
  request.after_seq = page->last_seq;
  page = ReadInboxPage(*store_, *cipher_, kClinicOrg, request);
  CG_ASSERT_OK(page);
  EXPECT_THAT(Ids(*page), ElementsAre("msg-2"));
  EXPECT_FALSE(page->more);
}

TEST_F(InboxReaderTest, SummariesOmitBodiesOnly) {
  AddMessage(1, kClinicOrg, 10);
  InboxPageRequest request;
  request.summaries = true;
  absl::StatusOr<InboxPage> page =
      ReadInboxPage(*store_, *cipher_, kClinicOrg, request);
  CG_ASSERT_OK(page);
  ASSERT_THAT(Ids(*page), ElementsAre("msg-1"));
  const v1::Message& m = page->messages[0];
  EXPECT_TRUE(m.body_omitted());
  ASSERT_GT(m.sections_size(), 0);
  for (const v1::Section& section : m.sections()) {
    EXPECT_TRUE(section.body().empty());
  }
  EXPECT_EQ(m.patient_id(), "patient-7");
}

TEST_F(InboxReaderTest, ThroughSeqHidesMessagesNotYetVisible) {
  AddMessage(1, kClinicOrg, 10);
  AddMessage(2, kClinicOrg, 11);
  InboxPageRequest request;
  request.through_seq = 10;
  absl::StatusOr<InboxPage> page =
      ReadInboxPage(*store_, *cipher_, kClinicOrg, request);
  CG_ASSERT_OK(page);
  EXPECT_THAT(Ids(*page), ElementsAre("msg-1"));
  EXPECT_FALSE(page->more);
  EXPECT_EQ(page->last_seq, 10);
}

TEST_F(InboxReaderTest, ReadInboxMessageOnlyForItsOrganization) {
  AddMessage(1, kClinicOrg, 10);
  bool other = true;
  auto mine = ReadInboxMessage(*store_, *cipher_, kClinicOrg, "msg-1", &other);
  CG_ASSERT_OK(mine);
  ASSERT_TRUE(mine->has_value());
  EXPECT_EQ((*mine)->message_id(), "msg-1");
  EXPECT_FALSE((*mine)->body_omitted());
  EXPECT_FALSE(other);
  auto theirs =
      ReadInboxMessage(*store_, *cipher_, kOtherClinicOrg, "msg-1", &other);
  CG_ASSERT_OK(theirs);
  EXPECT_FALSE(theirs->has_value());
  EXPECT_TRUE(other);
  auto unknown =
      ReadInboxMessage(*store_, *cipher_, kClinicOrg, "msg-404", &other);
  CG_ASSERT_OK(unknown);
  EXPECT_FALSE(unknown->has_value());
  EXPECT_FALSE(other);
}

}  // namespace
}  // namespace caregate
