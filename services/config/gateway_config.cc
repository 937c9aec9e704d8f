#include "services/config/gateway_config.h"

#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "services/common/absl_compat.h"
#include "services/common/file_contents.h"
#include "services/common/status_macros.h"
#include "services/config/delivery_config.h"
#include "services/transparency/note_keys.h"
#include "services/transparency/signed_note.h"

namespace caregate {
namespace {

namespace cfg = ::caregate::config::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::TextFormat;

// Collects the first text-format syntax error with its position.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (error_.empty()) {
      error_ = absl::StrCat(line + 1, ":", column + 1, ": ", message);
    }
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

// Where a config element sits in the file, for error messages.
struct Location {
  std::string path;  // e.g. "principals[2].role"
  int line = 0;      // 1-based; 0 when unknown
};

}  // namespace

// Validates a parsed config proto and builds the GatewayConfig. Every error
// names the source, the line (when known) and the field path.
class GatewayConfigBuilder {
 public:
  GatewayConfigBuilder(std::string_view source, std::string_view base_dir,
                       const TextFormat::ParseInfoTree* tree)
      : source_(source), base_dir_(base_dir), tree_(tree) {}

  absl::StatusOr<std::shared_ptr<const GatewayConfig>> Build(
      const cfg::GatewayConfig& proto);

 private:
  absl::Status Error(const Location& at, std::string_view problem) const {
    const std::string where =
        at.line > 0 ? absl::StrCat(source_, ":", at.line) : source_;
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", at.path, ": ", std::string(problem)));
  }
  // The location of `field_name` (index for repeated) inside `msg` parsed
  // under `tree`; line 0 when the field is absent.
  static Location Locate(const Message& msg,
                         const TextFormat::ParseInfoTree* tree,
                         std::string_view parent_path,
                         std::string_view field_name, int index = -1);
  std::string ResolvePath(const std::string& path) const;
  absl::Status RequireString(const Message& msg,
                             const TextFormat::ParseInfoTree* tree,
                             std::string_view parent, std::string_view field,
                             const std::string& value) const;

  absl::Status BuildTls(const cfg::GatewayConfig& p, GatewayConfig& c);
  absl::Status BuildPrincipals(const cfg::GatewayConfig& p, GatewayConfig& c);
  absl::Status BuildDirectory(const cfg::GatewayConfig& p, GatewayConfig& c);
  absl::Status BuildOrganization(const cfg::Organization& org,
                                 const TextFormat::ParseInfoTree* tree,
                                 const Location& at, GatewayConfig& c);
  absl::Status BuildProvider(const cfg::Provider& prov, const Location& at,
                             const std::string& org_id, GatewayConfig& c);
  absl::Status BuildStorage(const cfg::GatewayConfig& p, GatewayConfig& c);
  absl::Status BuildKeys(const cfg::GatewayConfig& p, GatewayConfig& c);
  absl::Status BuildLimits(const cfg::GatewayConfig& p, GatewayConfig& c);
  absl::Status BuildConsentLimits(const cfg::GatewayConfig& p,
                                  GatewayConfig& c);
  absl::Status BuildAdmission(const cfg::GatewayConfig& p, GatewayConfig& c);
  absl::Status BuildDurations(const cfg::GatewayConfig& p, GatewayConfig& c);
  absl::Status BuildNetwork(const cfg::GatewayConfig& p, GatewayConfig& c);
  absl::Status BuildDeliveryEndpoint(const cfg::Organization& org,
                                     const TextFormat::ParseInfoTree* tree,
                                     const Location& at,
                                     OrganizationInfo& info) const;
  absl::Status BuildDelivery(const cfg::GatewayConfig& p, GatewayConfig& c);
  absl::Status BuildTransparency(const cfg::GatewayConfig& p, GatewayConfig& c);

  const TextFormat::ParseInfoTree* Nested(const Message& msg,
                                          const TextFormat::ParseInfoTree* tree,
                                          std::string_view field,
                                          int index = -1) const {
    if (tree == nullptr) return nullptr;
    const FieldDescriptor* fd =
        msg.GetDescriptor()->FindFieldByName(std::string(field));
    return fd == nullptr ? nullptr : tree->GetTreeForNested(fd, index);
  }

  std::string source_;
  std::string base_dir_;
  const TextFormat::ParseInfoTree* tree_;
};

