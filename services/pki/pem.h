// Key generation and PEM encoding for the development PKI (OpenSSL 3).
//
// Free functions; thread-safe. Errors are INTERNAL with OpenSSL's reason.
#ifndef CAREGATE_SERVICES_PKI_PEM_H_
#define CAREGATE_SERVICES_PKI_PEM_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>

#include "absl/status/statusor.h"
#include "services/pki/openssl_ptr.h"

namespace caregate::pki {

// A fresh EC key pair on P-256 (prime256v1).
absl::StatusOr<EvpPkeyPtr> GenerateP256Key();
// A fresh Ed25519 key pair.
absl::StatusOr<EvpPkeyPtr> GenerateEd25519Key();

// The private key as unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY").
absl::StatusOr<std::string> PrivateKeyPem(EVP_PKEY* key);
// The public key as SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY").
absl::StatusOr<std::string> PublicKeyPem(EVP_PKEY* key);
// The certificate as PEM ("BEGIN CERTIFICATE").
absl::StatusOr<std::string> CertificatePem(X509* cert);

// `n` bytes from OpenSSL's CSPRNG.
absl::StatusOr<std::string> SecureRandomBytes(size_t n);

}  // namespace caregate::pki

#endif  // CAREGATE_SERVICES_PKI_PEM_H_
