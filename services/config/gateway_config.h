// The gateway's configuration: one immutable object, built once at startup
// from a protobuf text-format file (schema
// proto/caregate/config/v1/config.proto).
//
// A GatewayConfig is immutable after Load and therefore safe to share between
// threads. Load fails fast: INVALID_ARGUMENT naming the file, the line and the
// field of the first problem found ("caregate.textproto:42: principals[3].role:
// required").
#ifndef CAREGATE_SERVICES_CONFIG_GATEWAY_CONFIG_H_
#define CAREGATE_SERVICES_CONFIG_GATEWAY_CONFIG_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "caregate/config/v1/config.pb.h"
#include "caregate/v1/types.pb.h"
#include "services/config/npi.h"

namespace caregate {

// A provider of the directory.
struct ProviderInfo {
  std::string provider_id;
  std::string npi;
  std::string name;
  v1::Specialty specialty = v1::SPECIALTY_UNSPECIFIED;
  std::string org_id;
};

// Where a partner clinic takes pushed messages (config
// Organization.delivery).
struct DeliveryEndpoint {
  enum class Kind { kNone, kGrpc, kFhir };
  // kNone: no endpoint; the clinic pulls from its inbox.
  Kind kind = Kind::kNone;
  // kGrpc: "host:port" of a CareReceiver; kFhir: the https base URL, without
  // a trailing '/'.
  std::string address;
  // PEM CA bundle the endpoint's server certificate must chain to; absolute.
  std::string ca_cert_file;
  // kGrpc: the name the server certificate must carry; empty: the host of
  // `address`.
  std::string server_name;
};

// An organization of the directory.
struct OrganizationInfo {
  std::string org_id;
  std::string display_name;
  v1::OrganizationKind kind = v1::ORGANIZATION_KIND_UNSPECIFIED;
  std::string address;
  std::vector<std::string> provider_ids;
  // Partner clinics only; kNone for every practice.
  DeliveryEndpoint delivery;
};

// The organizations and providers the gateway knows. Immutable.
class Directory {
 public:
  // nullptr when unknown.
  const OrganizationInfo* FindOrganization(std::string_view org_id) const;
  const ProviderInfo* FindProvider(std::string_view provider_id) const;
  size_t organization_count() const { return organizations_.size(); }
  // Every organization, by id.
  const absl::flat_hash_map<std::string, OrganizationInfo>& organizations()
      const {
    return organizations_;
  }

 private:
  friend class GatewayConfigBuilder;
  absl::flat_hash_map<std::string, OrganizationInfo> organizations_;
  absl::flat_hash_map<std::string, ProviderInfo> providers_;
};

// A caller of the gateway, as configured.
struct PrincipalInfo {
  std::string principal_id;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string org_id;  // empty for COMPLIANCE and ADMIN without an org
  bool disabled = false;
};

// Input limits, defaults filled in.
struct InputLimits {
  int64_t max_section_body_bytes = 1 << 20;
  int max_sections = 64;
  int64_t max_request_bytes = 4 << 20;
  int max_id_length = 256;
  // Bounds of a consent form's dates.
  absl::Time earliest_signed_at =
      absl::FromUnixSeconds(946684800);  // 2000-01-01
  absl::Duration max_consent_term = absl::Hours(24 * 3653);
  int max_consents_per_patient = 1000;
};

// What one principal may ask of the gateway (config AdmissionLimits),
// defaults filled in.
struct AdmissionConfig {
  double calls_per_second = 100000;
  int call_burst = 20000;
  double refusals_per_second = 5;
  int refusal_burst = 50;
  int max_calls_in_flight = 512;
  int max_streams_per_principal = 4;
  int max_streams = 32;
  absl::Duration refusal_audit_window = absl::Seconds(10);
  int64_t max_request_bytes_in_flight = 64 << 20;
};

// Connection limits and the watchdog (NetworkConfig), defaults filled in.
struct NetworkSettings {
  // 0: derived from the open file limit when the gateway starts.
  int max_connections = 0;
  absl::Duration handshake_timeout = absl::Seconds(5);
  absl::Duration max_connection_idle = absl::Minutes(5);
  absl::Duration watchdog_interval = absl::Seconds(5);
  absl::Duration watchdog_failure_limit = absl::Seconds(30);
};

// Push delivery's retries and limits (config DeliveryPolicy), defaults
// filled in. initial_backoff <= max_backoff.
struct DeliveryPolicyConfig {
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(5);
  int max_attempts = 2000;
  absl::Duration max_age = absl::Hours(72);
  int max_in_flight_per_endpoint = 8;
  absl::Duration attempt_timeout = absl::Seconds(30);
};

// One witness of the audit log (config Witness): its URL and its
// cosignature/v1 verifier key, both checked.
struct WitnessInfo {
  std::string url;
  std::string verifier_key;
};

// The validated configuration. Paths are absolute (resolved against the
// config file's directory).
class GatewayConfig {
 public:
  // Reads, parses and validates `path`.
  static absl::StatusOr<std::shared_ptr<const GatewayConfig>> LoadFile(
      const std::string& path);
  // Parses and validates `text`; `source_name` prefixes error messages and
  // `base_dir` resolves relative paths.
  static absl::StatusOr<std::shared_ptr<const GatewayConfig>> FromText(
      std::string_view text, std::string_view source_name,
      std::string_view base_dir);

