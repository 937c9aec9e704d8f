#include "services/audit_service/audit_query.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/validation/request_fields.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(AuditQueryFromRequestTest, EmptyRequestMatchesEverything) {
  absl::StatusOr<AuditQuery> query =
      AuditQueryFromRequest(v1::QueryAuditEventsRequest(), InputLimits());
  CG_ASSERT_OK(query);
  EXPECT_TRUE(query->patient.empty());
  EXPECT_TRUE(query->actions.empty());
  EXPECT_EQ(query->outcome, v1::DECISION_OUTCOME_UNSPECIFIED);
  EXPECT_FALSE(query->since.has_value());
  EXPECT_FALSE(query->until.has_value());
  EXPECT_EQ(query->after_seq, 0);
  EXPECT_EQ(query->limit, kDefaultAuditPageSize);
}

TEST(AuditQueryFromRequestTest, CopiesEveryFilter) {
  v1::QueryAuditEventsRequest request;
  request.set_patient_id("p-1001");
  request.set_practice_org_id("sunrise-therapy");
  request.set_actor_principal_id("dr-rivera");
  request.set_recipient_org_id("lakeside-obgyn");
  request.add_actions(v1::AUDIT_ACTION_DISCLOSURE_PERMITTED);
  request.add_actions(v1::AUDIT_ACTION_DISCLOSURE_DENIED);
  request.set_outcome(v1::DECISION_OUTCOME_DENIED);
  const absl::Time since = absl::FromUnixSeconds(1772000000);
  const absl::Time until = absl::FromUnixSeconds(1773000000);
  *request.mutable_since() = ToProtoTime(since);
  *request.mutable_until() = ToProtoTime(until);
  request.set_page_size(20);
  request.set_page_token(EncodePageToken(55));

  absl::StatusOr<AuditQuery> query =
      AuditQueryFromRequest(request, InputLimits());
  CG_ASSERT_OK(query);
  EXPECT_EQ(query->patient, (PatientRef{"sunrise-therapy", "p-1001"}));
  EXPECT_EQ(query->actor_principal_id, "dr-rivera");
  EXPECT_EQ(query->recipient_org_id, "lakeside-obgyn");
  EXPECT_THAT(query->actions, ElementsAre(v1::AUDIT_ACTION_DISCLOSURE_PERMITTED,
                                          v1::AUDIT_ACTION_DISCLOSURE_DENIED));
  EXPECT_EQ(query->outcome, v1::DECISION_OUTCOME_DENIED);
  EXPECT_EQ(query->since, since);
  EXPECT_EQ(query->until, until);
  EXPECT_EQ(query->limit, 20);
  EXPECT_EQ(query->after_seq, 55);
}

TEST(AuditQueryFromRequestTest, PatientNeedsItsPractice) {
  v1::QueryAuditEventsRequest request;
  request.set_patient_id("p-1001");
  EXPECT_THAT(AuditQueryFromRequest(request, InputLimits()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("practice_org_id: required with patient_id")));
  request.clear_patient_id();
  request.set_practice_org_id("sunrise-therapy");
  EXPECT_THAT(AuditQueryFromRequest(request, InputLimits()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("practice_org_id: only with patient_id")));
}

