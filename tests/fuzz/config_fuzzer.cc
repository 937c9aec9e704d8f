// Fuzz target: the config text parser and validator,
// GatewayConfig::FromText(input, "fuzz", "/tmp").
//
// Besides "no crash, no UB, no leak", it asserts what the loader promises:
//  - a refusal is INVALID_ARGUMENT prefixed with the source name;
//  - an accepted config is consistent with the text it came from: every
//    principal, organization and provider of the text is found with the same
//    values, ids and NPIs are valid, paths are absolute, exactly one storage
//    backend, limits positive, the origin one line, durations in (0, 3600s];
//  - validity survives re-serialization: the text printed from the parsed
//    proto loads too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "caregate/config/v1/config.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "services/config/gateway_config.h"
#include "services/config/npi.h"
#include "tests/fuzz/fuzz_check.h"

namespace caregate::fuzz {
namespace {

namespace cfg = ::caregate::config::v1;

bool IsAbsolute(const std::string& path) {
  return !path.empty() && path[0] == '/';
}

void CheckPrincipals(const cfg::GatewayConfig& proto, const GatewayConfig& c) {
  for (const cfg::Principal& p : proto.principals()) {
    const PrincipalInfo* info = c.FindPrincipal(p.principal_id());
    CG_FUZZ_CHECK(info != nullptr);
    CG_FUZZ_CHECK(IsValidId(info->principal_id, 256));
    CG_FUZZ_CHECK(info->role == p.role() && v1::Role_IsValid(info->role) &&
                  info->role != v1::ROLE_UNSPECIFIED);
    CG_FUZZ_CHECK(info->org_id == p.org_id() && info->disabled == p.disabled());
    if (info->role == v1::ROLE_THERAPIST || info->role == v1::ROLE_CLINIC) {
      CG_FUZZ_CHECK(!info->org_id.empty());
    }
    if (!info->org_id.empty()) {
      CG_FUZZ_CHECK(c.directory().FindOrganization(info->org_id) != nullptr);
    }
  }
}

void CheckDirectory(const cfg::GatewayConfig& proto, const GatewayConfig& c) {
  const Directory& dir = c.directory();
  CG_FUZZ_CHECK(dir.organization_count() ==
                static_cast<size_t>(proto.directory().organizations_size()));
  for (const cfg::Organization& o : proto.directory().organizations()) {
    const OrganizationInfo* org = dir.FindOrganization(o.org_id());
    CG_FUZZ_CHECK(org != nullptr && IsValidId(org->org_id, 256));
    CG_FUZZ_CHECK(org->kind == o.kind() && org->kind != 0 &&
                  v1::OrganizationKind_IsValid(org->kind));
    CG_FUZZ_CHECK(org->provider_ids.size() ==
                  static_cast<size_t>(o.providers_size()));
    for (const cfg::Provider& p : o.providers()) {
      const ProviderInfo* prov = dir.FindProvider(p.provider_id());
      CG_FUZZ_CHECK(prov != nullptr && prov->org_id == o.org_id());
      CG_FUZZ_CHECK(IsValidId(prov->provider_id, 256) && IsValidNpi(prov->npi));
      CG_FUZZ_CHECK(prov->specialty == p.specialty() && prov->specialty != 0 &&
                    v1::Specialty_IsValid(prov->specialty));
      CG_FUZZ_CHECK(!prov->name.empty());
    }
  }
}

void CheckScalars(const GatewayConfig& c) {
  CG_FUZZ_CHECK(absl::StrContains(c.listen_address(), ":"));
  CG_FUZZ_CHECK(IsAbsolute(c.ca_cert_file()) &&
                IsAbsolute(c.server_cert_file()) &&
                IsAbsolute(c.server_key_file()));
  CG_FUZZ_CHECK(IsAbsolute(c.audit_signing_key_file()) &&
                IsAbsolute(c.audit_signing_public_key_file()) &&
                IsAbsolute(c.data_key_file()));
  CG_FUZZ_CHECK(IsValidId(c.data_key_id(), 64));
  CG_FUZZ_CHECK(c.sqlite_path().empty() != c.postgres_conninfo().empty());
  if (!c.sqlite_path().empty()) CG_FUZZ_CHECK(IsAbsolute(c.sqlite_path()));
  const InputLimits& l = c.limits();
  CG_FUZZ_CHECK(l.max_section_body_bytes > 0 && l.max_sections > 0 &&
                l.max_request_bytes > 0 && l.max_id_length > 0);
  CG_FUZZ_CHECK(!c.trust_domain().empty() && !c.redisclosure_notice().empty());
  CG_FUZZ_CHECK(!c.checkpoint_origin().empty() &&
                !absl::StrContains(c.checkpoint_origin(), "\n"));
  const absl::Duration kMax = absl::Seconds(3600);
  CG_FUZZ_CHECK(c.shutdown_grace() > absl::ZeroDuration() &&
                c.shutdown_grace() <= kMax);
  CG_FUZZ_CHECK(c.checkpoint_interval() > absl::ZeroDuration() &&
                c.checkpoint_interval() <= kMax);
}

void CheckAccepted(std::string_view text, const GatewayConfig& c) {
  cfg::GatewayConfig proto;
  CG_FUZZ_CHECK(
      google::protobuf::TextFormat::ParseFromString(std::string(text), &proto));
  CheckPrincipals(proto, c);
  CheckDirectory(proto, c);
  CheckScalars(c);
  std::string printed;
  CG_FUZZ_CHECK(google::protobuf::TextFormat::PrintToString(proto, &printed));
  CG_FUZZ_CHECK(GatewayConfig::FromText(printed, "printed", "/tmp").ok());
}

}  // namespace
}  // namespace caregate::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Parse errors of malformed text would flood the log.
  static const bool kQuiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)kQuiet;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = caregate::GatewayConfig::FromText(text, "fuzz", "/tmp");
  if (!config.ok()) {
    CG_FUZZ_CHECK(config.status().code() == absl::StatusCode::kInvalidArgument);
    CG_FUZZ_CHECK(absl::StartsWith(config.status().message(), "fuzz"));
    return 0;
  }
  caregate::fuzz::CheckAccepted(text, **config);
  return 0;
}
