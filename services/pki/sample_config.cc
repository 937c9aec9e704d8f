#include "services/pki/sample_config.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"

namespace caregate::pki {

std::string CheckpointOrigin(std::string_view trust_domain) {
  return std::string(trust_domain) + "/audit";
}

namespace {

using ::caregate::config::v1::GatewayConfig;
using ::caregate::config::v1::Organization;
using ::caregate::v1::OrganizationKind;
using ::caregate::v1::Role;
using ::caregate::v1::Specialty;

constexpr OrganizationKind kPractice =
    caregate::v1::ORGANIZATION_KIND_THERAPY_PRACTICE;
constexpr OrganizationKind kClinic =
    caregate::v1::ORGANIZATION_KIND_PARTNER_CLINIC;

struct SampleProvider {
  const char* provider_id;
  const char* npi;  // Fictitious; each passes the NPI check digit.
  const char* name;
  Specialty specialty;
};

struct SampleOrganization {
  const char* org_id;
  const char* display_name;
  OrganizationKind kind;
  const char* address;
  std::vector<SampleProvider> providers;
};

struct SamplePrincipal {
  const char* principal_id;
  Role role;
  const char* org_id;  // Empty for COMPLIANCE and ADMIN.
};

const std::vector<SampleOrganization>& SampleOrganizations() {
  static const auto* orgs = new std::vector<SampleOrganization>{
      {"sunrise-therapy",
       "Sunrise Therapy Collective",
       kPractice,
       "210 Sunrise Avenue, Suite 4, Fairview, OR 97024",
       {{"dr-rivera", "1900001011", "Alma Rivera, PhD",
         caregate::v1::SPECIALTY_SEX_THERAPY}}},
      {"harbor-counseling",
       "Harbor Counseling Associates",
       kPractice,
       "18 Wharf Street, Fairview, OR 97024",
       {{"dr-novak", "1900001029", "Tomas Novak, PsyD",
         caregate::v1::SPECIALTY_PSYCHOTHERAPY}}},
      {"lakeside-obgyn",
       "Lakeside OB/GYN",
       kClinic,
       "4500 Lakeshore Drive, Building B, Fairview, OR 97024",
       {{"dr-okafor", "1900001037", "Ngozi Okafor, MD",
         caregate::v1::SPECIALTY_OBGYN}}},
      {"core-pelvic-pt",
       "Core Pelvic Physical Therapy",
       kClinic,
       "77 Orchard Lane, Fairview, OR 97024",
       {{"pt-lindqvist", "1900001045", "Elin Lindqvist, DPT",
         caregate::v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY},
        {"pt-moreau", "1900001052", "Camille Moreau, DPT",
         caregate::v1::SPECIALTY_PELVIC_FLOOR_PHYSICAL_THERAPY}}},
      {"riverside-urology",
       "Riverside Urology",
       kClinic,
       "902 River Road, Suite 210, Fairview, OR 97024",
       {{"dr-haddad", "1900001060", "Samir Haddad, MD",
         caregate::v1::SPECIALTY_UROLOGY}}},
      {"northside-psychiatry",
       "Northside Psychiatry",
       kClinic,
       "3 North Park Plaza, Fairview, OR 97024",
       {{"dr-chen", "1900001078", "Wei Chen, MD",
         caregate::v1::SPECIALTY_PSYCHIATRY},
        {"np-ward", "1900001086", "Jordan Ward, NP",
         caregate::v1::SPECIALTY_PRIMARY_CARE}}},
      {"maple-primary-care",
       "Maple Primary Care",
       kClinic,
       "1450 Maple Street, Fairview, OR 97024",
       {{"dr-mbeki", "1900001094", "Lerato Mbeki, MD",
         caregate::v1::SPECIALTY_PRIMARY_CARE}}},
  };
  return *orgs;
}

constexpr SamplePrincipal kSamplePrincipals[] = {
    {"dr-rivera", caregate::v1::ROLE_THERAPIST, "sunrise-therapy"},
    {"dr-novak", caregate::v1::ROLE_THERAPIST, "harbor-counseling"},
    {"lakeside-obgyn-inbox", caregate::v1::ROLE_CLINIC, "lakeside-obgyn"},
    {"core-pelvic-pt-inbox", caregate::v1::ROLE_CLINIC, "core-pelvic-pt"},
    {"riverside-urology-inbox", caregate::v1::ROLE_CLINIC, "riverside-urology"},
    {"northside-psychiatry-inbox", caregate::v1::ROLE_CLINIC,
     "northside-psychiatry"},
    {"maple-primary-care-inbox", caregate::v1::ROLE_CLINIC,
     "maple-primary-care"},
    {"compliance-officer", caregate::v1::ROLE_COMPLIANCE, ""},
    {"gateway-admin", caregate::v1::ROLE_ADMIN, ""},
};

constexpr char kRedisclosureNotice[] =
    "NOTICE: This information has been disclosed to you from records "
    "protected by federal confidentiality rules (42 CFR part 2) on the "
    "strength of the patient's written consent. Federal law prohibits you "
    "from making any further disclosure of it, or using it for any purpose "
    "other than the one it was disclosed for, without the written consent of "
    "the person to whom it pertains, except as the law otherwise permits. A "
    "general authorization to release medical information does not satisfy "
    "this requirement.";

void AddDirectory(GatewayConfig& config) {
  for (const SampleOrganization& sample : SampleOrganizations()) {
    Organization* org = config.mutable_directory()->add_organizations();
    org->set_org_id(sample.org_id);
    org->set_display_name(sample.display_name);
    org->set_kind(sample.kind);
    org->set_address(sample.address);
    for (const SampleProvider& p : sample.providers) {
      auto* provider = org->add_providers();
      provider->set_provider_id(p.provider_id);
      provider->set_npi(p.npi);
      provider->set_name(p.name);
      provider->set_specialty(p.specialty);
    }
  }
}

// The delivery block of the clinics named in options.push_endpoints; their
// endpoints' certificates come from the dev CA.
void AddPushEndpoints(const DevInitOptions& options, GatewayConfig& config) {
  for (Organization& org :
       *config.mutable_directory()->mutable_organizations()) {
    auto it = options.push_endpoints.find(org.org_id());
    if (it == options.push_endpoints.end()) continue;
    if (IsFhirPushAddress(it->second)) {
      org.mutable_fhir()->set_base_url(it->second);
      org.mutable_fhir()->set_ca_cert_file(std::string(kCaCertFile));
    } else {
      org.mutable_grpc()->set_endpoint(it->second);
      org.mutable_grpc()->set_ca_cert_file(std::string(kCaCertFile));
    }
  }
}

}  // namespace

bool IsFhirPushAddress(std::string_view address) {
  return absl::StartsWithIgnoreCase(AsAbsl(address), "https://");
}

std::string ClientCertFile(std::string_view principal_id) {
  return absl::StrCat(std::string(kPkiDir), "/", std::string(principal_id),
                      ".crt");
}

std::string ClientKeyFile(std::string_view principal_id) {
  return absl::StrCat(std::string(kPkiDir), "/", std::string(principal_id),
                      ".key");
}

GatewayConfig SampleGatewayConfig(const DevInitOptions& options) {
  GatewayConfig config;
  config.set_listen_address(options.listen);
  config.mutable_tls()->set_ca_cert_file(std::string(kCaCertFile));
  config.mutable_tls()->set_server_cert_file(std::string(kServerCertFile));
  config.mutable_tls()->set_server_key_file(std::string(kServerKeyFile));
  config.set_trust_domain(options.trust_domain);
  for (const SamplePrincipal& sample : kSamplePrincipals) {
    auto* principal = config.add_principals();
    principal->set_principal_id(sample.principal_id);
    principal->set_role(sample.role);
    principal->set_org_id(sample.org_id);
  }
  AddDirectory(config);
  AddPushEndpoints(options, config);
  if (options.postgres_conninfo.empty()) {
    config.mutable_storage()->mutable_sqlite()->set_path(
        std::string(kSqlitePath));
  } else {
    config.mutable_storage()->mutable_postgres()->set_conninfo(
        options.postgres_conninfo);
  }
  auto* keys = config.mutable_keys();
  keys->set_audit_signing_key_file(std::string(kAuditSigningKeyFile));
  keys->set_audit_signing_public_key_file(
      std::string(kAuditSigningPublicKeyFile));
  keys->set_data_key_file(std::string(kDataKeyFile));
  keys->set_data_key_id(std::string(kDataKeyId));
  keys->set_content_digest_key_file(std::string(kContentDigestKeyFile));
  keys->set_delivery_cert_file(std::string(kDeliveryCertFile));
  keys->set_delivery_key_file(std::string(kDeliveryKeyFile));
  config.set_redisclosure_notice(kRedisclosureNotice);
  config.set_checkpoint_origin(CheckpointOrigin(options.trust_domain));
  return config;
}

}  // namespace caregate::pki
