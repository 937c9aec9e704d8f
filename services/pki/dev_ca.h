// A throwaway certificate authority for development setups: one self-signed
// EC P-256 root that issues server and client certificates directly.
//
// A DevCertificateAuthority owns its key and certificate. It is not
// thread-safe; use one per thread. Errors are INVALID_ARGUMENT for a bad
// subject alternative name and INTERNAL for an OpenSSL failure.
#ifndef CAREGATE_SERVICES_PKI_DEV_CA_H_
#define CAREGATE_SERVICES_PKI_DEV_CA_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "services/pki/openssl_ptr.h"

namespace caregate::pki {

// One subjectAltName entry.
struct SubjectAltName {
  enum class Kind { kDns, kIp, kUri };
  Kind kind;
  // A host name, an IPv4/IPv6 address in text form, or a URI.
  std::string value;
};

// What a leaf certificate is for.
enum class LeafUsage { kServer, kClient };

// A leaf certificate and its private key, both PEM.
struct PemCredential {
  std::string certificate_pem;
  std::string private_key_pem;  // PKCS#8
};

// A leaf certificate request.
struct LeafSpec {
  std::string common_name;
  std::vector<SubjectAltName> subject_alt_names;
  LeafUsage usage = LeafUsage::kClient;
  int validity_days = 730;
};

class DevCertificateAuthority {
 public:
  // A new CA with a fresh key: CA:TRUE, keyCertSign, CN `common_name`.
  static absl::StatusOr<std::unique_ptr<DevCertificateAuthority>> Create(
      std::string_view common_name, int validity_days);

  // Issues a leaf with a fresh P-256 key, a random serial, the SANs of
  // `spec` and the extended key usage serverAuth or clientAuth.
  absl::StatusOr<PemCredential> Issue(const LeafSpec& spec);

  // The CA certificate, PEM.
  absl::StatusOr<std::string> CertificatePem() const;
  // The CA certificate; owned by this object.
  X509* certificate() const { return cert_.get(); }

 private:
  DevCertificateAuthority(EvpPkeyPtr key, X509Ptr cert)
      : key_(std::move(key)), cert_(std::move(cert)) {}

  EvpPkeyPtr key_;
  X509Ptr cert_;
};

}  // namespace caregate::pki

#endif  // CAREGATE_SERVICES_PKI_DEV_CA_H_
