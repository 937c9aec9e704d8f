#include "services/audit_service/audit_summary.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit_service/test_directory.h"
#include "services/common/proto_time.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
using ::caregate::testing::TestConfig;
using ::testing::HasSubstr;

absl::Time Month(int year, int month) {
  return absl::FromCivil(absl::CivilMonth(year, month), absl::UTCTimeZone());
}

TEST(ParseSummaryRequestTest, UnsetSidesAreUnbounded) {
  absl::StatusOr<SummaryPeriod> period =
      ParseSummaryRequest(v1::SummarizeAuditEventsRequest());
  ASSERT_THAT(period, IsOk());
  EXPECT_EQ(period->since, absl::InfinitePast());
  EXPECT_EQ(period->until, absl::InfiniteFuture());
}

TEST(ParseSummaryRequestTest, TakesBothSidesAndRefusesAnInvertedPeriod) {
  v1::SummarizeAuditEventsRequest request;
  *request.mutable_since() = ToProtoTime(Month(2026, 1));
  *request.mutable_until() = ToProtoTime(Month(2026, 3));
  absl::StatusOr<SummaryPeriod> period = ParseSummaryRequest(request);
  ASSERT_THAT(period, IsOk());
  EXPECT_EQ(period->since, Month(2026, 1));
  EXPECT_EQ(period->until, Month(2026, 3));

  std::swap(*request.mutable_since(), *request.mutable_until());
  EXPECT_THAT(ParseSummaryRequest(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("until: before since")));
  request.mutable_since()->set_nanos(-1);
  EXPECT_THAT(ParseSummaryRequest(request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("since")));
}

TEST(SummaryToProtoTest, MergesProvidersBySpecialtyAndSortsDenials) {
  auto config = TestConfig();
  ASSERT_NE(config, nullptr);
  AuditSummary s;
  s.actions = {{v1::AUDIT_ACTION_DISCLOSURE_PERMITTED, 7},
               {v1::AUDIT_ACTION_ACCESS_DENIED, 3}};
  s.disclosures_by_month = {
      {Month(2026, 1), "lakeside-obgyn", "dr-okafor", 2},
      {Month(2026, 1), "lakeside-obgyn", "dr-ibsen", 3},
      {Month(2026, 1), "core-pt", "pt-lind", 1},
      {Month(2026, 2), "gone-clinic", "dr-gone", 4},
  };
  s.denials_by_reason = {{v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT, 5}};
  s.access_denied_by_principal = {{"a-clinic", 1}, {"b-ther", 2}, {"c", 1}};

  const v1::SummarizeAuditEventsResponse r =
      SummaryToProto(s, config->directory());
  ASSERT_EQ(r.action_counts_size(), 2);
  EXPECT_EQ(r.action_counts(0).action(), v1::AUDIT_ACTION_DISCLOSURE_PERMITTED);
  EXPECT_EQ(r.action_counts(0).count(), 7);
  ASSERT_EQ(r.disclosures_by_month_size(), 3);
  EXPECT_EQ(FromProtoTime(r.disclosures_by_month(0).month_start(), "m").value(),
            Month(2026, 1));
  EXPECT_EQ(r.disclosures_by_month(0).specialty(), v1::SPECIALTY_OBGYN);
  EXPECT_EQ(r.disclosures_by_month(0).count(), 5);
  EXPECT_EQ(r.disclosures_by_month(1).specialty(),
            v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY);
  EXPECT_EQ(r.disclosures_by_month(1).count(), 1);
  EXPECT_EQ(r.disclosures_by_month(2).specialty(), v1::SPECIALTY_UNSPECIFIED);
  EXPECT_EQ(r.disclosures_by_month(2).count(), 4);
  ASSERT_EQ(r.denials_by_reason_size(), 1);
  EXPECT_EQ(r.denials_by_reason(0).count(), 5);
  ASSERT_EQ(r.access_denied_by_principal_size(), 3);
  EXPECT_EQ(r.access_denied_by_principal(0).principal_id(), "b-ther");
  EXPECT_EQ(r.access_denied_by_principal(1).principal_id(), "a-clinic");
  EXPECT_EQ(r.access_denied_by_principal(2).principal_id(), "c");
}

}  // namespace
}  // namespace caregate
