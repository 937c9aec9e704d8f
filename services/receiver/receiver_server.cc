#include "services/receiver/receiver_server.h"

#include <chrono>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "caregate/receiver/v1/receiver.grpc.pb.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/rpc/executor.h"
#include "services/security/peer_identity.h"
#include "spdlog/spdlog.h"

namespace caregate::care_receiver {
namespace {

using receiver::v1::DeliverRequest;
using receiver::v1::DeliverResponse;

constexpr auto kShutdownGrace = std::chrono::seconds(10);
// A message is at most the gateway's request limit plus its envelope.
constexpr int kMaxMessageBytes = 16 << 20;

// The first URI SAN of the caller's certificate, or "".
std::string ClientUri(const grpc::AuthContext& auth) {
  for (const char* property :
       {GRPC_PEER_URI_PROPERTY_NAME, GRPC_X509_SAN_PROPERTY_NAME}) {
    for (const auto& value : auth.FindPropertyValues(property)) {
      std::string text(value.data(), value.size());
      if (text.find("://") != std::string::npos) return text;
    }
  }
  return "";
}

absl::Status Require(const std::string& value, std::string_view flag) {
  if (!value.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("--", std::string(flag), " is required"));
}

}  // namespace

class ReceiverServer::Service
    : public receiver::v1::CareReceiver::CallbackService {
 public:
  Service(DeliveryHandler* handler, Executor* executor)
      : handler_(handler), executor_(executor) {}

  grpc::ServerUnaryReactor* Deliver(grpc::CallbackServerContext* context,
                                    const DeliverRequest* request,
                                    DeliverResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    std::string client = ClientUri(*context->auth_context());
    executor_->Post(
        [this, reactor, request, response, client = std::move(client)] {
          absl::StatusOr<DeliveryHandler::Answer> answer =
              handler_->Deliver(request->message(), client);
          Log(*request, answer);
          if (!answer.ok()) {
            reactor->Finish(grpc::Status(
                static_cast<grpc::StatusCode>(answer.status().code()),
                std::string(answer.status().message())));
            return;
          }
          *response->mutable_received_at() = ToProtoTime(answer->received_at);
          response->set_acknowledged(answer->acknowledged);
          reactor->Finish(grpc::Status::OK);
        });
    return reactor;
  }

 private:
  // Ids and outcomes only: never the message's content or patient.
  static void Log(const DeliverRequest& request,
                  const absl::StatusOr<DeliveryHandler::Answer>& answer) {
    const std::string& id = request.message().message_id();
    const std::string shown = IsSafeMessageId(id) ? id : "(not a valid id)";
    if (answer.ok()) {
      spdlog::info("message {} attempt {}: {}", shown, request.attempt(),
                   answer->duplicate ? "duplicate, stored before" : "stored");
    } else {
      spdlog::warn("message {} attempt {}: refused, {}", shown,
                   request.attempt(), answer.status().ToString());
    }
  }

  DeliveryHandler* const handler_;
  Executor* const executor_;
};

absl::StatusOr<std::unique_ptr<ReceiverServer>> ReceiverServer::Start(
    const ReceiverOptions& options) {
  CG_RETURN_IF_ERROR(Require(options.listen, "listen"));
  CG_RETURN_IF_ERROR(Require(options.tls_cert_file, "tls-cert"));
  CG_RETURN_IF_ERROR(Require(options.tls_key_file, "tls-key"));
  CG_RETURN_IF_ERROR(Require(options.ca_file, "ca"));
  CG_RETURN_IF_ERROR(Require(options.pubkey_file, "pubkey"));
  CG_RETURN_IF_ERROR(Require(options.out_dir, "out"));
  CG_ASSIGN_OR_RETURN(auto verifier,
                      Ed25519Verifier::FromPemFile(options.pubkey_file));
  CG_ASSIGN_OR_RETURN(auto store, ReceivedStore::Open(options.out_dir));
  CG_ASSIGN_OR_RETURN(
      auto credentials,
      MutualTlsServerCredentials(options.ca_file, options.tls_cert_file,
                                 options.tls_key_file));
  std::unique_ptr<ReceiverServer> server(new ReceiverServer());
  server->handler_ = std::make_unique<DeliveryHandler>(
      std::move(verifier), std::move(store),
      HandlerSettings{options.acknowledge, options.client_uri,
                      absl::StrCat("grpcs://", options.listen)});
  server->executor_ = std::make_unique<Executor>(std::max(1, options.threads));
  server->service_ = std::make_unique<Service>(server->handler_.get(),
                                               server->executor_.get());
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, credentials, &port);
  builder.RegisterService(server->service_.get());
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot serve on ", options.listen,
        " (address in use, or a certificate or key that is not PEM?)"));
  }
  const size_t colon = options.listen.rfind(':');
  server->address_ = absl::StrCat(options.listen.substr(0, colon), ":", port);
  return server;
}

ReceiverServer::~ReceiverServer() { Shutdown(); }

void ReceiverServer::Shutdown() {
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  // Calls still queued finish before the pool is gone.
  executor_.reset();
}

void ReceiverServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace caregate::care_receiver
