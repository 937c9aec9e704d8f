#include "services/pki/dev_ca.h"

#include <openssl/x509v3.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/pki/pem.h"

namespace caregate::pki {
namespace {

using Ia5StringPtr =
    std::unique_ptr<ASN1_IA5STRING, OpenSslFree<ASN1_IA5STRING_free>>;

// Certificates start an hour in the past to tolerate clock skew.
constexpr long kBackdateSeconds = 3600;
constexpr long kSecondsPerDay = 86400;
// ub-common-name in RFC 5280.
constexpr size_t kMaxCommonNameLength = 64;

absl::Status SetRandomSerial(X509* cert) {
  // 16 random bytes, positive and without a leading zero byte.
  CG_ASSIGN_OR_RETURN(std::string bytes, SecureRandomBytes(16));
  bytes[0] = static_cast<char>((bytes[0] & 0x7f) | 0x40);
  BignumPtr serial(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                static_cast<int>(bytes.size()), nullptr));
  if (serial == nullptr ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) ==
          nullptr) {
    return OpenSslError("setting a serial number");
  }
  return absl::OkStatus();
}

// A v3 certificate for `subject_key` named O=caregate dev, CN=`common_name`,
// valid from an hour ago for `validity_days`; no issuer, extensions or
// signature yet.
absl::StatusOr<X509Ptr> NewCertificate(std::string_view common_name,
                                       EVP_PKEY* subject_key,
                                       int validity_days) {
  if (common_name.empty() || common_name.size() > kMaxCommonNameLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("certificate common name must have 1 to ",
                     kMaxCommonNameLength, " characters"));
  }
  X509Ptr cert(X509_new());
  if (cert == nullptr) return OpenSslError("allocating a certificate");
  CG_RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(common_name.data());
  const auto* org = reinterpret_cast<const unsigned char*>("caregate dev");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) ==
          nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                      validity_days * kSecondsPerDay) == nullptr ||
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, org, -1, -1, 0) !=
          1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn,
                                 static_cast<int>(common_name.size()), -1,
                                 0) != 1 ||
      X509_set_pubkey(cert.get(), subject_key) != 1) {
    return OpenSslError("filling in a certificate");
  }
  return cert;
}

// Adds the extension `nid` written in OpenSSL's config syntax, e.g.
// "critical,CA:TRUE".
absl::Status AddExtension(X509* cert, X509* issuer, int nid,
                          const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslError(absl::StrCat("adding extension ", OBJ_nid2sn(nid)));
  }
  return absl::OkStatus();
}

absl::StatusOr<GeneralNamePtr> ToGeneralName(const SubjectAltName& san) {
  GeneralNamePtr name(GENERAL_NAME_new());
  if (name == nullptr) return OpenSslError("allocating a subject alt name");
  if (san.kind == SubjectAltName::Kind::kIp) {
    ASN1_OCTET_STRING* ip = a2i_IPADDRESS(san.value.c_str());
    if (ip == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("not an IP address: \"", san.value, "\""));
    }
    GENERAL_NAME_set0_value(name.get(), GEN_IPADD, ip);
    return name;
  }
  for (char c : san.value) {
    if (c <= ' ' || c > '~') {
      return absl::InvalidArgumentError(absl::StrCat(
          "subject alt name must be printable ASCII: \"", san.value, "\""));
    }
  }
  Ia5StringPtr text(ASN1_IA5STRING_new());
  if (text == nullptr || san.value.empty() ||
      ASN1_STRING_set(text.get(), san.value.data(),
                      static_cast<int>(san.value.size())) != 1) {
    return OpenSslError("encoding a subject alt name");
  }
  int type = san.kind == SubjectAltName::Kind::kDns ? GEN_DNS : GEN_URI;
  GENERAL_NAME_set0_value(name.get(), type, text.release());
  return name;
}

absl::Status AddSubjectAltNames(X509* cert,
                                const std::vector<SubjectAltName>& sans) {
  if (sans.empty()) return absl::OkStatus();
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (names == nullptr) return OpenSslError("allocating subject alt names");
  for (const SubjectAltName& san : sans) {
    CG_ASSIGN_OR_RETURN(GeneralNamePtr name, ToGeneralName(san));
    if (sk_GENERAL_NAME_push(names.get(), name.get()) == 0) {
      return OpenSslError("collecting subject alt names");
    }
    name.release();  // Now owned by `names`.
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0,
                        X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("adding subjectAltName");
  }
  return absl::OkStatus();
}

absl::Status Sign(X509* cert, EVP_PKEY* issuer_key) {
  if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0) {
    return OpenSslError("signing a certificate");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<DevCertificateAuthority>>
DevCertificateAuthority::Create(std::string_view common_name,
                                int validity_days) {
  CG_ASSIGN_OR_RETURN(EvpPkeyPtr key, GenerateP256Key());
  CG_ASSIGN_OR_RETURN(X509Ptr cert,
                      NewCertificate(common_name, key.get(), validity_days));
  X509* c = cert.get();
  if (X509_set_issuer_name(c, X509_get_subject_name(c)) != 1) {
    return OpenSslError("setting the CA issuer");
  }
  CG_RETURN_IF_ERROR(
      AddExtension(c, c, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  CG_RETURN_IF_ERROR(
      AddExtension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign"));
  CG_RETURN_IF_ERROR(AddExtension(c, c, NID_subject_key_identifier, "hash"));
  CG_RETURN_IF_ERROR(Sign(c, key.get()));
  return std::unique_ptr<DevCertificateAuthority>(
      new DevCertificateAuthority(std::move(key), std::move(cert)));
}

absl::StatusOr<PemCredential> DevCertificateAuthority::Issue(
    const LeafSpec& spec) {
  CG_ASSIGN_OR_RETURN(EvpPkeyPtr key, GenerateP256Key());
  CG_ASSIGN_OR_RETURN(X509Ptr cert, NewCertificate(spec.common_name, key.get(),
                                                   spec.validity_days));
  X509* c = cert.get();
  if (X509_set_issuer_name(c, X509_get_subject_name(cert_.get())) != 1) {
    return OpenSslError("setting a certificate issuer");
  }
  const char* eku =
      spec.usage == LeafUsage::kServer ? "serverAuth" : "clientAuth";
  CG_RETURN_IF_ERROR(
      AddExtension(c, cert_.get(), NID_basic_constraints, "critical,CA:FALSE"));
  CG_RETURN_IF_ERROR(
      AddExtension(c, cert_.get(), NID_key_usage, "critical,digitalSignature"));
  CG_RETURN_IF_ERROR(AddExtension(c, cert_.get(), NID_ext_key_usage, eku));
  CG_RETURN_IF_ERROR(
      AddExtension(c, cert_.get(), NID_subject_key_identifier, "hash"));
  CG_RETURN_IF_ERROR(AddExtension(c, cert_.get(), NID_authority_key_identifier,
                                  "keyid:always"));
  CG_RETURN_IF_ERROR(AddSubjectAltNames(c, spec.subject_alt_names));
  CG_RETURN_IF_ERROR(Sign(c, key_.get()));
  PemCredential out;
  CG_ASSIGN_OR_RETURN(out.certificate_pem, pki::CertificatePem(c));
  CG_ASSIGN_OR_RETURN(out.private_key_pem, PrivateKeyPem(key.get()));
  return out;
}

absl::StatusOr<std::string> DevCertificateAuthority::CertificatePem() const {
  return pki::CertificatePem(cert_.get());
}

}  // namespace caregate::pki
