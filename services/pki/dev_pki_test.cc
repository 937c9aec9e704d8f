#include "services/pki/dev_pki.h"

#include <openssl/pem.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/config/gateway_config.h"
#include "services/pki/openssl_ptr.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace caregate::pki {
namespace {

namespace fs = std::filesystem;
using ::caregate::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

const std::vector<std::string> kPrincipals = {"dr-rivera",
                                              "dr-novak",
                                              "lakeside-obgyn-inbox",
                                              "core-pelvic-pt-inbox",
                                              "riverside-urology-inbox",
                                              "northside-psychiatry-inbox",
                                              "maple-primary-care-inbox",
                                              "compliance-officer",
                                              "gateway-admin"};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

mode_t ModeOf(const fs::path& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

X509Ptr LoadCert(const fs::path& path) {
  std::string pem = ReadFile(path);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  EXPECT_NE(cert, nullptr) << path;
  return cert;
}

EvpPkeyPtr LoadPrivateKey(const fs::path& path) {
  std::string pem = ReadFile(path);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  EXPECT_NE(key, nullptr) << path;
  return key;
}

EvpPkeyPtr LoadPublicKey(const fs::path& path) {
  std::string pem = ReadFile(path);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  EXPECT_NE(key, nullptr) << path;
  return key;
}

// X509_verify_cert against `ca` alone, for the given purpose.
bool VerifiesAgainst(X509* ca, X509* cert, int purpose) {
  X509StorePtr store(X509_STORE_new());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (X509_STORE_add_cert(store.get(), ca) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr) != 1 ||
      X509_STORE_CTX_set_purpose(ctx.get(), purpose) != 1) {
    return false;
  }
  bool ok = X509_verify_cert(ctx.get()) == 1;
  if (!ok) {
    ADD_FAILURE() << X509_verify_cert_error_string(
        X509_STORE_CTX_get_error(ctx.get()));
  }
  return ok;
}

std::vector<std::string> UriSans(X509* cert) {
  std::vector<std::string> uris;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      ASN1_STRING_length(uri));
  }
  return uris;
}

std::string CommonName(X509* cert) {
  char buf[128] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf,
                            sizeof(buf));
  return buf;
}

int ValidityDays(X509* cert) {
  int days = 0, seconds = 0;
  EXPECT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert),
                           X509_get0_notAfter(cert)),
            1);
  return days;
}

// Every regular file under `dir` with its contents and mode.
std::map<std::string, std::pair<std::string, mode_t>> Snapshot(
    const fs::path& dir) {
  std::map<std::string, std::pair<std::string, mode_t>> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    out[entry.path().string()] = {
        entry.is_regular_file() ? ReadFile(entry.path()) : "<dir>",
        ModeOf(entry.path())};
  }
  return out;
}

class DevInitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.dir = (root_ / "dev").string();
    dir_ = options_.dir;
  }

  ::caregate::testing::TempDir root_{"dev_pki"};
  DevInitOptions options_;
  fs::path dir_;
};

TEST_F(DevInitTest, WritesEveryFileOfTheContract) {
  auto written = RunDevInit(options_);
  CG_ASSERT_OK(written);
  std::vector<std::string> expected = {"caregate.textproto",
                                       "pki/ca.crt",
                                       "pki/server.crt",
                                       "pki/server.key",
                                       "keys/audit-signing.pub.pem",
                                       "keys/audit-log.vkey",
                                       "keys/audit-signing.key.pem",
                                       "keys/data.key",
                                       "keys/content-digest.key",
                                       "pki/gateway-delivery.crt",
                                       "pki/gateway-delivery.key",
                                       "pki/receiver.crt",
                                       "pki/receiver.key"};
  for (const std::string& id : kPrincipals) {
    expected.push_back("pki/" + id + ".crt");
    expected.push_back("pki/" + id + ".key");
  }
  std::vector<std::string> paths, on_disk;
  for (const DevInitFile& f : *written) {
    paths.push_back(f.path);
    EXPECT_FALSE(f.description.empty()) << f.path;
  }
  EXPECT_THAT(paths, UnorderedElementsAreArray(expected));
  for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
    if (entry.is_regular_file()) {
      on_disk.push_back(fs::relative(entry.path(), dir_).string());
    }
  }
  EXPECT_THAT(on_disk, UnorderedElementsAreArray(expected));
}

