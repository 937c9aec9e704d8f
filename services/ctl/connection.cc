#include "services/ctl/connection.h"

#include <cstdlib>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "caregate/config/v1/config.pb.h"
#include "google/protobuf/text_format.h"
#include "openssl/bio.h"
#include "openssl/err.h"
#include "openssl/pem.h"
#include "openssl/x509.h"
#include "services/common/absl_compat.h"
#include "services/common/file_contents.h"
#include "services/ctl/time_text.h"

namespace caregate::ctl {
namespace {

namespace fs = std::filesystem;

std::string GetEnv(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  return value == nullptr ? "" : value;
}

// The profile path without a trailing ".crt" or ".key".
std::string ProfileBase(std::string_view profile) {
  std::string base(profile);
  for (std::string_view ext : {".crt", ".key"}) {
    if (absl::EndsWith(base, AsAbsl(ext))) base.resize(base.size() - 4);
  }
  return base;
}

// listen_address of DIR/caregate.textproto, with a wildcard host made
// loopback; empty when there is no readable config.
std::string ConfiguredAddress(const std::string& dir) {
  absl::StatusOr<std::string> text =
      ReadFileContents(dir + "/caregate.textproto");
  if (!text.ok()) return "";
  caregate::config::v1::GatewayConfig config;
  google::protobuf::TextFormat::Parser parser;
  parser.AllowPartialMessage(true);
  if (!parser.ParseFromString(*text, &config)) return "";
  std::string address = config.listen_address();
  for (std::string_view any : {"0.0.0.0:", "[::]:"}) {
    if (absl::StartsWith(address, AsAbsl(any))) {
      address = absl::StrCat("127.0.0.1:", address.substr(any.size()));
    }
  }
  return address;
}

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

BioPtr MemBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                &BIO_free);
}

// The PEM contents of `path`, checked to hold a certificate (or a private key
// that matches `cert_pem`).
absl::StatusOr<std::string> ReadPem(const std::string& path, bool is_key,
                                    const std::string& cert_pem) {
  absl::StatusOr<std::string> pem = ReadFileContents(path);
  if (!pem.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("bad certificate: cannot read ", path));
  }
  X509* cert = PEM_read_bio_X509(MemBio(is_key ? cert_pem : *pem).get(),
                                 nullptr, nullptr, nullptr);
  EVP_PKEY* key = is_key ? PEM_read_bio_PrivateKey(MemBio(*pem).get(), nullptr,
                                                   nullptr, nullptr)
                         : nullptr;
  std::string problem;
  if (!is_key && cert == nullptr) {
    problem = absl::StrCat(path, " is not a PEM certificate");
  } else if (is_key && key == nullptr) {
    problem = absl::StrCat(path, " is not a PEM private key");
  } else if (is_key && cert != nullptr &&
             X509_check_private_key(cert, key) != 1) {
    problem = absl::StrCat(path, " does not match its certificate");
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  ERR_clear_error();
  if (!problem.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(is_key ? "bad key: " : "bad certificate: ", problem));
  }
  return *pem;
}

// Fills in what the profile implies for the fields the flags left empty.
ConnectionFlags ApplyProfile(ConnectionFlags flags, const std::string& profile,
                             std::string* profile_dir) {
  if (profile.empty()) return flags;
  const std::string base = ProfileBase(profile);
  const fs::path pki = fs::path(base).parent_path();
  *profile_dir = pki.parent_path().string();
  if (profile_dir->empty()) *profile_dir = ".";
  if (flags.cert.empty()) flags.cert = base + ".crt";
  if (flags.key.empty()) flags.key = base + ".key";
  if (flags.ca.empty()) flags.ca = (pki / "ca.crt").string();
  return flags;
}

std::string OneLine(std::string text) {
  absl::StrReplaceAll({{"\n", " "}, {"\r", " "}}, &text);
  return text;
}

}  // namespace

const std::string_view kConnectionFlagsHelp =
    "connection:\n"
    "  --profile DIR/pki/PRINCIPAL  credentials of a dev-init setup: the\n"
    "                         principal's .crt/.key, DIR/pki/ca.crt and the\n"
    "                         gateway address of DIR/caregate.textproto\n"
    "                         (default: $CAREGATE_PROFILE)\n"
    "  --gateway HOST:PORT    the gateway (default: $CAREGATE_GATEWAY, the\n"
    "                         profile's listen address, or 127.0.0.1:7443)\n"
    "  --cert FILE --key FILE --ca FILE\n"
    "                         client certificate, its key and the CA bundle\n"
    "                         (override the profile's)\n"
    "  --timeout DURATION     per call (default 10s)\n";

