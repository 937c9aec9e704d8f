// caregate-receiver's server: caregate.receiver.v1.CareReceiver over mTLS
// (client certificates must chain to --ca), each Deliver handed to a small
// thread pool that runs the DeliveryHandler (signature check, durable
// write), so gRPC's threads never block on the disk. One JSON log line per
// call: message id, attempt, outcome and whether it was a duplicate, never
// the message's content or its patient.
//
// Thread-safe. Shutdown() finishes the calls in progress (up to a grace
// period) and is also run by the destructor.
#ifndef CAREGATE_SERVICES_RECEIVER_RECEIVER_SERVER_H_
#define CAREGATE_SERVICES_RECEIVER_RECEIVER_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "services/receiver/delivery_handler.h"

namespace caregate {
class Executor;
}

namespace caregate::care_receiver {

struct ReceiverOptions {
  // host:port; port 0 picks a free one (see ReceiverServer::address()).
  std::string listen;
  // PEM server certificate and key.
  std::string tls_cert_file;
  std::string tls_key_file;
  // PEM CA bundle the gateway's client certificate must chain to.
  std::string ca_file;
  // The gateway's published Ed25519 key (keys/audit-signing.pub.pem).
  std::string pubkey_file;
  // Where messages are written.
  std::string out_dir;
  bool acknowledge = false;
  // Accept only this client URI SAN; empty: any certificate from ca_file.
  std::string client_uri;
  // Threads that verify and store messages.
  int threads = 4;
};

class ReceiverServer {
 public:
  // Reads the files, opens the output directory and starts serving.
  // INVALID_ARGUMENT for a missing option; NOT_FOUND or INVALID_ARGUMENT
  // naming a file that cannot be read or used; UNAVAILABLE when the address
  // cannot be bound.
  static absl::StatusOr<std::unique_ptr<ReceiverServer>> Start(
      const ReceiverOptions& options);
  ~ReceiverServer();

  // "host:port" actually bound.
  const std::string& address() const { return address_; }
  void Shutdown();
  // Blocks until Shutdown() has completed.
  void Wait();
  const DeliveryHandler& handler() const { return *handler_; }

 private:
  class Service;
  ReceiverServer() = default;

  std::unique_ptr<DeliveryHandler> handler_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

}  // namespace caregate::care_receiver

#endif  // CAREGATE_SERVICES_RECEIVER_RECEIVER_SERVER_H_