TEST_F(DevInitTest, PrivateKeysAre0600AndCertificates0644) {
  CG_ASSERT_OK(RunDevInit(options_));
  EXPECT_EQ(ModeOf(dir_ / "pki/server.key"), 0600u);
  EXPECT_EQ(ModeOf(dir_ / "keys/audit-signing.key.pem"), 0600u);
  EXPECT_EQ(ModeOf(dir_ / "keys/data.key"), 0600u);
  EXPECT_EQ(ModeOf(dir_ / "keys/content-digest.key"), 0600u);
  EXPECT_EQ(ModeOf(dir_ / "pki/gateway-delivery.key"), 0600u);
  EXPECT_EQ(ModeOf(dir_ / "pki/receiver.key"), 0600u);
  EXPECT_EQ(ModeOf(dir_ / "pki/gateway-delivery.crt"), 0644u);
  EXPECT_EQ(ModeOf(dir_ / "pki/receiver.crt"), 0644u);
  EXPECT_EQ(ModeOf(dir_ / "pki/ca.crt"), 0644u);
  EXPECT_EQ(ModeOf(dir_ / "keys/audit-signing.pub.pem"), 0644u);
  for (const std::string& id : kPrincipals) {
    EXPECT_EQ(ModeOf(dir_ / "pki" / (id + ".key")), 0600u) << id;
    EXPECT_EQ(ModeOf(dir_ / "pki" / (id + ".crt")), 0644u) << id;
  }
  EXPECT_EQ(ModeOf(dir_ / "pki"), 0700u);
  EXPECT_EQ(ModeOf(dir_ / "keys"), 0700u);
}

TEST_F(DevInitTest, CaIsASelfSignedTenYearCa) {
  CG_ASSERT_OK(RunDevInit(options_));
  X509Ptr ca = LoadCert(dir_ / "pki/ca.crt");
  EXPECT_EQ(CommonName(ca.get()), "caregate dev CA");
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_TRUE(X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN);
  EXPECT_EQ(X509_check_issued(ca.get(), ca.get()), X509_V_OK);
  EXPECT_NEAR(ValidityDays(ca.get()), 3650, 1);
  EvpPkeyPtr key(X509_get_pubkey(ca.get()));
  EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC"));
}

TEST_F(DevInitTest, EveryCertificateVerifiesAgainstTheCaAndMatchesItsKey) {
  CG_ASSERT_OK(RunDevInit(options_));
  X509Ptr ca = LoadCert(dir_ / "pki/ca.crt");
  X509Ptr server = LoadCert(dir_ / "pki/server.crt");
  EXPECT_TRUE(VerifiesAgainst(ca.get(), server.get(), X509_PURPOSE_SSL_SERVER));
  EXPECT_EQ(X509_check_private_key(
                server.get(), LoadPrivateKey(dir_ / "pki/server.key").get()),
            1);
  EXPECT_NEAR(ValidityDays(server.get()), 730, 1);
  for (const std::string& id : kPrincipals) {
    X509Ptr client = LoadCert(dir_ / "pki" / (id + ".crt"));
    EXPECT_TRUE(
        VerifiesAgainst(ca.get(), client.get(), X509_PURPOSE_SSL_CLIENT))
        << id;
    EvpPkeyPtr key = LoadPrivateKey(dir_ / "pki" / (id + ".key"));
    EXPECT_EQ(X509_check_private_key(client.get(), key.get()), 1) << id;
  }
}