TEST(AuditQueryFromRequestTest, ClampsPageSize) {
  v1::QueryAuditEventsRequest request;
  request.set_page_size(5000);
  absl::StatusOr<AuditQuery> query =
      AuditQueryFromRequest(request, InputLimits());
  CG_ASSERT_OK(query);
  EXPECT_EQ(query->limit, kMaxAuditPageSize);

  request.set_page_size(-1);
  EXPECT_THAT(
      AuditQueryFromRequest(request, InputLimits()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
}

TEST(AuditQueryFromRequestTest, RejectsUndefinedActions) {
  v1::QueryAuditEventsRequest request;
  request.add_actions(v1::AUDIT_ACTION_CONSENT_RECORDED);
  request.add_actions(static_cast<v1::AuditAction>(99));
  EXPECT_THAT(AuditQueryFromRequest(request, InputLimits()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("actions[1]: unknown value 99")));

  request.set_actions(1, v1::AUDIT_ACTION_UNSPECIFIED);
  EXPECT_THAT(
      AuditQueryFromRequest(request, InputLimits()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("actions[1]")));
}

TEST(AuditQueryFromRequestTest, RejectsUndefinedOutcome) {
  v1::QueryAuditEventsRequest request;
  request.set_outcome(static_cast<v1::DecisionOutcome>(42));
  EXPECT_THAT(AuditQueryFromRequest(request, InputLimits()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("outcome: unknown value 42")));
}

TEST(AuditQueryFromRequestTest, RejectsBadFields) {
  v1::QueryAuditEventsRequest bad_id;
  bad_id.set_patient_id("p 1001");
  EXPECT_THAT(
      AuditQueryFromRequest(bad_id, InputLimits()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("patient_id")));

  v1::QueryAuditEventsRequest long_id;
  long_id.set_recipient_org_id(std::string(300, 'a'));
  EXPECT_THAT(AuditQueryFromRequest(long_id, InputLimits()),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("recipient_org_id")));

  v1::QueryAuditEventsRequest bad_time;
  bad_time.mutable_until()->set_nanos(-5);
  EXPECT_THAT(AuditQueryFromRequest(bad_time, InputLimits()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("until")));

  v1::QueryAuditEventsRequest bad_token;
  bad_token.set_page_token("not-a-token");
  EXPECT_THAT(
      AuditQueryFromRequest(bad_token, InputLimits()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

std::vector<AuditEvent> EventsWithSeqs(std::vector<int64_t> seqs) {
  std::vector<AuditEvent> events;
  for (int64_t seq : seqs) {
    AuditEvent event;
    event.seq = seq;
    event.time = absl::FromUnixSeconds(1772000000 + seq);
    events.push_back(event);
  }
  return events;
}

TEST(AuditEventsPageTest, FullPageWithMoreGetsToken) {
  v1::QueryAuditEventsResponse page =
      AuditEventsPage(EventsWithSeqs({3, 8, 9}), 2);
  ASSERT_EQ(page.events_size(), 2);
  EXPECT_EQ(page.events(0).seq(), 3);
  EXPECT_EQ(page.events(1).seq(), 8);
  absl::StatusOr<int64_t> after = DecodePageToken(page.next_page_token());
  CG_ASSERT_OK(after);
  EXPECT_EQ(*after, 8);
}

TEST(AuditEventsPageTest, LastPageHasNoToken) {
  v1::QueryAuditEventsResponse page =
      AuditEventsPage(EventsWithSeqs({3, 8}), 2);
  EXPECT_EQ(page.events_size(), 2);
  EXPECT_EQ(page.next_page_token(), "");

  EXPECT_EQ(AuditEventsPage({}, 2).events_size(), 0);
}

TEST(PageCheckpointRangeTest, PagesPartitionTheSeqs) {
  const v1::QueryAuditEventsResponse first =
      AuditEventsPage(EventsWithSeqs({1, 2, 3}), 2);
  CheckpointSeqRange range = PageCheckpointRange(0, first);
  EXPECT_EQ(range.first, 0);
  EXPECT_EQ(range.last, 2);

  const v1::QueryAuditEventsResponse middle =
      AuditEventsPage(EventsWithSeqs({3, 5, 8}), 2);
  range = PageCheckpointRange(2, middle);
  EXPECT_EQ(range.first, 3);
  EXPECT_EQ(range.last, 5);

  const v1::QueryAuditEventsResponse last =
      AuditEventsPage(EventsWithSeqs({8}), 2);
  range = PageCheckpointRange(5, last);
  EXPECT_EQ(range.first, 6);
  EXPECT_EQ(range.last, std::numeric_limits<int64_t>::max());

  range = PageCheckpointRange(0, AuditEventsPage({}, 2));
  EXPECT_EQ(range.first, 0);
  EXPECT_EQ(range.last, std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace caregate