Location GatewayConfigBuilder::Locate(const Message& msg,
                                      const TextFormat::ParseInfoTree* tree,
                                      std::string_view parent_path,
                                      std::string_view field_name, int index) {
  Location at;
  at.path = parent_path.empty() ? std::string(field_name)
                                : absl::StrCat(std::string(parent_path), ".",
                                               std::string(field_name));
  if (index >= 0) absl::StrAppend(&at.path, "[", index, "]");
  const FieldDescriptor* fd =
      msg.GetDescriptor()->FindFieldByName(std::string(field_name));
  // A repeated field has a location per element only: asking for the field
  // as a whole (an empty `principals`, say) would throw inside protobuf.
  if (tree != nullptr && fd != nullptr && (!fd->is_repeated() || index >= 0)) {
    const auto loc = tree->GetLocation(fd, fd->is_repeated() ? index : -1);
    if (loc.line >= 0) at.line = loc.line + 1;
  }
  return at;
}

std::string GatewayConfigBuilder::ResolvePath(const std::string& path) const {
  std::filesystem::path p(path);
  if (p.is_absolute() || base_dir_.empty()) return p.lexically_normal();
  return (std::filesystem::path(base_dir_) / p).lexically_normal();
}

absl::Status GatewayConfigBuilder::RequireString(
    const Message& msg, const TextFormat::ParseInfoTree* tree,
    std::string_view parent, std::string_view field,
    const std::string& value) const {
  if (!absl::StripAsciiWhitespace(value).empty()) return absl::OkStatus();
  return Error(Locate(msg, tree, parent, field), "required");
}

absl::Status GatewayConfigBuilder::BuildTls(const cfg::GatewayConfig& p,
                                            GatewayConfig& c) {
  if (!p.has_tls()) return Error(Locate(p, tree_, "", "tls"), "required");
  const auto* t = Nested(p, tree_, "tls");
  const cfg::TlsConfig& tls = p.tls();
  CG_RETURN_IF_ERROR(
      RequireString(tls, t, "tls", "ca_cert_file", tls.ca_cert_file()));
  CG_RETURN_IF_ERROR(
      RequireString(tls, t, "tls", "server_cert_file", tls.server_cert_file()));
  CG_RETURN_IF_ERROR(
      RequireString(tls, t, "tls", "server_key_file", tls.server_key_file()));
  c.ca_cert_file_ = ResolvePath(tls.ca_cert_file());
  c.server_cert_file_ = ResolvePath(tls.server_cert_file());
  c.server_key_file_ = ResolvePath(tls.server_key_file());
  return absl::OkStatus();
}

