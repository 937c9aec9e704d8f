#include "services/audit_service/accounting.h"

#include <memory>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kConfig[] = R"pb(
  listen_address: "127.0.0.1:7443"
  tls {
    ca_cert_file: "pki/ca.crt"
    server_cert_file: "pki/server.crt"
    server_key_file: "pki/server.key"
  }
  trust_domain: "caregate.local"
  principals { principal_id: "auditor" role: ROLE_COMPLIANCE }
  directory {
    organizations {
      org_id: "sunrise-therapy"
      display_name: "Sunrise Therapy"
      kind: ORGANIZATION_KIND_THERAPY_PRACTICE
    }
    organizations {
      org_id: "lakeside-obgyn"
      display_name: "Lakeside OB/GYN"
      kind: ORGANIZATION_KIND_PARTNER_CLINIC
      address: "1 Lake Road, Springfield"
      providers {
        provider_id: "dr-okafor"
        npi: "2345678900"
        name: "Dr. O"
        specialty: SPECIALTY_OBGYN
      }
    }
  }
  storage { sqlite { path: "data/caregate.db" } }
  keys {
    audit_signing_key_file: "keys/audit-signing.key.pem"
    audit_signing_public_key_file: "keys/audit-signing.pub.pem"
    data_key_file: "keys/data.key"
    data_key_id: "dev-1"
  }
  redisclosure_notice: "Redisclosure is prohibited."
  checkpoint_origin: "caregate.local/audit"
)pb";

std::shared_ptr<const GatewayConfig> TestConfig() {
  auto config = GatewayConfig::FromText(kConfig, "test.textproto", "/tmp");
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : nullptr;
}

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

TEST(ParseAccountingRequestTest, DefaultsToAllTimeAndAllPractices) {
  v1::GetAccountingOfDisclosuresRequest request;
  request.set_patient_id("p-1001");
  absl::StatusOr<AccountingRequest> parsed =
      ParseAccountingRequest(request, InputLimits());
  CG_ASSERT_OK(parsed);
  EXPECT_EQ(parsed->patient_id, "p-1001");
  EXPECT_EQ(parsed->practice_org_id, "");
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
  EXPECT_EQ(parsed->practice_org_id, "sunrise-therapy");
  EXPECT_EQ(parsed->since, absl::FromUnixSeconds(1772000000));
  EXPECT_EQ(parsed->until, absl::FromUnixSeconds(1773000000));
}

TEST(ParseAccountingRequestTest, RejectsBadFields) {
  v1::GetAccountingOfDisclosuresRequest request;
  EXPECT_THAT(ParseAccountingRequest(request, InputLimits()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("patient_id: required")));

  request.set_patient_id("p-1001");
  request.set_practice_org_id("-bad");
  EXPECT_THAT(ParseAccountingRequest(request, InputLimits()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("practice_org_id")));

  request.clear_practice_org_id();
  request.mutable_since()->set_seconds(-100000000000);
  EXPECT_THAT(ParseAccountingRequest(request, InputLimits()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("since")));
}

}  // namespace
}  // namespace caregate