TEST_F(DevInitTest, ServerCertificateNamesLoopback) {
  CG_ASSERT_OK(RunDevInit(options_));
  X509Ptr server = LoadCert(dir_ / "pki/server.crt");
  EXPECT_EQ(X509_check_host(server.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_host(server.get(), "example.org", 0, 0, nullptr), 0);
  EXPECT_TRUE(X509_get_extended_key_usage(server.get()) & XKU_SSL_SERVER);
  EXPECT_FALSE(X509_get_extended_key_usage(server.get()) & XKU_SSL_CLIENT);
}

TEST_F(DevInitTest, ServerCertificateAlsoNamesAnotherListenHost) {
  options_.listen = "gw.example.test:8443";
  CG_ASSERT_OK(RunDevInit(options_));
  X509Ptr server = LoadCert(dir_ / "pki/server.crt");
  EXPECT_EQ(X509_check_host(server.get(), "gw.example.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(server.get(), "localhost", 0, 0, nullptr), 1);
}

TEST_F(DevInitTest, ServerCertificateAlsoNamesAnotherListenAddress) {
  options_.listen = "[fd00::7]:7443";
  CG_ASSERT_OK(RunDevInit(options_));
  X509Ptr server = LoadCert(dir_ / "pki/server.crt");
  EXPECT_EQ(X509_check_ip_asc(server.get(), "fd00::7", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(server.get(), "127.0.0.1", 0), 1);
}

TEST_F(DevInitTest, ClientCertificateHasSpiffeUriAndCommonName) {
  options_.trust_domain = "clinic.example";
  CG_ASSERT_OK(RunDevInit(options_));
  X509Ptr client = LoadCert(dir_ / "pki/dr-rivera.crt");
  EXPECT_EQ(CommonName(client.get()), "dr-rivera");
  EXPECT_THAT(UriSans(client.get()),
              ::testing::ElementsAre("spiffe://clinic.example/dr-rivera"));
  EXPECT_TRUE(X509_get_extended_key_usage(client.get()) & XKU_SSL_CLIENT);
  EXPECT_FALSE(X509_get_extended_key_usage(client.get()) & XKU_SSL_SERVER);
}

TEST_F(DevInitTest, DeliveryCertificateIsTheGatewaysClientCertificate) {
  options_.trust_domain = "clinic.example";
  CG_ASSERT_OK(RunDevInit(options_));
  X509Ptr ca = LoadCert(dir_ / "pki/ca.crt");
  X509Ptr delivery = LoadCert(dir_ / "pki/gateway-delivery.crt");
  EXPECT_TRUE(
      VerifiesAgainst(ca.get(), delivery.get(), X509_PURPOSE_SSL_CLIENT));
  EXPECT_EQ(X509_check_private_key(
                delivery.get(),
                LoadPrivateKey(dir_ / "pki/gateway-delivery.key").get()),
            1);
  EXPECT_THAT(
      UriSans(delivery.get()),
      ::testing::ElementsAre("spiffe://clinic.example/gateway-delivery"));
  EXPECT_TRUE(X509_get_extended_key_usage(delivery.get()) & XKU_SSL_CLIENT);
  EXPECT_FALSE(X509_get_extended_key_usage(delivery.get()) & XKU_SSL_SERVER);
}

TEST_F(DevInitTest, ReceiverCertificateIsAServerCertificateForLoopback) {
  CG_ASSERT_OK(RunDevInit(options_));
  X509Ptr ca = LoadCert(dir_ / "pki/ca.crt");
  X509Ptr receiver = LoadCert(dir_ / "pki/receiver.crt");
  EXPECT_TRUE(
      VerifiesAgainst(ca.get(), receiver.get(), X509_PURPOSE_SSL_SERVER));
  EXPECT_EQ(
      X509_check_private_key(receiver.get(),
                             LoadPrivateKey(dir_ / "pki/receiver.key").get()),
      1);
  EXPECT_EQ(X509_check_host(receiver.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(receiver.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_host(receiver.get(), "example.org", 0, 0, nullptr), 0);
  EXPECT_FALSE(X509_get_extended_key_usage(receiver.get()) & XKU_SSL_CLIENT);
}

TEST_F(DevInitTest, ReceiverCertificateNamesThePushEndpointsHosts) {
  options_.push_endpoints = {
      {"lakeside-obgyn", "receiver.lakeside.test:9443"},
      {"core-pelvic-pt", "https://[fd00::9]:9444/fhir/r4"},
      {"riverside-urology", "https://fhir.riverside.test/r4"}};
  CG_ASSERT_OK(RunDevInit(options_));
  X509Ptr receiver = LoadCert(dir_ / "pki/receiver.crt");
  EXPECT_EQ(
      X509_check_host(receiver.get(), "receiver.lakeside.test", 0, 0, nullptr),
      1);
  EXPECT_EQ(X509_check_ip_asc(receiver.get(), "fd00::9", 0), 1);
  EXPECT_EQ(
      X509_check_host(receiver.get(), "fhir.riverside.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(receiver.get(), "localhost", 0, 0, nullptr), 1);
}

TEST_F(DevInitTest, ClinicsPullUnlessPushEndpointsAreGiven) {
  CG_ASSERT_OK(RunDevInit(options_));
  config::v1::GatewayConfig parsed;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      ReadFile(dir_ / "caregate.textproto"), &parsed));
  for (const auto& org : parsed.directory().organizations()) {
    EXPECT_EQ(org.delivery_case(), config::v1::Organization::DELIVERY_NOT_SET)
        << org.org_id();
  }
  EXPECT_EQ(parsed.keys().delivery_cert_file(), "pki/gateway-delivery.crt");
  EXPECT_EQ(parsed.keys().delivery_key_file(), "pki/gateway-delivery.key");
}

TEST_F(DevInitTest, PushEndpointsReachTheConfigTheGatewayLoads) {
  options_.push_endpoints = {{"lakeside-obgyn", "127.0.0.1:9443"},
                             {"core-pelvic-pt", "https://localhost:9444/r4"}};
  CG_ASSERT_OK(RunDevInit(options_));
  auto config = GatewayConfig::LoadFile((dir_ / "caregate.textproto").string());
  CG_ASSERT_OK(config);
  const Directory& directory = (*config)->directory();
  const DeliveryEndpoint& grpc =
      directory.FindOrganization("lakeside-obgyn")->delivery;
  EXPECT_EQ(grpc.kind, DeliveryEndpoint::Kind::kGrpc);
  EXPECT_EQ(grpc.address, "127.0.0.1:9443");
  EXPECT_EQ(grpc.ca_cert_file, (dir_ / "pki/ca.crt").lexically_normal());
  const DeliveryEndpoint& fhir =
      directory.FindOrganization("core-pelvic-pt")->delivery;
  EXPECT_EQ(fhir.kind, DeliveryEndpoint::Kind::kFhir);
  EXPECT_EQ(fhir.address, "https://localhost:9444/r4");
  EXPECT_EQ(directory.FindOrganization("maple-primary-care")->delivery.kind,
            DeliveryEndpoint::Kind::kNone);
  EXPECT_EQ((*config)->delivery_cert_file(),
            (dir_ / "pki/gateway-delivery.crt").lexically_normal());
  // The first clinic with a block explains it, though a practice without one
  // comes first.
  EXPECT_THAT(ReadFile(dir_ / "caregate.textproto"),
              HasSubstr("    # Push this clinic's messages to its "
                        "caregate.receiver.v1.CareReceiver\n"));
}

TEST_F(DevInitTest, PushEndpointsMustBeSampleClinicsWithAnAddress) {
  DevInitOptions practice = options_;
  practice.push_endpoints = {{"sunrise-therapy", "127.0.0.1:9443"}};
  EXPECT_THAT(RunDevInit(practice),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("push endpoint of \"sunrise-therapy\": not "
                                 "a partner clinic")));
  DevInitOptions unknown = options_;
  unknown.push_endpoints = {{"nowhere-clinic", "127.0.0.1:9443"}};
  EXPECT_THAT(RunDevInit(unknown),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\"nowhere-clinic\": not a partner clinic")));
  for (const char* address :
       {"9443", "127.0.0.1", "https://", "https://:9/r4", "bad host:1"}) {
    DevInitOptions bad = options_;
    bad.push_endpoints = {{"lakeside-obgyn", address}};
    EXPECT_THAT(RunDevInit(bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("push endpoint of lakeside-obgyn")))
        << address;
  }
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(DevInitTest, SerialNumbersDiffer) {
  CG_ASSERT_OK(RunDevInit(options_));
  X509Ptr a = LoadCert(dir_ / "pki/dr-rivera.crt");
  X509Ptr b = LoadCert(dir_ / "pki/dr-novak.crt");
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.get()),
                             X509_get0_serialNumber(b.get())),
            0);
}

TEST_F(DevInitTest, AuditSigningPublicKeyMatchesPrivateKey) {
  CG_ASSERT_OK(RunDevInit(options_));
  std::string private_pem = ReadFile(dir_ / "keys/audit-signing.key.pem");
  std::string public_pem = ReadFile(dir_ / "keys/audit-signing.pub.pem");
  EXPECT_THAT(private_pem, HasSubstr("-----BEGIN PRIVATE KEY-----"));
  EXPECT_THAT(public_pem, HasSubstr("-----BEGIN PUBLIC KEY-----"));
  EvpPkeyPtr priv = LoadPrivateKey(dir_ / "keys/audit-signing.key.pem");
  EvpPkeyPtr pub = LoadPublicKey(dir_ / "keys/audit-signing.pub.pem");
  ASSERT_EQ(EVP_PKEY_get_id(priv.get()), EVP_PKEY_ED25519);
  ASSERT_EQ(EVP_PKEY_get_id(pub.get()), EVP_PKEY_ED25519);

  const unsigned char msg[] = "caregate.local/audit\n1\n";
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  EvpMdCtxPtr sign_ctx(EVP_MD_CTX_new());
  ASSERT_EQ(
      EVP_DigestSignInit(sign_ctx.get(), nullptr, nullptr, nullptr, priv.get()),
      1);
  ASSERT_EQ(EVP_DigestSign(sign_ctx.get(), sig, &sig_len, msg, sizeof(msg)), 1);
  EvpMdCtxPtr verify_ctx(EVP_MD_CTX_new());
  ASSERT_EQ(EVP_DigestVerifyInit(verify_ctx.get(), nullptr, nullptr, nullptr,
                                 pub.get()),
            1);
  EXPECT_EQ(EVP_DigestVerify(verify_ctx.get(), sig, sig_len, msg, sizeof(msg)),
            1);
  sig[0] ^= 1;
  EXPECT_NE(EVP_DigestVerify(verify_ctx.get(), sig, sig_len, msg, sizeof(msg)),
            1);
}

TEST_F(DevInitTest, DataKeyIs64HexCharactersAndNewline) {
  CG_ASSERT_OK(RunDevInit(options_));
  std::string key = ReadFile(dir_ / "keys/data.key");
  ASSERT_EQ(key.size(), 65u);
  EXPECT_EQ(key.back(), '\n');
  for (size_t i = 0; i < 64; ++i) {
    EXPECT_TRUE(absl::ascii_isxdigit(key[i])) << i;
  }
}

TEST_F(DevInitTest, ConfigParsesIntoTheSampleConfig) {
  CG_ASSERT_OK(RunDevInit(options_));
  config::v1::GatewayConfig parsed;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      ReadFile(dir_ / "caregate.textproto"), &parsed));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      parsed, SampleGatewayConfig(options_)))
      << parsed.DebugString();
  EXPECT_EQ(ReadFile(dir_ / "caregate.textproto"), SampleConfigText(options_));
}

