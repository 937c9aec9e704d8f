#include "services/audit_service/audit_summary.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "tests/testing/status_matchers.h"

namespace caregate {
namespace {

using ::caregate::testing::IsOk;
using ::caregate::testing::StatusIs;
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
      org_id: "lakeside-obgyn"
      display_name: "Lakeside OB/GYN"
      kind: ORGANIZATION_KIND_PARTNER_CLINIC
      providers {
        provider_id: "dr-okafor"
        npi: "2345678900"
        name: "Dr. O"
        specialty: SPECIALTY_OBGYN
      }
      providers {
        provider_id: "dr-ibsen"
        npi: "2345678918"
        name: "Dr. I"
        specialty: SPECIALTY_OBGYN
      }
    }
    organizations {
      org_id: "core-pt"
      display_name: "Core PT"
      kind: ORGANIZATION_KIND_PARTNER_CLINIC
      providers {
        provider_id: "pt-lind"
        npi: "2345678926"
        name: "PT L"
        specialty: SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY
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
