// Push over gRPC: calls caregate.receiver.v1.CareReceiver/Deliver on one
// endpoint, over mTLS. The gateway presents its delivery client certificate
// and checks the receiver's certificate against the organization's CA and
// server name. One channel per endpoint (HTTP/2, calls multiplexed), one
// completion-queue thread per transport.
//
// Result of a call: OK = kDelivered (acknowledged when the response says so);
// UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL =
// kRetry; any other code = kFailed. Each call has a deadline of
// attempt_timeout. Thread-safety and the in-flight cap: see PushTransport.
#ifndef CAREGATE_SERVICES_PUSH_GRPC_PUSH_TRANSPORT_H_
#define CAREGATE_SERVICES_PUSH_GRPC_PUSH_TRANSPORT_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "caregate/receiver/v1/receiver.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "services/push/push_transport.h"

namespace caregate::push {

// What a gRPC transport needs; PEM text, not file names.
struct GrpcPushOptions {
  // host:port of the CareReceiver.
  std::string endpoint;
  // The name the receiver's certificate must carry; empty: the endpoint's
  // host.
  std::string server_name;
  // CA bundle the receiver's certificate must chain to.
  std::string ca_pem;
  // The gateway's delivery client certificate (chain) and its key.
  std::string client_cert_pem;
  std::string client_key_pem;
  absl::Duration attempt_timeout = absl::Seconds(30);
  int max_in_flight = 8;
};

// The PushResult of a finished Deliver call. `cancelled_locally`: the
// transport cancelled it (shutting down). Exposed for tests.
PushResult GrpcPushResult(const grpc::Status& status,
                          const receiver::v1::DeliverResponse& response,
                          absl::Duration attempt_timeout,
                          bool cancelled_locally, absl::Time now);

class GrpcPushTransport : public PushTransport {
 public:
  // INVALID_ARGUMENT when the endpoint, the CA or the client certificate is
  // missing. The channel connects lazily, on the first attempt.
  static absl::StatusOr<std::unique_ptr<GrpcPushTransport>> Create(
      GrpcPushOptions options);
  ~GrpcPushTransport() override;

 protected:
  void Start(const v1::Message& message, int attempt,
             PushCallback done) override;

 private:
  struct Call;

  GrpcPushTransport(GrpcPushOptions options,
                    std::shared_ptr<grpc::Channel> channel);
  void CompletionLoop();

  const absl::Duration attempt_timeout_;
  std::unique_ptr<receiver::v1::CareReceiver::Stub> stub_;
  grpc::CompletionQueue queue_;
  absl::Mutex mu_;
  absl::flat_hash_set<Call*> calls_ ABSL_GUARDED_BY(mu_);
  std::thread completions_;
};

}  // namespace caregate::push

#endif  // CAREGATE_SERVICES_PUSH_GRPC_PUSH_TRANSPORT_H_