TEST_F(DevInitTest, SecondRunRefusesAndChangesNothing) {
  CG_ASSERT_OK(RunDevInit(options_));
  auto before = Snapshot(dir_);
  EXPECT_THAT(RunDevInit(options_),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr((dir_ / "caregate.textproto").string())));
  EXPECT_EQ(Snapshot(dir_), before);
}

TEST_F(DevInitTest, RefusesAnExistingPkiDirectory) {
  fs::create_directories(dir_ / "pki");
  EXPECT_THAT(RunDevInit(options_),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr((dir_ / "pki").string())));
  EXPECT_TRUE(fs::is_empty(dir_ / "pki"));
  EXPECT_FALSE(fs::exists(dir_ / "caregate.textproto"));
}

TEST_F(DevInitTest, RefusesANonEmptyDirectory) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "notes.txt") << "mine";
  EXPECT_THAT(RunDevInit(options_), StatusIs(absl::StatusCode::kAlreadyExists,
                                             HasSubstr("not empty")));
  EXPECT_EQ(Snapshot(dir_).size(), 1u);
}

TEST_F(DevInitTest, WritesIntoAnEmptyExistingDirectory) {
  fs::create_directories(dir_);
  CG_ASSERT_OK(RunDevInit(options_));
  EXPECT_TRUE(fs::exists(dir_ / "caregate.textproto"));
}