absl::Status GatewayConfigBuilder::BuildPrincipals(const cfg::GatewayConfig& p,
                                                   GatewayConfig& c) {
  if (p.principals().empty()) {
    return Error(Locate(p, tree_, "", "principals"), "at least one required");
  }
  for (int i = 0; i < p.principals_size(); ++i) {
    const cfg::Principal& pr = p.principals(i);
    const Location at = Locate(p, tree_, "", "principals", i);
    const auto err = [&](std::string_view field, std::string_view problem) {
      return Error({absl::StrCat(at.path, ".", std::string(field)), at.line},
                   problem);
    };
    if (pr.principal_id().empty()) return err("principal_id", "required");
    if (!IsValidId(pr.principal_id(), 256)) {
      return err("principal_id", "must match [A-Za-z0-9][A-Za-z0-9._:-]*");
    }
    if (pr.role() == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(pr.role())) {
      return err("role", "required");
    }
    const bool needs_org =
        pr.role() == v1::ROLE_THERAPIST || pr.role() == v1::ROLE_CLINIC;
    if (needs_org && pr.org_id().empty()) {
      return err("org_id", "required for THERAPIST and CLINIC principals");
    }
    if (!pr.org_id().empty() &&
        c.directory_.FindOrganization(pr.org_id()) == nullptr) {
      return err("org_id",
                 absl::StrCat("unknown organization \"", pr.org_id(), "\""));
    }
    PrincipalInfo info{pr.principal_id(), pr.role(), pr.org_id(),
                       pr.disabled()};
    if (!c.principals_.emplace(pr.principal_id(), std::move(info)).second) {
      return err("principal_id",
                 absl::StrCat("duplicate \"", pr.principal_id(), "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status GatewayConfigBuilder::BuildProvider(const cfg::Provider& prov,
                                                 const Location& at,
                                                 const std::string& org_id,
                                                 GatewayConfig& c) {
  const auto err = [&](std::string_view field, std::string_view problem) {
    return Error({absl::StrCat(at.path, ".", std::string(field)), at.line},
                 problem);
  };
  if (prov.provider_id().empty()) return err("provider_id", "required");
  if (!IsValidId(prov.provider_id(), 256)) {
    return err("provider_id", "must match [A-Za-z0-9][A-Za-z0-9._:-]*");
  }
  if (!IsValidNpi(prov.npi())) {
    return err("npi", "must be 10 digits passing the NPI Luhn check");
  }
  if (prov.name().empty()) return err("name", "required");
  if (prov.specialty() == v1::SPECIALTY_UNSPECIFIED ||
      !v1::Specialty_IsValid(prov.specialty())) {
    return err("specialty", "required");
  }
  ProviderInfo info{prov.provider_id(), prov.npi(), prov.name(),
                    prov.specialty(), org_id};
  if (!c.directory_.providers_.emplace(prov.provider_id(), std::move(info))
           .second) {
    return err("provider_id",
               absl::StrCat("duplicate \"", prov.provider_id(), "\""));
  }
  return absl::OkStatus();
}

absl::Status GatewayConfigBuilder::BuildOrganization(
    const cfg::Organization& org, const TextFormat::ParseInfoTree* tree,
    const Location& at, GatewayConfig& c) {
  const auto err = [&](std::string_view field, std::string_view problem) {
    return Error({absl::StrCat(at.path, ".", std::string(field)), at.line},
                 problem);
  };
  if (org.org_id().empty()) return err("org_id", "required");
  if (!IsValidId(org.org_id(), 256)) {
    return err("org_id", "must match [A-Za-z0-9][A-Za-z0-9._:-]*");
  }
  if (org.display_name().empty()) return err("display_name", "required");
  if (org.kind() == v1::ORGANIZATION_KIND_UNSPECIFIED ||
      !v1::OrganizationKind_IsValid(org.kind())) {
    return err("kind", "required");
  }
  OrganizationInfo info{
      org.org_id(), org.display_name(), org.kind(), org.address(), {}, {}};
  for (int j = 0; j < org.providers_size(); ++j) {
    Location prov_at = Locate(org, tree, at.path, "providers", j);
    if (prov_at.line == 0) prov_at.line = at.line;
    CG_RETURN_IF_ERROR(
        BuildProvider(org.providers(j), prov_at, org.org_id(), c));
    info.provider_ids.push_back(org.providers(j).provider_id());
  }
  CG_RETURN_IF_ERROR(BuildDeliveryEndpoint(org, tree, at, info));
  if (!c.directory_.organizations_.emplace(org.org_id(), std::move(info))
           .second) {
    return err("org_id", absl::StrCat("duplicate \"", org.org_id(), "\""));
  }
  return absl::OkStatus();
}

absl::Status GatewayConfigBuilder::BuildDirectory(const cfg::GatewayConfig& p,
                                                  GatewayConfig& c) {
  const auto* dir_tree = Nested(p, tree_, "directory");
  const cfg::Directory& dir = p.directory();
  for (int i = 0; i < dir.organizations_size(); ++i) {
    const Location at = Locate(dir, dir_tree, "directory", "organizations", i);
    CG_RETURN_IF_ERROR(
        BuildOrganization(dir.organizations(i),
                          Nested(dir, dir_tree, "organizations", i), at, c));
  }
  return absl::OkStatus();
}

absl::Status GatewayConfigBuilder::BuildStorage(const cfg::GatewayConfig& p,
                                                GatewayConfig& c) {
  const Location at = Locate(p, tree_, "", "storage");
  switch (p.storage().backend_case()) {
    case cfg::StorageConfig::kSqlite:
      if (p.storage().sqlite().path().empty()) {
        return Error({"storage.sqlite.path", at.line}, "required");
      }
      c.sqlite_path_ = ResolvePath(p.storage().sqlite().path());
      return absl::OkStatus();
    case cfg::StorageConfig::kPostgres:
      if (p.storage().postgres().conninfo().empty()) {
        return Error({"storage.postgres.conninfo", at.line}, "required");
      }
      c.postgres_conninfo_ = p.storage().postgres().conninfo();
      return absl::OkStatus();
    default:
      return Error(at, "required: one of sqlite or postgres");
  }
}

absl::Status GatewayConfigBuilder::BuildKeys(const cfg::GatewayConfig& p,
                                             GatewayConfig& c) {
  if (!p.has_keys()) return Error(Locate(p, tree_, "", "keys"), "required");
  const auto* t = Nested(p, tree_, "keys");
  const cfg::KeyFiles& k = p.keys();
  CG_RETURN_IF_ERROR(RequireString(k, t, "keys", "audit_signing_key_file",
                                   k.audit_signing_key_file()));
  CG_RETURN_IF_ERROR(RequireString(k, t, "keys",
                                   "audit_signing_public_key_file",
                                   k.audit_signing_public_key_file()));
  CG_RETURN_IF_ERROR(
      RequireString(k, t, "keys", "data_key_file", k.data_key_file()));
  CG_RETURN_IF_ERROR(
      RequireString(k, t, "keys", "data_key_id", k.data_key_id()));
  if (!IsValidId(k.data_key_id(), 64)) {
    return Error(Locate(k, t, "keys", "data_key_id"),
                 "must match [A-Za-z0-9][A-Za-z0-9._:-]*, at most 64");
  }
  c.signing_key_file_ = ResolvePath(k.audit_signing_key_file());
  c.signing_public_key_file_ = ResolvePath(k.audit_signing_public_key_file());
  c.data_key_file_ = ResolvePath(k.data_key_file());
  c.data_key_id_ = k.data_key_id();
  if (!k.content_digest_key_file().empty()) {
    c.content_digest_key_file_ = ResolvePath(k.content_digest_key_file());
  }
  return absl::OkStatus();
}

absl::Status GatewayConfigBuilder::BuildLimits(const cfg::GatewayConfig& p,
                                               GatewayConfig& c) {
  const auto* t = Nested(p, tree_, "limits");
  const cfg::Limits& l = p.limits();
  const auto check = [&](std::string_view field, int64_t value) {
    return value < 0 ? Error(Locate(l, t, "limits", field), "must be >= 0")
                     : absl::OkStatus();
  };
  CG_RETURN_IF_ERROR(
      check("max_section_body_bytes", l.max_section_body_bytes()));
  CG_RETURN_IF_ERROR(check("max_sections", l.max_sections()));
  CG_RETURN_IF_ERROR(check("max_request_bytes", l.max_request_bytes()));
  CG_RETURN_IF_ERROR(check("max_id_length", l.max_id_length()));
  if (l.max_section_body_bytes() > 0) {
    c.limits_.max_section_body_bytes = l.max_section_body_bytes();
  }
  if (l.max_sections() > 0) c.limits_.max_sections = l.max_sections();
  if (l.max_request_bytes() > 0) {
    c.limits_.max_request_bytes = l.max_request_bytes();
  }
  if (l.max_id_length() > 0) c.limits_.max_id_length = l.max_id_length();
  return BuildConsentLimits(p, c);
}

absl::Status GatewayConfigBuilder::BuildConsentLimits(
    const cfg::GatewayConfig& p, GatewayConfig& c) {
  const auto* t = Nested(p, tree_, "limits");
  const cfg::Limits& l = p.limits();
  InputLimits& out = c.limits_;
  if (l.has_earliest_signed_at()) {
    const auto& ts = l.earliest_signed_at();
    if (ts.seconds() < 0 || ts.nanos() < 0 || ts.nanos() >= 1000000000) {
      return Error(Locate(l, t, "limits", "earliest_signed_at"),
                   "must be a time after 1970-01-01");
    }
    out.earliest_signed_at =
        absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
  }
  const google::protobuf::Duration& term = l.max_consent_term();
  if (term.seconds() < 0 || term.nanos() < 0) {
    return Error(Locate(l, t, "limits", "max_consent_term"), "must be >= 0");
  }
  if (term.seconds() > 0 || term.nanos() > 0) {
    out.max_consent_term =
        absl::Seconds(term.seconds()) + absl::Nanoseconds(term.nanos());
  }
  if (l.max_consents_per_patient() < 0) {
    return Error(Locate(l, t, "limits", "max_consents_per_patient"),
                 "must be >= 0");
  }
  if (l.max_consents_per_patient() > 0) {
    out.max_consents_per_patient = l.max_consents_per_patient();
  }
  return absl::OkStatus();
}

absl::Status GatewayConfigBuilder::BuildAdmission(const cfg::GatewayConfig& p,
                                                  GatewayConfig& c) {
  const auto* t = Nested(p, tree_, "admission");
  const cfg::AdmissionLimits& a = p.admission();
  AdmissionConfig& out = c.admission_;
  const auto at = [&](std::string_view field) {
    return Locate(a, t, "admission", field);
  };
  const auto take = [&](std::string_view field, auto value,
                        auto* target) -> absl::Status {
    if (value < 0) return Error(at(field), "must be >= 0");
    if (value > 0) *target = value;
    return absl::OkStatus();
  };
  CG_RETURN_IF_ERROR(
      take("calls_per_second", a.calls_per_second(), &out.calls_per_second));
  CG_RETURN_IF_ERROR(take("call_burst", a.call_burst(), &out.call_burst));
  CG_RETURN_IF_ERROR(take("refusals_per_second", a.refusals_per_second(),
                          &out.refusals_per_second));
  CG_RETURN_IF_ERROR(
      take("refusal_burst", a.refusal_burst(), &out.refusal_burst));
  CG_RETURN_IF_ERROR(take("max_calls_in_flight", a.max_calls_in_flight(),
                          &out.max_calls_in_flight));
  CG_RETURN_IF_ERROR(take("max_streams_per_principal",
                          a.max_streams_per_principal(),
                          &out.max_streams_per_principal));
  CG_RETURN_IF_ERROR(take("max_streams", a.max_streams(), &out.max_streams));
  CG_RETURN_IF_ERROR(take("max_request_bytes_in_flight",
                          a.max_request_bytes_in_flight(),
                          &out.max_request_bytes_in_flight));
  const google::protobuf::Duration& w = a.refusal_audit_window();
  if (w.seconds() < 0 || w.nanos() < 0 || w.seconds() > 3600) {
    return Error(at("refusal_audit_window"), "must be within (0s, 3600s]");
  }
  if (w.seconds() > 0 || w.nanos() > 0) {
    out.refusal_audit_window =
        absl::Seconds(w.seconds()) + absl::Nanoseconds(w.nanos());
  }
  return absl::OkStatus();
}

absl::Status GatewayConfigBuilder::BuildDurations(const cfg::GatewayConfig& p,
                                                  GatewayConfig& c) {
  const auto duration = [&](std::string_view field,
                            const google::protobuf::Duration& d,
                            absl::Duration* out) -> absl::Status {
    if (d.seconds() == 0 && d.nanos() == 0) return absl::OkStatus();
    if (d.seconds() < 0 || d.nanos() < 0 || d.seconds() > 3600) {
      return Error(Locate(p, tree_, "", field), "must be within (0s, 3600s]");
    }
    *out = absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
    return absl::OkStatus();
  };
  CG_RETURN_IF_ERROR(
      duration("shutdown_grace", p.shutdown_grace(), &c.shutdown_grace_));
  return duration("checkpoint_interval", p.checkpoint_interval(),
                  &c.checkpoint_interval_);
}

absl::Status GatewayConfigBuilder::BuildTransparency(
    const cfg::GatewayConfig& p, GatewayConfig& c) {
  // The origin names the log's note key too (docs/transparency.md).
  if (absl::Status s = tlog::CheckKeyName(p.checkpoint_origin()); !s.ok()) {
    return Error(Locate(p, tree_, "", "checkpoint_origin"),
                 absl::StrCat("must be usable as a signed-note key name: ",
                              s.message()));
  }
  for (int i = 0; i < p.witnesses_size(); ++i) {
    const cfg::Witness& w = p.witnesses(i);
    const auto* t = Nested(p, tree_, "witnesses", i);
    const std::string at = absl::StrCat("witnesses[", i, "]");
    CG_RETURN_IF_ERROR(RequireString(w, t, at, "url", w.url()));
    if (!absl::StartsWith(w.url(), "http://") &&
        !absl::StartsWith(w.url(), "https://")) {
      return Error(Locate(w, t, at, "url"),
                   "must start with http:// or https://");
    }
    CG_RETURN_IF_ERROR(
        RequireString(w, t, at, "verifier_key", w.verifier_key()));
    auto verifier = tlog::NoteVerifier::FromVerifierKey(w.verifier_key());
    if (!verifier.ok()) {
      return Error(Locate(w, t, at, "verifier_key"),
                   std::string(verifier.status().message()));
    }
    if ((*verifier)->type() != tlog::NoteKeyType::kCosignatureV1) {
      return Error(Locate(w, t, at, "verifier_key"),
                   "must be a cosignature/v1 key (type 0x04)");
    }
    c.witnesses_.push_back({w.url(), w.verifier_key()});
  }
  const int min = p.witness_policy().min_cosignatures();
  if (min < 0 || min > p.witnesses_size()) {
    return Error(Locate(p.witness_policy(), Nested(p, tree_, "witness_policy"),
                        "witness_policy", "min_cosignatures"),
                 absl::StrCat("must be within [0, ", p.witnesses_size(),
                              "] (the number of witnesses)"));
  }
  c.min_cosignatures_ = min == 0 ? p.witnesses_size() : min;
  return absl::OkStatus();
}

absl::Status GatewayConfigBuilder::BuildNetwork(const cfg::GatewayConfig& p,
                                                GatewayConfig& c) {
  const auto* t = Nested(p, tree_, "network");
  const cfg::NetworkConfig& n = p.network();
  NetworkSettings& out = c.network_;
  if (n.max_connections() != 0 && n.max_connections() < 64) {
    return Error(Locate(n, t, "network", "max_connections"),
                 "must be 0 (derived from the open file limit) or at least 64");
  }
  out.max_connections = n.max_connections();
  // A field left at 0 keeps its default; otherwise within (0, max].
  const auto duration =
      [&](std::string_view field, const google::protobuf::Duration& d,
          absl::Duration max, absl::Duration* value) -> absl::Status {
    if (d.seconds() == 0 && d.nanos() == 0) return absl::OkStatus();
    const absl::Duration v =
        absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
    if (v <= absl::ZeroDuration() || v > max) {
      return Error(
          Locate(n, t, "network", field),
          absl::StrCat("must be within (0s, ", absl::FormatDuration(max), "]"));
    }
    *value = v;
    return absl::OkStatus();
  };
  CG_RETURN_IF_ERROR(duration("handshake_timeout", n.handshake_timeout(),
                              absl::Seconds(120), &out.handshake_timeout));
  CG_RETURN_IF_ERROR(duration("max_connection_idle", n.max_connection_idle(),
                              absl::Hours(24), &out.max_connection_idle));
  CG_RETURN_IF_ERROR(duration("watchdog_interval", n.watchdog_interval(),
                              absl::Minutes(5), &out.watchdog_interval));
  CG_RETURN_IF_ERROR(duration("watchdog_failure_limit",
                              n.watchdog_failure_limit(), absl::Hours(1),
                              &out.watchdog_failure_limit));
  if (out.watchdog_failure_limit < out.watchdog_interval) {
    return Error(Locate(n, t, "network", "watchdog_failure_limit"),
                 "must be at least watchdog_interval");
  }
  return absl::OkStatus();
}

absl::Status GatewayConfigBuilder::BuildDeliveryEndpoint(
    const cfg::Organization& org, const TextFormat::ParseInfoTree* tree,
    const Location& at, OrganizationInfo& info) const {
  const auto problem = config_internal::ReadDeliveryEndpoint(
      org, [this](const std::string& path) { return ResolvePath(path); },
      &info.delivery);
  if (!problem) return absl::OkStatus();
  Location block = Locate(org, tree, at.path, org.has_grpc() ? "grpc" : "fhir");
  return Error({absl::StrCat(at.path, ".", problem->field),
                block.line > 0 ? block.line : at.line},
               problem->problem);
}

absl::Status GatewayConfigBuilder::BuildDelivery(const cfg::GatewayConfig& p,
                                                 GatewayConfig& c) {
  bool any_push_endpoint = false;
  for (const auto& [id, org] : c.directory_.organizations_) {
    any_push_endpoint |= org.delivery.kind != DeliveryEndpoint::Kind::kNone;
  }
  if (const auto problem = config_internal::ReadDeliveryKeys(
          p.keys(), any_push_endpoint,
          [this](const std::string& path) { return ResolvePath(path); },
          &c.delivery_cert_file_, &c.delivery_key_file_)) {
    Location at =
        Locate(p.keys(), Nested(p, tree_, "keys"), "keys", problem->field);
    if (at.line == 0) at.line = Locate(p, tree_, "", "keys").line;
    return Error(at, problem->problem);
  }
  if (const auto problem = config_internal::ReadDeliveryPolicy(
          p.delivery_policy(), &c.delivery_policy_)) {
    return Error(
        Locate(p.delivery_policy(), Nested(p, tree_, "delivery_policy"),
               "delivery_policy", problem->field),
        problem->problem);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const GatewayConfig>>
GatewayConfigBuilder::Build(const cfg::GatewayConfig& p) {
  std::shared_ptr<GatewayConfig> c(new GatewayConfig());
  CG_RETURN_IF_ERROR(
      RequireString(p, tree_, "", "listen_address", p.listen_address()));
  if (p.listen_address().find(':') == std::string::npos) {
    return Error(Locate(p, tree_, "", "listen_address"), "must be host:port");
  }
  c->listen_address_ = p.listen_address();
  CG_RETURN_IF_ERROR(BuildTls(p, *c));
  CG_RETURN_IF_ERROR(
      RequireString(p, tree_, "", "trust_domain", p.trust_domain()));
  c->trust_domain_ = p.trust_domain();
  CG_RETURN_IF_ERROR(BuildDirectory(p, *c));
  CG_RETURN_IF_ERROR(BuildPrincipals(p, *c));
  CG_RETURN_IF_ERROR(BuildStorage(p, *c));
  CG_RETURN_IF_ERROR(BuildKeys(p, *c));
  CG_RETURN_IF_ERROR(BuildDelivery(p, *c));
  CG_RETURN_IF_ERROR(BuildLimits(p, *c));
  CG_RETURN_IF_ERROR(BuildAdmission(p, *c));
  CG_RETURN_IF_ERROR(RequireString(p, tree_, "", "redisclosure_notice",
                                   p.redisclosure_notice()));
  c->redisclosure_notice_ = p.redisclosure_notice();
  CG_RETURN_IF_ERROR(
      RequireString(p, tree_, "", "checkpoint_origin", p.checkpoint_origin()));
  if (p.checkpoint_origin().find('\n') != std::string::npos) {
    return Error(Locate(p, tree_, "", "checkpoint_origin"), "must be one line");
  }
  c->checkpoint_origin_ = p.checkpoint_origin();
  CG_RETURN_IF_ERROR(BuildTransparency(p, *c));
  CG_RETURN_IF_ERROR(BuildDurations(p, *c));
  CG_RETURN_IF_ERROR(BuildNetwork(p, *c));
  return std::shared_ptr<const GatewayConfig>(std::move(c));
}

absl::StatusOr<std::shared_ptr<const GatewayConfig>> GatewayConfig::FromText(
    std::string_view text, std::string_view source_name,
    std::string_view base_dir) {
  cfg::GatewayConfig proto;
  TextFormat::ParseInfoTree tree;
  FirstErrorCollector errors;
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(std::string(text), &proto)) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(source_name), ":", errors.error()));
  }
  GatewayConfigBuilder builder(source_name, base_dir, &tree);
  return builder.Build(proto);
}

absl::StatusOr<std::shared_ptr<const GatewayConfig>> GatewayConfig::LoadFile(
    const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileContents(path);
  if (!text.ok()) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open config file"));
  }
  const std::string base_dir =
      std::filesystem::absolute(path).parent_path().string();
  return FromText(*text, path, base_dir);
}

const PrincipalInfo* GatewayConfig::FindPrincipal(
    std::string_view principal_id) const {
  auto it = principals_.find(AsAbsl(principal_id));
  return it == principals_.end() ? nullptr : &it->second;
}

const OrganizationInfo* Directory::FindOrganization(
    std::string_view org_id) const {
  auto it = organizations_.find(AsAbsl(org_id));
  return it == organizations_.end() ? nullptr : &it->second;
}

const ProviderInfo* Directory::FindProvider(
    std::string_view provider_id) const {
  auto it = providers_.find(AsAbsl(provider_id));
  return it == providers_.end() ? nullptr : &it->second;
}

bool IsValidId(std::string_view id, int max_length) {
  if (id.empty() || static_cast<int>(id.size()) > max_length) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char ch = id[i];
    const bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                       (ch >= '0' && ch <= '9');
    if (alnum) continue;
    if (i > 0 && (ch == '.' || ch == '_' || ch == ':' || ch == '-')) continue;
    return false;
  }
  return true;
}

}  // namespace caregate
