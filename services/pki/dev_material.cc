#include "services/pki/dev_material.h"

#include <arpa/inet.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/pki/annotated_config.h"
#include "services/pki/dev_pki.h"
#include "services/pki/pem.h"
#include "services/transparency/note_keys.h"

namespace caregate::pki {
namespace {

constexpr int kCaValidityDays = 3650;
constexpr int kLeafValidityDays = 730;
constexpr mode_t kPrivateFileMode = 0600;
constexpr mode_t kPublicFileMode = 0644;
constexpr size_t kDataKeyBytes = 32;

constexpr char kConfigHeader[] =
    "caregate gateway configuration, in protobuf text format. Schema:\n"
    "caregate.config.v1.GatewayConfig in "
    "proto/caregate/config/v1/config.proto.\n"
    "\n"
    "Written by `caregatectl dev-init` for local development: a throwaway CA,\n"
    "certificates and keys under pki/ and keys/, and a sample directory of "
    "two\n"
    "therapy practices and five partner clinics with fictitious names and "
    "NPIs.\n"
    "Not for production: config/caregate.production.textproto is a template.\n"
    "\n"
    "Relative paths are resolved against the directory of this file.\n"
    "Start the gateway with: caregated --config <this file>";

struct HostPort {
  std::string host;
  std::string port;
};

absl::StatusOr<HostPort> SplitListenAddress(std::string_view listen) {
  auto bad = [listen](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address \"", std::string(listen), "\": ", std::string(why),
        " (want HOST:PORT, e.g. 127.0.0.1:7443)"));
  };
  HostPort out;
  if (!listen.empty() && listen.front() == '[') {
    size_t close = listen.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    out.host = std::string(listen.substr(1, close - 1));
    std::string_view rest = listen.substr(close + 1);
    if (rest.empty() || rest.front() != ':') return bad("missing :PORT");
    out.port = std::string(rest.substr(1));
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) return bad("missing :PORT");
    out.host = std::string(listen.substr(0, colon));
    out.port = std::string(listen.substr(colon + 1));
    if (out.host.find(':') != std::string::npos) {
      return bad("write an IPv6 address in brackets");
    }
  }
  if (out.host.empty()) return bad("missing host");
  int port = 0;
  bool digits =
      !out.port.empty() &&
      std::all_of(out.port.begin(), out.port.end(), absl::ascii_isdigit);
  if (!digits || !absl::SimpleAtoi(out.port, &port) || port < 1 ||
      port > 65535) {
    return bad("port must be a number from 1 to 65535");
  }
  return out;
}

