#include "services/pki/pem.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <string_view>

#include "absl/strings/str_cat.h"

namespace caregate::pki {

absl::Status OpenSslError(std::string_view what) {
  std::string message(what);
  unsigned long code;
  const char* separator = ": ";
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    absl::StrAppend(&message, separator, buf);
    separator = "; ";
  }
  return absl::InternalError(message);
}

namespace {

// Runs `write` against a memory BIO and returns what it wrote.
template <typename WriteFn>
absl::StatusOr<std::string> WriteToString(std::string_view what,
                                          WriteFn write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || write(bio.get()) != 1) return OpenSslError(what);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return OpenSslError(what);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace

absl::StatusOr<EvpPkeyPtr> GenerateP256Key() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (key == nullptr) return OpenSslError("generating a P-256 key");
  return key;
}

absl::StatusOr<EvpPkeyPtr> GenerateEd25519Key() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (key == nullptr) return OpenSslError("generating an Ed25519 key");
  return key;
}

absl::StatusOr<std::string> PrivateKeyPem(EVP_PKEY* key) {
  return WriteToString("encoding a private key", [key](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr,
                                    nullptr);
  });
}

absl::StatusOr<std::string> PublicKeyPem(EVP_PKEY* key) {
  return WriteToString("encoding a public key", [key](BIO* bio) {
    return PEM_write_bio_PUBKEY(bio, key);
  });
}

absl::StatusOr<std::string> CertificatePem(X509* cert) {
  return WriteToString("encoding a certificate", [cert](BIO* bio) {
    return PEM_write_bio_X509(bio, cert);
  });
}

absl::StatusOr<std::string> SecureRandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(n)) != 1) {
    return OpenSslError("reading random bytes");
  }
  return out;
}

}  // namespace caregate::pki
