// The caller's principal id, taken from its verified mTLS client certificate.
#ifndef CAREGATE_SERVICES_SECURITY_PEER_IDENTITY_H_
#define CAREGATE_SERVICES_SECURITY_PEER_IDENTITY_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"

namespace caregate {

// The principal id named by certificate identities: the path of the first URI
// SAN "spiffe://<trust_domain>/<id>" (a single path segment), else the subject
// CN. std::nullopt when neither names one. A SPIFFE URI of another trust
// domain is ignored, never trusted.
std::optional<std::string> PrincipalIdFromIdentities(
    const std::vector<std::string>& uri_sans,
    const std::vector<std::string>& common_names,
    std::string_view trust_domain);

// The same, reading gRPC's auth context of a TLS connection (properties
// "peer_uri"/"x509_subject_alternative_name" and "x509_common_name").
std::optional<std::string> PrincipalIdFromAuthContext(
    const grpc::AuthContext& auth, std::string_view trust_domain);

// Server credentials that require and verify client certificates from the CA
// in `ca_cert_file`. Errors name the file that could not be read.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>>
MutualTlsServerCredentials(const std::string& ca_cert_file,
                           const std::string& server_cert_file,
                           const std::string& server_key_file);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_SECURITY_PEER_IDENTITY_H_
