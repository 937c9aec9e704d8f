#include "services/security/peer_identity.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/server_credentials.h"
#include "services/common/file_contents.h"

namespace caregate {
namespace {

std::vector<std::string> Property(const grpc::AuthContext& auth,
                                  const char* name) {
  std::vector<std::string> out;
  for (const grpc::string_ref& value : auth.FindPropertyValues(name)) {
    out.emplace_back(value.data(), value.size());
  }
  return out;
}

bool IsIdChar(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == ':' ||
         ch == '-';
}

bool LooksLikeId(std::string_view id) {
  if (id.empty() || id.size() > 256) return false;
  for (char ch : id) {
    if (!IsIdChar(ch)) return false;
  }
  return true;
}

// NOT_FOUND naming the path when it cannot be read.
absl::StatusOr<std::string> ReadCredentialFile(const std::string& path) {
  absl::StatusOr<std::string> contents = ReadFileContents(path);
  if (!contents.ok()) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  }
  return contents;
}

}  // namespace

std::optional<std::string> PrincipalIdFromIdentities(
    const std::vector<std::string>& uri_sans,
    const std::vector<std::string>& common_names,
    std::string_view trust_domain) {
  const std::string prefix =
      absl::StrCat("spiffe://", std::string(trust_domain), "/");
  bool saw_spiffe = false;
  for (const std::string& uri : uri_sans) {
    if (!absl::StartsWith(uri, "spiffe://")) continue;
    saw_spiffe = true;
    if (!absl::StartsWith(uri, prefix)) continue;
    const std::string id = uri.substr(prefix.size());
    if (LooksLikeId(id)) return id;
  }
  // A certificate that carries a SPIFFE id of another trust domain is not
  // allowed to fall back to its CN.
  if (saw_spiffe) return std::nullopt;
  for (const std::string& cn : common_names) {
    if (LooksLikeId(cn)) return cn;
  }
  return std::nullopt;
}

std::optional<std::string> PrincipalIdFromAuthContext(
    const grpc::AuthContext& auth, std::string_view trust_domain) {
  if (!auth.IsPeerAuthenticated()) return std::nullopt;
  std::vector<std::string> uris = Property(auth, GRPC_PEER_URI_PROPERTY_NAME);
  if (uris.empty()) {
    for (std::string& san : Property(auth, GRPC_X509_SAN_PROPERTY_NAME)) {
      if (absl::StartsWith(san, "spiffe://")) uris.push_back(std::move(san));
    }
  }
  return PrincipalIdFromIdentities(
      uris, Property(auth, GRPC_X509_CN_PROPERTY_NAME), trust_domain);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>>
MutualTlsServerCredentials(const std::string& ca_cert_file,
                           const std::string& server_cert_file,
                           const std::string& server_key_file) {
  absl::StatusOr<std::string> ca = ReadCredentialFile(ca_cert_file);
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> cert = ReadCredentialFile(server_cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadCredentialFile(server_key_file);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = *ca;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(options);
}

}  // namespace caregate
