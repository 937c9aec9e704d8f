// Test-only fixtures of caregate_validation's unit tests: a small directory,
// a fixed "now", and a consent form that passes validation.
#ifndef CAREGATE_SERVICES_VALIDATION_VALIDATION_TEST_SUPPORT_H_
#define CAREGATE_SERVICES_VALIDATION_VALIDATION_TEST_SUPPORT_H_

#include <memory>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "caregate/v1/types.pb.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/config/gateway_config.h"

namespace caregate::validation_testing {

// Organizations: sunrise-therapy (practice; dr-rivera SEX_THERAPY),
// lakeside-obgyn (dr-okafor OBGYN), northside-psychiatry (dr-chen PSYCHIATRY,
// np-ward PRIMARY_CARE).
inline constexpr char kTestConfig[] = R"pb(
  listen_address: "127.0.0.1:7443"
  tls {
    ca_cert_file: "pki/ca.crt"
    server_cert_file: "pki/server.crt"
    server_key_file: "pki/server.key"
  }
  trust_domain: "caregate.local"
  principals {
    principal_id: "dr-rivera"
    role: ROLE_THERAPIST
    org_id: "sunrise-therapy"
  }
  directory {
    organizations {
      org_id: "sunrise-therapy"
      display_name: "Sunrise Therapy"
      kind: ORGANIZATION_KIND_THERAPY_PRACTICE
      providers {
        provider_id: "dr-rivera"
        npi: "1234567893"
        name: "Dr. R"
        specialty: SPECIALTY_SEX_THERAPY
      }
    }
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
    }
    organizations {
      org_id: "northside-psychiatry"
      display_name: "Northside Psychiatry"
      kind: ORGANIZATION_KIND_PARTNER_CLINIC
      providers {
        provider_id: "dr-chen"
        npi: "3456789015"
        name: "Dr. C"
        specialty: SPECIALTY_PSYCHIATRY
      }
      providers {
        provider_id: "np-ward"
        npi: "4567890122"
        name: "NP W"
        specialty: SPECIALTY_PRIMARY_CARE
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

// The directory of kTestConfig; the test fails when it does not load.
inline const Directory& TestDirectory() {
  static const std::shared_ptr<const GatewayConfig> config = [] {
    auto c = GatewayConfig::FromText(kTestConfig, "test.textproto", "/tmp");
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : nullptr;
  }();
  return config->directory();
}

// 2026-03-01 12:00:00 UTC.
inline absl::Time TestNow() {
  return absl::FromCivil(absl::CivilSecond(2026, 3, 1, 12, 0, 0),
                         absl::UTCTimeZone());
}

inline google::protobuf::Timestamp Ts(absl::Time t) { return ToProtoTime(t); }

// A complete, valid form: the patient signed on 2026-02-27 for dr-okafor,
// valid 2026-02-28 .. 2027-02-28.
inline v1::Consent ValidConsent() {
  v1::Consent c;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        patient_id: "p-1001"
        grantee { org_id: "lakeside-obgyn" provider_id: "dr-okafor" }
        purposes: PURPOSE_TREATMENT_COORDINATION
        purposes: PURPOSE_REFERRAL
        categories: CATEGORY_TREATMENT_SUMMARY
        categories: CATEGORY_HOMEWORK_PLAN
        withheld_categories: CATEGORY_TRAUMA_HISTORY
        evidence {
          information_description: "Treatment summary and pelvic floor homework plan"
          document_sha256: "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
          signer_name: "Jordan Example"
          signer_relationship: SIGNER_RELATIONSHIP_SELF
          witness: "Front desk"
          states_right_to_revoke: true
          states_treatment_not_conditioned: true
          states_redisclosure_risk: true
          capture_method: CAPTURE_METHOD_PAPER_SCANNED
        }
      )pb",
      &c));
  const absl::TimeZone utc = absl::UTCTimeZone();
  *c.mutable_valid_from() =
      Ts(absl::FromCivil(absl::CivilDay(2026, 2, 28), utc));
  *c.mutable_expires_at() =
      Ts(absl::FromCivil(absl::CivilDay(2027, 2, 28), utc));
  *c.mutable_evidence()->mutable_signed_at() =
      Ts(absl::FromCivil(absl::CivilSecond(2026, 2, 27, 15, 30, 0), utc));
  return c;
}

}  // namespace caregate::validation_testing

#endif  // CAREGATE_SERVICES_VALIDATION_VALIDATION_TEST_SUPPORT_H_
