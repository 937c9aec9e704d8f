// The configuration `caregatectl dev-init` writes: a gateway on loopback with
// the sample directory of docs API.md (two therapy practices, five partner
// clinics, a compliance officer and an administrator).
//
// Pure functions; thread-safe. Paths in the config are relative to the
// directory that holds the config file.
#ifndef CAREGATE_SERVICES_PKI_SAMPLE_CONFIG_H_
#define CAREGATE_SERVICES_PKI_SAMPLE_CONFIG_H_

#include <map>
#include <string>
#include <string_view>

#include "caregate/config/v1/config.pb.h"

namespace caregate::pki {

// What `caregatectl dev-init` was asked for.
struct DevInitOptions {
  // The directory to write; created when missing, refused when not empty.
  std::string dir;
  // host:port the gateway listens on; the host also goes into the server
  // certificate's SANs.
  std::string listen = "127.0.0.1:7443";
  // The SPIFFE trust domain of the client certificates' URI SANs.
  std::string trust_domain = "caregate.local";
  // Partner clinics that take pushed messages, by org_id: "host:port" of a
  // CareReceiver (caregate-receiver) or the https base URL of a FHIR server.
  // Their server certificate is pki/receiver.crt. Empty: every clinic pulls.
  std::map<std::string, std::string> push_endpoints;
  // A libpq connection string: the config keeps its data in PostgreSQL
  // (storage { postgres { conninfo } }), e.g. for several replicas. Empty:
  // SQLite at kSqlitePath.
  std::string postgres_conninfo;
};

// Files of a dev setup, relative to DevInitOptions::dir.
inline constexpr std::string_view kConfigFileName = "caregate.textproto";
inline constexpr std::string_view kPkiDir = "pki";
inline constexpr std::string_view kKeysDir = "keys";
inline constexpr std::string_view kCaCertFile = "pki/ca.crt";
inline constexpr std::string_view kServerCertFile = "pki/server.crt";
inline constexpr std::string_view kServerKeyFile = "pki/server.key";
inline constexpr std::string_view kAuditSigningKeyFile =
    "keys/audit-signing.key.pem";
// The checkpoint origin of a setup for `trust_domain`.
std::string CheckpointOrigin(std::string_view trust_domain);
inline constexpr std::string_view kAuditSigningPublicKeyFile =
    "keys/audit-signing.pub.pem";
// The signed-note verifier key of the checkpoint notes (docs/audit-log.md),
// for `caregate-witness --log-key` and `caregatectl audit verify-proof`.
inline constexpr std::string_view kAuditLogKeyFile = "keys/audit-log.vkey";
inline constexpr std::string_view kDataKeyFile = "keys/data.key";
inline constexpr std::string_view kContentDigestKeyFile =
    "keys/content-digest.key";
// The client certificate the gateway presents to push endpoints; its URI SAN
// is spiffe://<trust_domain>/gateway-delivery.
inline constexpr std::string_view kDeliveryIdentity = "gateway-delivery";
inline constexpr std::string_view kDeliveryCertFile =
    "pki/gateway-delivery.crt";
inline constexpr std::string_view kDeliveryKeyFile = "pki/gateway-delivery.key";
// The server certificate of a local push endpoint (caregate-receiver or a
// FHIR server stub): SANs localhost, 127.0.0.1 and the push endpoints' hosts.
inline constexpr std::string_view kReceiverCertFile = "pki/receiver.crt";
inline constexpr std::string_view kReceiverKeyFile = "pki/receiver.key";
inline constexpr std::string_view kSqlitePath = "data/caregate.db";
inline constexpr std::string_view kDataKeyId = "dev-1";

// "pki/<principal_id>.crt" and "pki/<principal_id>.key".
std::string ClientCertFile(std::string_view principal_id);
std::string ClientKeyFile(std::string_view principal_id);

// Whether `address`, a value of DevInitOptions::push_endpoints, names a FHIR
// server (an https URL) rather than a CareReceiver (host:port).
bool IsFhirPushAddress(std::string_view address);

// The sample configuration for `options` (its `dir` is not used).
caregate::config::v1::GatewayConfig SampleGatewayConfig(
    const DevInitOptions& options);

}  // namespace caregate::pki

#endif  // CAREGATE_SERVICES_PKI_SAMPLE_CONFIG_H_
