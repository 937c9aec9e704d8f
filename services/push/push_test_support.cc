#include "services/push/push_test_support.h"

#include <httplib.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/delivery/message_signature.h"
#include "services/pki/dev_ca.h"
#include "services/pki/dev_pki.h"
#include "tests/fhir/fhir_samples.h"

namespace caregate::push::testing {
namespace {

namespace fs = std::filesystem;
using receiver::v1::DeliverRequest;
using receiver::v1::DeliverResponse;

void WriteFile(const fs::path& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  ASSERT_TRUE(out.good()) << path;
}

// The first spiffe:// URI SAN of `cert`, or "".
std::string SpiffeUri(X509* cert) {
  std::string uri;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* value = name->d.uniformResourceIdentifier;
    uri.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
               ASN1_STRING_length(value));
    break;
  }
  GENERAL_NAMES_free(names);
  return uri;
}

std::string GrpcClientIdentity(const grpc::AuthContext& auth) {
  for (const char* property :
       {GRPC_PEER_URI_PROPERTY_NAME, GRPC_X509_SAN_PROPERTY_NAME}) {
    for (const auto& value : auth.FindPropertyValues(property)) {
      std::string text(value.data(), value.size());
      if (text.rfind("spiffe://", 0) == 0) return text;
    }
  }
  return "";
}

}  // namespace

DevSetup::DevSetup(pki::DevInitOptions options) {
  dir_ = root_.path() + "/dev";
  options.dir = dir_;
  auto written = pki::RunDevInit(options);
  if (!written.ok()) {
    ADD_FAILURE() << "dev-init: " << written.status();
    return;
  }
  auto signer = Ed25519Signer::FromPemFile(Path(pki::kAuditSigningKeyFile));
  if (!signer.ok()) {
    ADD_FAILURE() << signer.status();
    return;
  }
  signer_ = *std::move(signer);
}

std::string DevSetup::Path(std::string_view relative) const {
  return absl::StrCat(dir_, "/", std::string(relative));
}

std::string DevSetup::Read(std::string_view relative) const {
  std::ifstream in(Path(relative), std::ios::binary);
  EXPECT_TRUE(in.good()) << Path(relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

v1::Message SignedMessage(const Ed25519Signer& signer,
                          std::string_view message_id) {
  v1::Message message = fhir::samples::SampleMessages(signer).front();
  message.set_message_id(std::string(message_id));
  message.set_disclosure_id(absl::StrCat("d-", std::string(message_id)));
  SignMessage(signer, &message);
  return message;
}

std::shared_ptr<const GatewayConfig> ConfigWithEndpoints(
    const DevSetup& setup,
    const std::map<std::string, std::string>& endpoints) {
  std::string text = setup.Read(pki::kConfigFileName);
  for (const auto& [org_id, address] : endpoints) {
    const std::string block =
        pki::IsFhirPushAddress(address)
            ? absl::StrCat("fhir { base_url: \"", address,
                           "\" ca_cert_file: \"pki/ca.crt\" }")
            : absl::StrCat("grpc { endpoint: \"", address,
                           "\" ca_cert_file: \"pki/ca.crt\" }");
    // The organization's own org_id line (principals' are indented less).
    const std::string anchor = absl::StrCat("\n    org_id: \"", org_id, "\"\n");
    EXPECT_NE(text.find(anchor), std::string::npos) << org_id;
    absl::StrReplaceAll({{anchor, absl::StrCat(anchor, block, "\n")}}, &text);
  }
  auto config =
      GatewayConfig::FromText(text, pki::kConfigFileName, setup.dir());
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : nullptr;
}

void WriteForeignServerCertificate(const DevSetup& setup, std::string_view stem,
                                   std::string_view host) {
  auto ca = pki::DevCertificateAuthority::Create("foreign CA", 30);
  ASSERT_TRUE(ca.ok()) << ca.status();
  auto issued =
      (*ca)->Issue({"foreign server",
                    {{pki::SubjectAltName::Kind::kDns, std::string(host)}},
                    pki::LeafUsage::kServer,
                    30});
  ASSERT_TRUE(issued.ok()) << issued.status();
  auto ca_pem = (*ca)->CertificatePem();
  ASSERT_TRUE(ca_pem.ok());
  const std::string base = absl::StrCat("pki/", std::string(stem));
  WriteFile(setup.Path(base + ".crt"), issued->certificate_pem);
  WriteFile(setup.Path(base + ".key"), issued->private_key_pem);
  WriteFile(setup.Path(base + "-ca.crt"), *ca_pem);
}

LatencySummary Summarize(std::vector<absl::Duration> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2], samples.back()};
}

PushCallback ResultCollector::Callback(std::string tag) {
  return [this, tag = std::move(tag)](PushResult result) {
    absl::MutexLock lock(&mu_);
    entries_.push_back({tag, std::move(result), absl::Now()});
  };
}

std::vector<ResultCollector::Entry> ResultCollector::WaitFor(
    size_t count, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto enough = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return entries_.size() >= count;
  };
  mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  return entries_;
}

// ---------------------------------------------------------------------------

