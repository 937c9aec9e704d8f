// caregate-bench-receiver: a CareReceiver that does nothing but answer, for
// the push benchmark (bench/push.sh). It takes every pushed message over
// mTLS (client certificates must chain to --ca), answers OK with
// acknowledged: true and the time of receipt, and stores nothing, so the
// benchmark measures the gateway's side of push delivery and not a
// receiver's disk. It checks no signature: never run it in front of a real
// system (caregate-receiver is the reference endpoint).
//
//   caregate-bench-receiver --listen 127.0.0.1:PORT --tls-cert FILE
//                           --tls-key FILE --ca FILE
//
// Prints "caregate-bench-receiver listening on HOST:PORT" once serving, and
// on SIGTERM or SIGINT the number of calls it answered; exits 0 then, 2 for a
// usage error, 1 when it cannot serve.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "caregate/receiver/v1/receiver.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "services/common/proto_time.h"
#include "services/security/peer_identity.h"

ABSL_FLAG(std::string, listen, "", "HOST:PORT to serve on (loopback)");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate");
ABSL_FLAG(std::string, tls_key, "", "PEM server key");
ABSL_FLAG(std::string, ca, "",
          "PEM CA the gateway's client certificate "
          "must chain to");

namespace {

namespace receiver = caregate::receiver::v1;

// Answers every Deliver at once, on gRPC's thread (nothing here blocks).
class NoopReceiver final : public receiver::CareReceiver::CallbackService {
 public:
  grpc::ServerUnaryReactor* Deliver(
      grpc::CallbackServerContext* context,
      const receiver::DeliverRequest* request,
      receiver::DeliverResponse* response) override {
    *response->mutable_received_at() = caregate::ToProtoTime(absl::Now());
    response->set_acknowledged(true);
    calls_.fetch_add(1, std::memory_order_relaxed);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  int64_t calls() const { return calls_.load(); }

 private:
  std::atomic<int64_t> calls_{0};
};

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "a CareReceiver that answers every push (acknowledged) and stores "
      "nothing, for bench/push.sh; see the top of bench/push/"
      "noop_receiver.cc");
  absl::ParseCommandLine(argc, argv);
  const std::string listen = absl::GetFlag(FLAGS_listen);
  if (listen.empty() || absl::GetFlag(FLAGS_tls_cert).empty() ||
      absl::GetFlag(FLAGS_tls_key).empty() || absl::GetFlag(FLAGS_ca).empty()) {
    std::fprintf(stderr,
                 "caregate-bench-receiver: --listen, --tls_cert, --tls_key "
                 "and --ca are required (--help)\n");
    return 2;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto credentials = caregate::MutualTlsServerCredentials(
      absl::GetFlag(FLAGS_ca), absl::GetFlag(FLAGS_tls_cert),
      absl::GetFlag(FLAGS_tls_key));
  if (!credentials.ok()) {
    std::fprintf(stderr, "caregate-bench-receiver: %s\n",
                 std::string(credentials.status().message()).c_str());
    return 1;
  }
  NoopReceiver service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, *credentials, &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "caregate-bench-receiver: cannot serve on %s\n",
                 listen.c_str());
    return 1;
  }
  std::printf("caregate-bench-receiver listening on %s\n", listen.c_str());
  std::fflush(stdout);
  std::thread stopper([&stop_signals, &server] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    server->Shutdown(std::chrono::system_clock::now() +
                     std::chrono::seconds(2));
  });
  server->Wait();
  stopper.join();
  std::printf("caregate-bench-receiver: answered %lld calls\n",
              static_cast<long long>(service.calls()));
  return 0;
}
