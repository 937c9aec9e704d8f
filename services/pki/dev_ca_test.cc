#include "services/pki/dev_ca.h"

#include <openssl/pem.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/pki/dev_material.h"
#include "tests/testing/status_matchers.h"

namespace caregate::pki {
namespace {

using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;

X509Ptr ParseCert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

TEST(DevCertificateAuthorityTest, IssuesLeafSignedByTheCa) {
  auto ca = DevCertificateAuthority::Create("test CA", 30);
  CG_ASSERT_OK(ca);
  auto leaf = (*ca)->Issue({"svc",
                            {{SubjectAltName::Kind::kDns, "svc.test"}},
                            LeafUsage::kServer,
                            10});
  CG_ASSERT_OK(leaf);
  X509Ptr cert = ParseCert(leaf->certificate_pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_issued((*ca)->certificate(), cert.get()), X509_V_OK);
  EvpPkeyPtr ca_key(X509_get_pubkey((*ca)->certificate()));
  EXPECT_EQ(X509_verify(cert.get(), ca_key.get()), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "svc.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_THAT(leaf->private_key_pem, HasSubstr("BEGIN PRIVATE KEY"));
}

TEST(DevCertificateAuthorityTest, RejectsABadIpAddress) {
  auto ca = DevCertificateAuthority::Create("test CA", 30);
  CG_ASSERT_OK(ca);
  EXPECT_THAT(
      (*ca)->Issue({"x", {{SubjectAltName::Kind::kIp, "300.1.1.1"}}}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("300.1.1.1")));
}

TEST(DevCertificateAuthorityTest, RejectsNonAsciiUri) {
  auto ca = DevCertificateAuthority::Create("test CA", 30);
  CG_ASSERT_OK(ca);
  EXPECT_THAT(
      (*ca)->Issue({"x", {{SubjectAltName::Kind::kUri, "spiffe://a b"}}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("printable ASCII")));
}

TEST(DevCertificateAuthorityTest, RejectsOverlongCommonName) {
  auto ca = DevCertificateAuthority::Create("test CA", 30);
  CG_ASSERT_OK(ca);
  EXPECT_THAT(
      (*ca)->Issue({std::string(65, 'a'), {}}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("common name")));
}

TEST(ServerSubjectAltNamesTest, LoopbackOnlyForLoopbackAndWildcards) {
  for (const char* listen : {"127.0.0.1:7443", "localhost:1", "0.0.0.0:7443",
                             "[::]:7443", "LOCALHOST:80"}) {
    auto sans = ServerSubjectAltNames(listen);
    CG_ASSERT_OK(sans);
    EXPECT_EQ(sans->size(), 2u) << listen;
  }
}

TEST(ServerSubjectAltNamesTest, AddsOtherHost) {
  auto sans = ServerSubjectAltNames("10.0.0.5:7443");
  CG_ASSERT_OK(sans);
  ASSERT_EQ(sans->size(), 3u);
  EXPECT_EQ((*sans)[2].kind, SubjectAltName::Kind::kIp);
  EXPECT_EQ((*sans)[2].value, "10.0.0.5");
}

}  // namespace
}  // namespace caregate::pki
