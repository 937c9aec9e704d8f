#include "services/pki/config_field_notes.h"

#include <map>
#include <string>

namespace caregate::pki {
namespace {

using NoteMap = std::map<std::string_view, FieldNote>;

// Keyed by the field's full name without the "caregate.config.v1." package.
const NoteMap& Notes() {
  static const auto* notes = new NoteMap{
      // GatewayConfig
      {"GatewayConfig.listen_address",
       {"Where the gateway serves gRPC (mTLS only), as host:port. Use "
        "0.0.0.0:7443 or [::]:7443 to serve on every interface."}},
      {"GatewayConfig.tls",
       {"TLS files. Every caller must present a client certificate that "
        "chains to ca_cert_file."}},
      {"GatewayConfig.trust_domain",
       {"The SPIFFE trust domain. A client certificate names its principal "
        "in the URI SAN spiffe://<trust_domain>/<principal_id>, else in its "
        "subject CN."}},
      {"GatewayConfig.principals",
       {"Who may call the gateway: one block per client certificate. An "
        "unknown or disabled principal gets UNAUTHENTICATED."}},
      {"GatewayConfig.directory",
       {"The organizations and providers that send and receive "
        "disclosures."}},
      {"GatewayConfig.storage",
       {"Where consents, messages and the audit log are kept: exactly one "
        "backend."}},
      {"GatewayConfig.keys",
       {"Key files. Private keys must be readable by the gateway's user "
        "only (mode 0600)."}},
      {"GatewayConfig.limits",
       {"Input size limits. A field left at 0, or the whole block left out, "
        "takes the default shown here.",
        "limits {\n"
        "  max_section_body_bytes: 1048576  # 1 MiB\n"
        "  max_sections: 64\n"
        "  max_request_bytes: 4194304  # 4 MiB\n"
        "  max_id_length: 256\n"
        "}"}},
      {"GatewayConfig.redisclosure_notice",
       {"Appended to every delivered message (42 CFR 2.32 style). Adjacent "
        "quoted strings are joined into one."}},
      {"GatewayConfig.checkpoint_origin",
       {"The first line of every signed audit checkpoint, naming this log "
        "to auditors."}},
      {"GatewayConfig.shutdown_grace",
       {"How long in-flight calls may run after SIGTERM (default 10s).",
        "shutdown_grace { seconds: 10 }"}},
      {"GatewayConfig.checkpoint_interval",
       {"How often the audit head is checkpointed while events arrive "
        "(default 1s).",
        "checkpoint_interval { seconds: 1 }"}},
      {"GatewayConfig.network",
       {"Connection limits, and the watchdog that has a gateway which stopped "
        "serving restarted. A field left at 0, or the whole block left out, "
        "takes the default shown here (see deploy/README.md).",
        "network {\n"
        "  max_connections: 0  # the open file limit - max(128, 1/8), <= 4096\n"
        "  handshake_timeout { seconds: 5 }\n"
        "  max_connection_idle { seconds: 300 }\n"
        "  watchdog_interval { seconds: 5 }\n"
        "  watchdog_failure_limit { seconds: 30 }\n"
        "}"}},
      // TlsConfig
      {"TlsConfig.ca_cert_file",
       {"PEM CA bundle that client certificates must chain to."}},
      {"TlsConfig.server_cert_file",
       {"PEM server certificate chain, leaf first; its SANs must name the "
        "host clients connect to."}},
      {"TlsConfig.server_key_file",
       {"PEM private key of the server certificate (mode 0600)."}},
      // Principal
      {"Principal.principal_id",
       {"The id in the certificate's URI SAN "
        "spiffe://<trust_domain>/<principal_id>, else its subject CN."}},
      {"Principal.role",
       {"ROLE_THERAPIST (consents and disclosures of its practice), "
        "ROLE_CLINIC (its organization's inbox), ROLE_COMPLIANCE (audit log, "
        "read-only consents) or ROLE_ADMIN (directory and principals)."}},
      {"Principal.org_id",
       {"Its organization in the directory: required for ROLE_THERAPIST and "
        "ROLE_CLINIC, empty for the others."}},
      {"Principal.disabled",
       {"Refuses the principal's calls without reissuing its certificate.",
        "disabled: true"}},
      // Directory
      {"Directory.organizations",
       {"One block per organization; org_id values are unique."}},
      // Organization
      {"Organization.org_id",
       {"Unique id, used in consents, disclosures and principals."}},
      {"Organization.display_name",
       {"Name shown in accountings of disclosures."}},
      {"Organization.kind",
       {"ORGANIZATION_KIND_THERAPY_PRACTICE (records consents, sends) or "
        "ORGANIZATION_KIND_PARTNER_CLINIC (receives)."}},
      {"Organization.address",
       {"Postal address, shown in accountings of disclosures."}},
      {"Organization.providers",
       {"Its clinicians; provider_id values are unique across the "
        "directory."}},
      // Provider
      {"Provider.provider_id",
       {"Unique id; a disclosure is addressed to one provider."}},
      {"Provider.npi",
       {"National Provider Identifier: 10 digits, the last a Luhn check "
        "digit over 80840 followed by the first 9."}},
      {"Provider.name", {"Display name."}},
      {"Provider.specialty",
       {"Clinical specialty; a consent may name a specialty instead of one "
        "provider."}},
      // StorageConfig
      {"StorageConfig.sqlite",
       {"Embedded SQLite (WAL; every commit fsync'd before any reply): all "
        "a single practice needs."}},
      {"StorageConfig.postgres",
       {"Or PostgreSQL, shared by several gateway replicas.",
        "postgres { conninfo: \"host=db.example.org dbname=caregate\" }"}},
      {"SqliteStorage.path",
       {"The database file; its directory is created. Back it up with "
        "sqlite3's .backup command while the gateway runs."}},
      {"PostgresStorage.conninfo", {"A libpq connection string."}},
      // KeyFiles
      {"KeyFiles.audit_signing_key_file",
       {"PEM PKCS#8 Ed25519 private key that signs audit checkpoints and "
        "delivered messages (mode 0600)."}},
      {"KeyFiles.audit_signing_public_key_file",
       {"Its PEM public key, published to auditors and clinics so they can "
        "verify signatures offline."}},
      {"KeyFiles.data_key_file",
       {"The AES-256 key that encrypts stored bodies, as 64 hex characters "
        "(mode 0600)."}},
      {"KeyFiles.data_key_id",
       {"Stored beside every ciphertext; give a new key a new id when "
        "rotating."}},
      // Limits
      {"Limits.max_section_body_bytes",
       {"Largest section body, bytes (default 1 MiB)."}},
      {"Limits.max_sections",
       {"Most sections in one disclosure (default 64)."}},
      {"Limits.max_request_bytes",
       {"Largest request message, bytes (default 4 MiB)."}},
      {"Limits.max_id_length", {"Longest id, characters (default 256)."}},
      // NetworkConfig
      {"NetworkConfig.max_connections",
       {"Most files open when a connection is accepted (connections plus "
        "about 20 of the gateway's own); a connection beyond is closed at "
        "once. Default: the open file limit minus max(128, 1/8 of it), at "
        "most 4096."}},
      {"NetworkConfig.handshake_timeout",
       {"A connection that has not finished the TLS handshake by then is "
        "closed (default 5s)."}},
      {"NetworkConfig.max_connection_idle",
       {"A connection without a call for this long is closed (default "
        "5m)."}},
      {"NetworkConfig.watchdog_interval",
       {"How often the gateway probes its own port (default 5s)."}},
      {"NetworkConfig.watchdog_failure_limit",
       {"After this long without a successful probe the gateway exits with "
        "status 3 to be restarted (default 30s); keep it below the unit's "
        "WatchdogSec."}},
  };
  return *notes;
}

constexpr std::string_view kPackagePrefix = "caregate.config.v1.";

}  // namespace

const FieldNote* FindConfigFieldNote(
    const google::protobuf::FieldDescriptor* field) {
  std::string_view name = field->full_name();
  if (name.substr(0, kPackagePrefix.size()) != kPackagePrefix) return nullptr;
  auto it = Notes().find(name.substr(kPackagePrefix.size()));
  return it == Notes().end() ? nullptr : &it->second;
}

}  // namespace caregate::pki
