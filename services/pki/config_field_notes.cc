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
        "  earliest_signed_at { seconds: 946684800 }  # 2000-01-01\n"
        "  max_consent_term { seconds: 315619200 }  # 3653 days\n"
        "  max_consents_per_patient: 1000\n"
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
      {"GatewayConfig.admission",
       {"What one principal may ask of the gateway. A field left at 0, or "
        "the whole block left out, takes the default shown here. Over a "
        "limit a call gets RESOURCE_EXHAUSTED with a retry delay.",
        "admission {\n"
        "  calls_per_second: 100000\n"
        "  call_burst: 20000\n"
        "  refusals_per_second: 5\n"
        "  refusal_burst: 50\n"
        "  max_calls_in_flight: 512\n"
        "  max_streams_per_principal: 4\n"
        "  max_streams: 32\n"
        "  refusal_audit_window { seconds: 10 }\n"
        "  max_request_bytes_in_flight: 67108864  # 64 MiB\n"
        "}"}},
      // AdmissionLimits
      {"AdmissionLimits.calls_per_second",
       {"Calls one principal may start per second, sustained."}},
      {"AdmissionLimits.call_burst",
       {"Calls one principal may start at once above that rate."}},
      {"AdmissionLimits.refusals_per_second",
       {"Refused calls (a role that may not call the RPC, an id that is "
        "unknown or belongs to another organization) one principal may make "
        "per second."}},
      {"AdmissionLimits.refusal_burst",
       {"Refused calls one principal may make at once above that rate."}},
      {"AdmissionLimits.max_calls_in_flight",
       {"Unary calls of one principal in flight at once."}},
      {"AdmissionLimits.max_streams_per_principal",
       {"Inbox streams one principal may hold open at once."}},
      {"AdmissionLimits.max_streams",
       {"Inbox streams open at once, all principals together; with the "
        "per-stream buffer this bounds the memory streams may pin."}},
      {"AdmissionLimits.max_request_bytes_in_flight",
       {"Bytes of requests the gateway holds at once, all principals "
        "together; with max_streams it bounds the gateway's memory "
        "(deploy/README.md)."}},
      {"AdmissionLimits.refusal_audit_window",
       {"Identical refusals within this window are audited as one event "
        "with their count."}},
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
      {"GatewayConfig.delivery_policy",
       {"Push delivery to clinics with a grpc or fhir block: retries with "
        "exponential backoff and full jitter, until max_attempts or max_age "
        "fail the message (compliance can retry it). A field left unset, or "
        "the whole block left out, takes the default shown here.",
        "delivery_policy {\n"
        "  initial_backoff { seconds: 1 }\n"
        "  max_backoff { seconds: 300 }  # 5 minutes\n"
        "  max_attempts: 2000\n"
        "  max_age { seconds: 259200 }  # 72 hours\n"
        "  max_in_flight_per_endpoint: 8\n"
        "  attempt_timeout { seconds: 30 }\n"
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
      {"Organization.grpc",
       {"Push this clinic's messages to its caregate.receiver.v1.CareReceiver "
        "endpoint (e.g. caregate-receiver) over mTLS, instead of waiting for "
        "it to pull. Partner clinics only; a clinic has grpc, fhir or "
        "neither."}},
      {"Organization.fhir",
       {"Push this clinic's messages to its FHIR R4 server as message "
        "Bundles (POST {base_url}/$process-message). Partner clinics only."}},
      // GrpcDelivery
      {"GatewayConfig.witnesses",
       {"Witnesses (C2SP tlog-witness, e.g. caregate-witness) that cosign "
        "the audit log's checkpoints. At start the gateway refuses to serve "
        "when its log is not consistent with what a witness has cosigned. "
        "None by default.",
        "witnesses {\n"
        "  url: \"http://127.0.0.1:7380\"\n"
        "  verifier_key: \"witness.example+01234567+BA...\"\n"
        "}"}},
      {"GatewayConfig.witness_policy",
       {"How many witness cosignatures make a checkpoint witnessed "
        "(default: every configured witness)."}},
      {"Witness.url",
       {"The witness's base URL; add-checkpoint requests go to "
        "{url}/add-checkpoint."}},
      {"Witness.verifier_key",
       {"The witness's cosignature/v1 verifier key: the first line "
        "caregate-witness prints."}},
      {"WitnessPolicy.min_cosignatures",
       {"Cosignatures a checkpoint needs to count as witnessed; at most the "
        "number of witnesses (0: all of them)."}},
      {"GrpcDelivery.endpoint", {"host:port of the clinic's CareReceiver."}},
      {"GrpcDelivery.ca_cert_file",
       {"PEM CA bundle the receiver's server certificate must chain to."}},
      {"GrpcDelivery.server_name",
       {"The name the receiver's certificate must carry, when it is not the "
        "endpoint's host."}},
      // FhirDelivery
      {"FhirDelivery.base_url",
       {"The FHIR server's base URL, https only; messages go to "
        "{base_url}/$process-message."}},
      {"FhirDelivery.ca_cert_file",
       {"PEM CA bundle the server's certificate must chain to (for a "
        "publicly trusted server: /etc/ssl/certs/ca-certificates.crt)."}},
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
      {"KeyFiles.content_digest_key_file",
       {"The HMAC-SHA256 key of stored digests nobody outside needs to "
        "recompute (a denied disclosure's content, request fingerprints), "
        "as 64 hex characters (mode 0600). Left out: derived from the data "
        "key."}},
      {"KeyFiles.delivery_cert_file",
       {"PEM client certificate the gateway presents to clinics' push "
        "endpoints; required when a clinic has a grpc or fhir block."}},
      {"KeyFiles.delivery_key_file",
       {"PEM private key of delivery_cert_file (mode 0600)."}},
      // DeliveryPolicy
      {"DeliveryPolicy.initial_backoff",
       {"Longest wait before the first retry (default 1s). Retry n waits a "
        "uniformly random time up to initial_backoff * 2^(n-1), at most "
        "max_backoff."}},
      {"DeliveryPolicy.max_backoff",
       {"Longest wait between two attempts (default 5m)."}},
      {"DeliveryPolicy.max_attempts",
       {"Attempts before a message is failed (default 2000: with the other "
        "defaults, max_age is what fails a message)."}},
      {"DeliveryPolicy.max_age",
       {"Time from a message's creation after which it is failed (default "
        "72h)."}},
      {"DeliveryPolicy.max_in_flight_per_endpoint",
       {"Pushes one endpoint may have in flight at once (default 8); a slow "
        "endpoint never holds up another's."}},
      {"DeliveryPolicy.attempt_timeout",
       {"How long one attempt may take, connecting included (default 30s); "
        "a timed-out attempt is retried."}},
      // Limits
      {"Limits.max_section_body_bytes",
       {"Largest section body, bytes (default 1 MiB)."}},
      {"Limits.max_sections",
       {"Most sections in one disclosure (default 64)."}},
      {"Limits.max_request_bytes",
       {"Largest request message, bytes (default 4 MiB)."}},
      {"Limits.max_id_length", {"Longest id, characters (default 256)."}},
      {"Limits.earliest_signed_at",
       {"A consent form signed (or valid) before this date is refused "
        "(default 2000-01-01).",
        "earliest_signed_at { seconds: 946684800 }"}},
      {"Limits.max_consent_term",
       {"The longest accepted term of a consent, from recording to its "
        "expiration (default 3653 days, about 10 years).",
        "max_consent_term { seconds: 315619200 }"}},
      {"Limits.max_consents_per_patient",
       {"Most consents one patient may have, in any state (default 1000)."}},
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