std::string ClientUsage(std::string_view head, std::string_view examples) {
  return absl::StrCat(AsAbsl(head), "\n", AsAbsl(kConnectionFlagsHelp),
                      "\nexamples:\n", AsAbsl(examples));
}

void AddConnectionFlags(FlagSet& flags, ConnectionFlags* connection) {
  flags.AddString("gateway", &connection->gateway);
  flags.AddString("cert", &connection->cert);
  flags.AddString("key", &connection->key);
  flags.AddString("ca", &connection->ca);
  flags.AddString("profile", &connection->profile);
  flags.AddString("timeout", &connection->timeout);
}

std::string EffectiveProfile(const ConnectionFlags& flags) {
  return flags.profile.empty() ? GetEnv(kProfileEnv) : flags.profile;
}

std::string ProfileDir(std::string_view profile) {
  if (profile.empty()) return "";
  std::string dir =
      fs::path(ProfileBase(profile)).parent_path().parent_path().string();
  return dir.empty() ? "." : dir;
}

std::string PublicKeyPath(const ConnectionFlags& flags,
                          const std::string& pubkey) {
  if (!pubkey.empty()) return pubkey;
  const std::string dir = ProfileDir(EffectiveProfile(flags));
  return dir.empty() ? "" : dir + "/keys/audit-signing.pub.pem";
}

absl::StatusOr<Connection> Connect(const ConnectionFlags& given) {
  Connection connection;
  const std::string profile = EffectiveProfile(given);
  ConnectionFlags flags = ApplyProfile(given, profile, &connection.profile_dir);
  if (flags.cert.empty() || flags.key.empty() || flags.ca.empty()) {
    return absl::InvalidArgumentError(
        "no credentials: pass --profile DIR/pki/PRINCIPAL (or set "
        "CAREGATE_PROFILE), or --cert, --key and --ca");
  }
  if (!flags.timeout.empty()) {
    absl::StatusOr<absl::Duration> timeout = ParseDurationText(flags.timeout);
    if (!timeout.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--timeout: ", timeout.status().message()));
    }
    connection.timeout = *timeout;
  }
  connection.target = flags.gateway;
  if (connection.target.empty()) connection.target = GetEnv(kGatewayEnv);
  if (connection.target.empty() && !connection.profile_dir.empty()) {
    connection.target = ConfiguredAddress(connection.profile_dir);
  }
  if (connection.target.empty()) connection.target = kDefaultGateway;

  grpc::SslCredentialsOptions tls;
  absl::StatusOr<std::string> ca = ReadPem(flags.ca, false, "");
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> cert = ReadPem(flags.cert, false, "");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem(flags.key, true, *cert);
  if (!key.ok()) return key.status();
  tls.pem_root_certs = *ca;
  tls.pem_cert_chain = *cert;
  tls.pem_private_key = *key;
  connection.channel = grpc::CreateCustomChannel(
      connection.target, grpc::SslCredentials(tls), grpc::ChannelArguments());
  return connection;
}

std::unique_ptr<grpc::ClientContext> NewContext(const Connection& connection) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + connection.timeout));
  return context;
}

std::string DescribeRpcError(const grpc::Status& status,
                             const Connection& connection) {
  const std::string message = OneLine(status.error_message());
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      if (absl::StrContains(message, "andshake") ||
          absl::StrContains(message, "SSL") ||
          absl::StrContains(message, "ertificate")) {
        return absl::StrCat("TLS handshake with the gateway at ",
                            connection.target,
                            " failed: check --ca, --cert and --key");
      }
      return absl::StrCat("cannot reach the gateway at ", connection.target,
                          " (is caregated running?)");
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::StrCat("the gateway at ", connection.target,
                          " did not answer within ",
                          absl::FormatDuration(connection.timeout));
    case grpc::StatusCode::UNAUTHENTICATED:
      return absl::StrCat("not authenticated: ", message);
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::StrCat("permission denied: ", message);
    case grpc::StatusCode::NOT_FOUND:
      return absl::StrCat("not found: ", message);
    case grpc::StatusCode::INVALID_ARGUMENT:
      return absl::StrCat("invalid request: ", message);
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return absl::StrCat("too large: ", message);
    default:
      return message;
  }
}

}  // namespace caregate::ctl