// A DNS host name: dot-separated labels of letters, digits and inner '-'.
bool IsHostName(std::string_view host) {
  if (host.size() > 253) return false;
  size_t start = 0;
  while (start <= host.size()) {
    size_t end = std::min(host.find('.', start), host.size());
    std::string_view label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' ||
        label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(c) && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

// "host:port" of a push endpoint address: itself for a CareReceiver, the
// authority of an https URL (port 443 when it names none).
std::string PushEndpointHostPort(const std::string& address) {
  if (!IsFhirPushAddress(address)) return address;
  constexpr size_t kSchemeLength = std::string_view("https://").size();
  std::string authority = address.substr(
      kSchemeLength,
      address.find_first_of("/?#", kSchemeLength) - kSchemeLength);
  const size_t close = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  const bool has_port = colon != std::string::npos &&
                        (close == std::string::npos || colon > close);
  return has_port ? authority : authority + ":443";
}

void AddUnique(const std::vector<SubjectAltName>& more,
               std::vector<SubjectAltName>& sans) {
  for (const SubjectAltName& san : more) {
    const bool known = std::any_of(
        sans.begin(), sans.end(), [&san](const SubjectAltName& have) {
          return have.kind == san.kind && absl::AsciiStrToLower(have.value) ==
                                              absl::AsciiStrToLower(san.value);
        });
    if (!known) sans.push_back(san);
  }
}

PlannedFile Private(std::string_view path, std::string contents,
                    std::string description) {
  return {std::string(path), std::move(contents), kPrivateFileMode,
          std::move(description)};
}

PlannedFile Public(std::string_view path, std::string contents,
                   std::string description) {
  return {std::string(path), std::move(contents), kPublicFileMode,
          std::move(description)};
}

// The gateway's delivery client certificate and the local push endpoint's
// server certificate, with their keys.
absl::Status AddPushCertificates(const DevInitOptions& options,
                                 DevCertificateAuthority& ca,
                                 std::vector<PlannedFile>& files) {
  const std::string uri = absl::StrCat("spiffe://", options.trust_domain, "/",
                                       std::string(kDeliveryIdentity));
  CG_ASSIGN_OR_RETURN(PemCredential delivery,
                      ca.Issue({std::string(kDeliveryIdentity),
                                {{SubjectAltName::Kind::kUri, uri}},
                                LeafUsage::kClient,
                                kLeafValidityDays}));
  files.push_back(Public(kDeliveryCertFile, std::move(delivery.certificate_pem),
                         absl::StrCat("client certificate the gateway presents "
                                      "to push endpoints (",
                                      uri, ")")));
  files.push_back(Private(kDeliveryKeyFile, std::move(delivery.private_key_pem),
                          "private key of gateway-delivery"));
  CG_ASSIGN_OR_RETURN(auto sans, ReceiverSubjectAltNames(options));
  CG_ASSIGN_OR_RETURN(PemCredential receiver,
                      ca.Issue({"caregate receiver", sans, LeafUsage::kServer,
                                kLeafValidityDays}));
  files.push_back(Public(kReceiverCertFile, std::move(receiver.certificate_pem),
                         "server certificate of a local push endpoint "
                         "(caregate-receiver)"));
  files.push_back(Private(kReceiverKeyFile, std::move(receiver.private_key_pem),
                          "its private key"));
  return absl::OkStatus();
}

// The server certificate and key, and a client certificate and key for
// every principal of `config`.
absl::Status AddCertificates(const DevInitOptions& options,
                             const config::v1::GatewayConfig& config,
                             std::vector<PlannedFile>& files) {
  CG_ASSIGN_OR_RETURN(auto ca, DevCertificateAuthority::Create(
                                   "caregate dev CA", kCaValidityDays));
  CG_ASSIGN_OR_RETURN(std::string ca_pem, ca->CertificatePem());
  files.push_back(Public(kCaCertFile, std::move(ca_pem),
                         "CA certificate: the trust anchor of every "
                         "certificate below"));
  CG_ASSIGN_OR_RETURN(auto sans, ServerSubjectAltNames(options.listen));
  CG_ASSIGN_OR_RETURN(PemCredential server,
                      ca->Issue({"caregate server", sans, LeafUsage::kServer,
                                 kLeafValidityDays}));
  files.push_back(Public(kServerCertFile, std::move(server.certificate_pem),
                         "server certificate"));
  files.push_back(Private(kServerKeyFile, std::move(server.private_key_pem),
                          "server private key"));
  CG_RETURN_IF_ERROR(AddPushCertificates(options, *ca, files));
  for (const auto& principal : config.principals()) {
    const std::string& id = principal.principal_id();
    std::string uri = absl::StrCat("spiffe://", options.trust_domain, "/", id);
    CG_ASSIGN_OR_RETURN(PemCredential client,
                        ca->Issue({id,
                                   {{SubjectAltName::Kind::kUri, uri}},
                                   LeafUsage::kClient,
                                   kLeafValidityDays}));
    std::string who = absl::StrCat(
        id, " (", caregate::v1::Role_Name(principal.role()),
        principal.org_id().empty() ? "" : ", ", principal.org_id(), ")");
    files.push_back(Public(ClientCertFile(id),
                           std::move(client.certificate_pem),
                           absl::StrCat("client certificate of ", who)));
    files.push_back(Private(ClientKeyFile(id),
                            std::move(client.private_key_pem),
                            absl::StrCat("private key of ", id)));
  }
  return absl::OkStatus();
}

// The verifier key of `key`'s checkpoint notes under `origin`.
absl::StatusOr<std::string> LogVerifierKey(EVP_PKEY* key,
                                           std::string_view origin) {
  unsigned char raw[32];
  size_t length = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(key, raw, &length) != 1 || length != 32) {
    return absl::InternalError("cannot read the Ed25519 public key");
  }
  return absl::StrCat(
      tlog::FormatVerifierKey(
          origin, tlog::NoteKeyType::kCosignatureV1,
          std::string_view(reinterpret_cast<const char*>(raw), length)),
      "\n");
}

absl::Status AddKeys(const DevInitOptions& options,
                     std::vector<PlannedFile>& files) {
  CG_ASSIGN_OR_RETURN(EvpPkeyPtr signing_key, GenerateEd25519Key());
  CG_ASSIGN_OR_RETURN(std::string private_pem,
                      PrivateKeyPem(signing_key.get()));
  CG_ASSIGN_OR_RETURN(std::string public_pem, PublicKeyPem(signing_key.get()));
  CG_ASSIGN_OR_RETURN(std::string log_key,
                      LogVerifierKey(signing_key.get(),
                                     CheckpointOrigin(options.trust_domain)));
  files.push_back(Private(kAuditSigningKeyFile, std::move(private_pem),
                          "Ed25519 key that signs audit checkpoints and "
                          "messages"));
  files.push_back(Public(kAuditSigningPublicKeyFile, std::move(public_pem),
                         "its public key, for auditors and clinics"));
  files.push_back(Public(kAuditLogKeyFile, std::move(log_key),
                         "the verifier key of its checkpoint notes, for "
                         "witnesses"));
  CG_ASSIGN_OR_RETURN(std::string data_key, SecureRandomBytes(kDataKeyBytes));
  files.push_back(Private(
      kDataKeyFile, absl::StrCat(absl::BytesToHexString(data_key), "\n"),
      absl::StrCat("AES-256 data key, id ", std::string(kDataKeyId))));
  CG_ASSIGN_OR_RETURN(std::string digest_key, SecureRandomBytes(kDataKeyBytes));
  files.push_back(
      Private(kContentDigestKeyFile,
              absl::StrCat(absl::BytesToHexString(digest_key), "\n"),
              "HMAC-SHA256 key of stored content digests"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<SubjectAltName>> ServerSubjectAltNames(
    std::string_view listen) {
  CG_ASSIGN_OR_RETURN(HostPort hp, SplitListenAddress(listen));
  std::vector<SubjectAltName> sans = {{SubjectAltName::Kind::kDns, "localhost"},
                                      {SubjectAltName::Kind::kIp, "127.0.0.1"}};
  unsigned char addr[16];
  if (inet_pton(AF_INET, hp.host.c_str(), addr) == 1) {
    if (hp.host != "127.0.0.1" && hp.host != "0.0.0.0") {
      sans.push_back({SubjectAltName::Kind::kIp, hp.host});
    }
  } else if (inet_pton(AF_INET6, hp.host.c_str(), addr) == 1) {
    static constexpr unsigned char kAny[16] = {};
    if (!std::equal(addr, addr + 16, kAny)) {
      sans.push_back({SubjectAltName::Kind::kIp, hp.host});
    }
  } else if (IsHostName(hp.host)) {
    if (absl::AsciiStrToLower(hp.host) != "localhost") {
      sans.push_back({SubjectAltName::Kind::kDns, hp.host});
    }
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", std::string(listen),
                     "\": host is neither an IP address nor a host name"));
  }
  return sans;
}

absl::StatusOr<std::vector<SubjectAltName>> ReceiverSubjectAltNames(
    const DevInitOptions& options) {
  std::vector<SubjectAltName> sans = {{SubjectAltName::Kind::kDns, "localhost"},
                                      {SubjectAltName::Kind::kIp, "127.0.0.1"}};
  for (const auto& [org_id, address] : options.push_endpoints) {
    auto more = ServerSubjectAltNames(PushEndpointHostPort(address));
    if (!more.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "push endpoint of ", org_id, " \"", address,
          "\": want HOST:PORT of a caregate-receiver or an https:// URL of a "
          "FHIR server (",
          more.status().message(), ")"));
    }
    AddUnique(*more, sans);
  }
  return sans;
}

std::string SampleConfigText(const DevInitOptions& options) {
  return AnnotatedConfigText(SampleGatewayConfig(options), kConfigHeader);
}

absl::StatusOr<std::vector<PlannedFile>> BuildDevFiles(
    const DevInitOptions& options) {
  config::v1::GatewayConfig config = SampleGatewayConfig(options);
  std::vector<PlannedFile> files;
  files.push_back(Public(kConfigFileName, SampleConfigText(options),
                         "gateway config, annotated"));
  CG_RETURN_IF_ERROR(AddCertificates(options, config, files));
  CG_RETURN_IF_ERROR(AddKeys(options, files));
  return files;
}

}  // namespace caregate::pki