TEST_F(DevInitTest, CreatesMissingParents) {
  options_.dir = (dir_ / "a" / "b").string();
  CG_ASSERT_OK(RunDevInit(options_));
  EXPECT_TRUE(fs::exists(dir_ / "a" / "b" / "pki" / "ca.crt"));
}

TEST_F(DevInitTest, RefusesAFileAsDirectory) {
  std::ofstream(dir_) << "x";
  EXPECT_THAT(RunDevInit(options_),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not a directory")));
}

TEST_F(DevInitTest, BadOptionsAreRefusedBeforeWritingAnything) {
  DevInitOptions bad_domain = options_;
  bad_domain.trust_domain = "Caregate Local";
  EXPECT_THAT(
      RunDevInit(bad_domain),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("trust domain")));
  for (const char* listen :
       {"7443", "localhost", "host:0", "host:70000", ":7443", "::1:7443",
        "[::1", "bad_host!:7443", "host:12ab"}) {
    DevInitOptions bad_listen = options_;
    bad_listen.listen = listen;
    EXPECT_THAT(RunDevInit(bad_listen),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("listen address")))
        << listen;
  }
  DevInitOptions no_dir = options_;
  no_dir.dir = "";
  EXPECT_THAT(RunDevInit(no_dir), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("directory")));
  EXPECT_FALSE(fs::exists(dir_));
}

}  // namespace
}  // namespace caregate::pki
