// For the audit service's tests: a gateway configuration whose directory
// has a therapy practice and two partner clinics, with providers of two
// specialties (two of them OB/GYNs).
#ifndef CAREGATE_SERVICES_AUDIT_SERVICE_TEST_DIRECTORY_H_
#define CAREGATE_SERVICES_AUDIT_SERVICE_TEST_DIRECTORY_H_

#include <memory>

#include "gtest/gtest.h"
#include "services/config/gateway_config.h"

namespace caregate::testing {

inline constexpr char kTestDirectoryConfig[] = R"pb(
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

// The configuration of kTestDirectoryConfig; nullptr (and a test failure)
// if it does not load.
inline std::shared_ptr<const GatewayConfig> TestConfig() {
  auto config =
      GatewayConfig::FromText(kTestDirectoryConfig, "test.textproto", "/tmp");
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : nullptr;
}

}  // namespace caregate::testing

#endif  // CAREGATE_SERVICES_AUDIT_SERVICE_TEST_DIRECTORY_H_
