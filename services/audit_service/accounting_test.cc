#include "services/audit_service/accounting.h"

#include <memory>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit_service/test_directory.h"
#include "services/common/proto_time.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::caregate::testing::TestConfig;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

DisclosureRow Disclosure(std::string recipient_org_id) {
  DisclosureRow row;
  row.disclosure_id = "dsc-1";
  row.practice_org_id = "sunrise-therapy";
  row.patient_id = "p-1001";
  row.recipient_org_id = std::move(recipient_org_id);
  row.recipient_provider_id = "dr-okafor";
  row.purpose = v1::PURPOSE_TREATMENT_COORDINATION;
  row.outcome = v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS;
  row.categories = {v1::CATEGORY_TREATMENT_SUMMARY, v1::CATEGORY_HOMEWORK_PLAN};
  row.created_at = absl::FromUnixSeconds(1772366400);
  return row;
}

TEST(AccountingEntryFromRowTest, TakesNameAndAddressFromDirectory) {
  std::shared_ptr<const GatewayConfig> config = TestConfig();
  ASSERT_NE(config, nullptr);

  v1::AccountingEntry entry =
      AccountingEntryFromRow(Disclosure("lakeside-obgyn"), config->directory());

  EXPECT_EQ(entry.time().seconds(), 1772366400);
  EXPECT_EQ(entry.recipient_org_id(), "lakeside-obgyn");
  EXPECT_EQ(entry.recipient_name(), "Lakeside OB/GYN");
  EXPECT_EQ(entry.recipient_address(), "1 Lake Road, Springfield");
  EXPECT_EQ(entry.purpose(), v1::PURPOSE_TREATMENT_COORDINATION);
  EXPECT_THAT(entry.categories(), ElementsAre(v1::CATEGORY_TREATMENT_SUMMARY,
                                              v1::CATEGORY_HOMEWORK_PLAN));
  EXPECT_EQ(entry.disclosure_id(), "dsc-1");
  EXPECT_EQ(entry.recipient_provider_id(), "dr-okafor");
}

TEST(AccountingEntryFromRowTest, UnlistedRecipientKeepsIdOnly) {
  std::shared_ptr<const GatewayConfig> config = TestConfig();
  ASSERT_NE(config, nullptr);

  v1::AccountingEntry entry =
      AccountingEntryFromRow(Disclosure("gone-clinic"), config->directory());

  EXPECT_EQ(entry.recipient_org_id(), "gone-clinic");
  EXPECT_EQ(entry.recipient_name(), "");
  EXPECT_EQ(entry.recipient_address(), "");
  EXPECT_EQ(entry.disclosure_id(), "dsc-1");
}

TEST(SetAccountingPracticeTest, NamesAListedPracticeOnly) {
  std::shared_ptr<const GatewayConfig> config = TestConfig();
  ASSERT_NE(config, nullptr);
  v1::GetAccountingOfDisclosuresResponse response;
  SetAccountingPractice("lakeside-obgyn", config->directory(), &response);
  EXPECT_EQ(response.practice_name(), "Lakeside OB/GYN");
  EXPECT_EQ(response.practice_address(), "1 Lake Road, Springfield");

  v1::GetAccountingOfDisclosuresResponse unlisted;
  SetAccountingPractice("gone-practice", config->directory(), &unlisted);
  SetAccountingPractice("", config->directory(), &unlisted);
  EXPECT_EQ(unlisted.practice_name(), "");
  EXPECT_EQ(unlisted.practice_address(), "");
}

TEST(ParseAccountingRequestTest, DefaultsToAllTime) {
  v1::GetAccountingOfDisclosuresRequest request;
  request.set_practice_org_id("sunrise-therapy");
  request.set_patient_id("p-1001");
  absl::StatusOr<AccountingRequest> parsed =
      ParseAccountingRequest(request, InputLimits());
  CG_ASSERT_OK(parsed);
  EXPECT_EQ(parsed->patient, (PatientRef{"sunrise-therapy", "p-1001"}));
  EXPECT_EQ(parsed->since, absl::InfinitePast());
  EXPECT_EQ(parsed->until, absl::InfiniteFuture());
}

TEST(ParseAccountingRequestTest, ReadsPracticeAndTimes) {
  v1::GetAccountingOfDisclosuresRequest request;
  request.set_patient_id("p-1001");
  request.set_practice_org_id("sunrise-therapy");
  *request.mutable_since() = ToProtoTime(absl::FromUnixSeconds(1772000000));
  *request.mutable_until() = ToProtoTime(absl::FromUnixSeconds(1773000000));
  absl::StatusOr<AccountingRequest> parsed =
      ParseAccountingRequest(request, InputLimits());
  CG_ASSERT_OK(parsed);
  EXPECT_EQ(parsed->patient.practice_org_id, "sunrise-therapy");
  EXPECT_EQ(parsed->since, absl::FromUnixSeconds(1772000000));
  EXPECT_EQ(parsed->until, absl::FromUnixSeconds(1773000000));
}

// Two practices' p-1001 are two people: without the practice, an accounting
// would merge them.
TEST(ParseAccountingRequestTest, PracticeIsRequired) {
  v1::GetAccountingOfDisclosuresRequest request;
  request.set_patient_id("p-1001");
  EXPECT_THAT(ParseAccountingRequest(request, InputLimits()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "practice_org_id: required"));
}

TEST(ParseAccountingRequestTest, RejectsBadFields) {
  v1::GetAccountingOfDisclosuresRequest request;
  request.set_practice_org_id("sunrise-therapy");
  EXPECT_THAT(ParseAccountingRequest(request, InputLimits()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("patient_id: required")));

  request.set_patient_id("p-1001");
  request.set_practice_org_id("-bad");
  EXPECT_THAT(ParseAccountingRequest(request, InputLimits()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("practice_org_id")));

  request.set_practice_org_id("sunrise-therapy");
  request.mutable_since()->set_seconds(-100000000000);
  EXPECT_THAT(ParseAccountingRequest(request, InputLimits()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("since")));
}

}  // namespace
}  // namespace caregate
