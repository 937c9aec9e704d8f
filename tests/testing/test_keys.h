// Fresh Ed25519 key pairs for tests, as PEM text.
#ifndef CAREGATE_TESTS_TESTING_TEST_KEYS_H_
#define CAREGATE_TESTS_TESTING_TEST_KEYS_H_

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <string>

namespace caregate::testing {

struct PemKeyPair {
  std::string private_pem;  // PKCS#8
  std::string public_pem;   // SubjectPublicKeyInfo
};

inline std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string text(data, size);
  BIO_free(bio);
  return text;
}

inline PemKeyPair NewEd25519KeyPair() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  EVP_PKEY_free(key);
  return {BioText(priv), BioText(pub)};
}

}  // namespace caregate::testing

#endif  // CAREGATE_TESTS_TESTING_TEST_KEYS_H_