class ReceiverStub::Service
    : public receiver::v1::CareReceiver::CallbackService {
 public:
  grpc::ServerUnaryReactor* Deliver(grpc::CallbackServerContext* context,
                                    const DeliverRequest* request,
                                    DeliverResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    Reply reply;
    {
      absl::MutexLock lock(&mu_);
      ReceivedPush seen;
      seen.message_id = request->message().message_id();
      seen.attempt = request->attempt();
      seen.at = absl::Now();
      seen.client_identity = GrpcClientIdentity(*context->auth_context());
      received_.push_back(std::move(seen));
      if (!script_.empty()) {
        reply = script_.front();
        script_.pop_front();
      } else {
        reply = default_reply_;
      }
      if (reply.hang && !released_) {
        hung_.push_back(reactor);
        return reactor;
      }
    }
    if (reply.hang) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "released"));
    } else if (reply.code == grpc::StatusCode::OK) {
      response->set_acknowledged(reply.acknowledged);
      *response->mutable_received_at() = ToProtoTime(absl::Now());
      reactor->Finish(grpc::Status::OK);
    } else {
      // A receiver's own message must never reach the gateway's records.
      reactor->Finish(grpc::Status(reply.code, kReceiverCanary));
    }
    return reactor;
  }

  void ReleaseHung() {
    std::vector<grpc::ServerUnaryReactor*> hung;
    {
      absl::MutexLock lock(&mu_);
      released_ = true;
      hung.swap(hung_);
    }
    for (auto* reactor : hung) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "released"));
    }
  }

  static constexpr char kReceiverCanary[] = "CANARY patient Jane Example";

  absl::Mutex mu_;
  std::deque<Reply> script_ ABSL_GUARDED_BY(mu_);
  Reply default_reply_ ABSL_GUARDED_BY(mu_);
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<grpc::ServerUnaryReactor*> hung_ ABSL_GUARDED_BY(mu_);
  std::vector<ReceivedPush> received_ ABSL_GUARDED_BY(mu_);
};

ReceiverStub::ReceiverStub(const DevSetup& setup, std::string_view cert,
                           std::string_view key)
    : service_(std::make_unique<Service>()) {
  grpc::SslServerCredentialsOptions tls(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = setup.Read(pki::kCaCertFile);
  tls.pem_key_cert_pairs.push_back({setup.Read(key), setup.Read(cert)});
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(tls),
                           &port_);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  EXPECT_NE(server_, nullptr);
  EXPECT_GT(port_, 0);
}

ReceiverStub::~ReceiverStub() {
  service_->ReleaseHung();
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(5));
    server_->Wait();
  }
}

std::string ReceiverStub::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

void ReceiverStub::Script(std::deque<Reply> replies) {
  absl::MutexLock lock(&service_->mu_);
  service_->script_ = std::move(replies);
}

void ReceiverStub::SetDefault(Reply reply) {
  absl::MutexLock lock(&service_->mu_);
  service_->default_reply_ = reply;
}

void ReceiverStub::ReleaseHung() { service_->ReleaseHung(); }

bool ReceiverStub::WaitForCalls(size_t count, absl::Duration timeout) {
  absl::MutexLock lock(&service_->mu_);
  auto enough = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(service_->mu_) {
    return service_->received_.size() >= count;
  };
  return service_->mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

std::vector<ReceivedPush> ReceiverStub::received() const {
  absl::MutexLock lock(&service_->mu_);
  return service_->received_;
}

// ---------------------------------------------------------------------------

FhirStub::FhirStub(const DevSetup& setup, std::string_view cert,
                   std::string_view key) {
  server_ = std::make_unique<httplib::SSLServer>(
      setup.Path(cert).c_str(), setup.Path(key).c_str(),
      setup.Path(pki::kCaCertFile).c_str());
  EXPECT_TRUE(server_->is_valid());
  server_->new_task_queue = [] { return new httplib::ThreadPool(16); };
  server_->set_keep_alive_timeout(1);
  server_->set_tcp_nodelay(true);
  server_->Post(R"(/r4/\$process-message)", [this](
                                                const httplib::Request& request,
                                                httplib::Response& response) {
    Reply reply;
    {
      absl::MutexLock lock(&mu_);
      ReceivedPush seen;
      seen.body = request.body;
      seen.content_type = request.get_header_value("Content-Type");
      seen.at = absl::Now();
      if (request.ssl != nullptr) {
        X509* peer = SSL_get1_peer_certificate(request.ssl);
        if (peer != nullptr) {
          seen.client_identity = SpiffeUri(peer);
          X509_free(peer);
        }
      }
      received_.push_back(std::move(seen));
      reply = NextReply();
      if (reply.hang) {
        mu_.AwaitWithTimeout(absl::Condition(&released_), absl::Seconds(60));
        reply.status = 503;
      }
    }
    response.status = reply.status;
    // 1xx, 204 and 304 carry no body (one would corrupt the connection).
    if (reply.status >= 200 && reply.status != 204 && reply.status != 304) {
      response.set_content("{\"resourceType\":\"Bundle\"}",
                           "application/fhir+json");
    }
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  EXPECT_GT(port_, 0);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() does nothing until the server runs, and offers no way
  // to wait for that: spin briefly (it takes microseconds).
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!server_->is_running() && absl::Now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_TRUE(server_->is_running());
}

FhirStub::~FhirStub() {
  ReleaseHung();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string FhirStub::base_url() const {
  return absl::StrCat("https://127.0.0.1:", port_, "/r4");
}

FhirStub::Reply FhirStub::NextReply() {
  if (script_.empty()) return default_reply_;
  Reply reply = script_.front();
  script_.pop_front();
  return reply;
}

void FhirStub::Script(std::deque<Reply> replies) {
  absl::MutexLock lock(&mu_);
  script_ = std::move(replies);
}

void FhirStub::SetDefault(Reply reply) {
  absl::MutexLock lock(&mu_);
  default_reply_ = reply;
}

void FhirStub::ReleaseHung() {
  absl::MutexLock lock(&mu_);
  released_ = true;
}

bool FhirStub::WaitForCalls(size_t count, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto enough = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return received_.size() >= count;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

std::vector<ReceivedPush> FhirStub::received() const {
  absl::MutexLock lock(&mu_);
  return received_;
}

}  // namespace caregate::push::testing