  const std::string& listen_address() const { return listen_address_; }
  const std::string& ca_cert_file() const { return ca_cert_file_; }
  const std::string& server_cert_file() const { return server_cert_file_; }
  const std::string& server_key_file() const { return server_key_file_; }
  const std::string& trust_domain() const { return trust_domain_; }
  // nullptr when no principal has this id.
  const PrincipalInfo* FindPrincipal(std::string_view principal_id) const;
  // Every configured principal, by id.
  const absl::flat_hash_map<std::string, PrincipalInfo>& principals() const {
    return principals_;
  }
  const Directory& directory() const { return directory_; }
  // Exactly one of these is non-empty.
  const std::string& sqlite_path() const { return sqlite_path_; }
  const std::string& postgres_conninfo() const { return postgres_conninfo_; }
  const std::string& audit_signing_key_file() const {
    return signing_key_file_;
  }
  const std::string& audit_signing_public_key_file() const {
    return signing_public_key_file_;
  }
  const std::string& data_key_file() const { return data_key_file_; }
  const std::string& data_key_id() const { return data_key_id_; }
  // Empty when not configured (the digest key is derived from the data key).
  const std::string& content_digest_key_file() const {
    return content_digest_key_file_;
  }
  // The client certificate and key of push delivery; both empty when not
  // configured, which is allowed only when no organization has a delivery
  // block.
  const std::string& delivery_cert_file() const { return delivery_cert_file_; }
  const std::string& delivery_key_file() const { return delivery_key_file_; }
  const DeliveryPolicyConfig& delivery_policy() const {
    return delivery_policy_;
  }
  const InputLimits& limits() const { return limits_; }
  const AdmissionConfig& admission() const { return admission_; }
  const std::string& redisclosure_notice() const {
    return redisclosure_notice_;
  }
  const std::string& checkpoint_origin() const { return checkpoint_origin_; }
  absl::Duration shutdown_grace() const { return shutdown_grace_; }
  absl::Duration checkpoint_interval() const { return checkpoint_interval_; }
  const NetworkSettings& network() const { return network_; }
  // The audit log's witnesses (url, verifier key), in configuration order.
  const std::vector<WitnessInfo>& witnesses() const { return witnesses_; }
  // Cosignatures that make a checkpoint witnessed (0 without witnesses).
  int min_cosignatures() const { return min_cosignatures_; }

 private:
  friend class GatewayConfigBuilder;
  GatewayConfig() = default;

  std::string listen_address_;
  std::string ca_cert_file_;
  std::string server_cert_file_;
  std::string server_key_file_;
  std::string trust_domain_;
  absl::flat_hash_map<std::string, PrincipalInfo> principals_;
  Directory directory_;
  std::string sqlite_path_;
  std::string postgres_conninfo_;
  std::string signing_key_file_;
  std::string signing_public_key_file_;
  std::string data_key_file_;
  std::string data_key_id_;
  std::string content_digest_key_file_;
  std::string delivery_cert_file_;
  std::string delivery_key_file_;
  DeliveryPolicyConfig delivery_policy_;
  InputLimits limits_;
  AdmissionConfig admission_;
  std::string redisclosure_notice_;
  std::string checkpoint_origin_;
  absl::Duration shutdown_grace_ = absl::Seconds(10);
  absl::Duration checkpoint_interval_ = absl::Seconds(1);
  NetworkSettings network_;
  std::vector<WitnessInfo> witnesses_;
  int min_cosignatures_ = 0;
};

// True for an id usable as principal, organization, provider, patient or
// request id: 1..max_length characters of [A-Za-z0-9._:-], starting with a
// letter or digit.
bool IsValidId(std::string_view id, int max_length);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CONFIG_GATEWAY_CONFIG_H_
