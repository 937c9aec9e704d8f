// caregate-receiver: the reference CareReceiver a partner clinic runs in
// front of its own system. The gateway pushes each message over mTLS; the
// receiver checks the gateway's Ed25519 signature, writes the message once
// (deduplicated by message_id, also across restarts) to --out as JSON plus
// its FHIR R4 Bundle, and answers. Serves until SIGTERM or SIGINT.
#include <csignal>
#include <cstdio>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/synchronization/mutex.h"
#include "services/receiver/receiver_server.h"
#include "services/rpc/json_log.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, listen, "",
          "Where to serve, HOST:PORT, e.g. 127.0.0.1:9443 (port 0: any free "
          "port; the first line on stdout names it). Required.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM server certificate (chain) the gateway verifies, e.g. "
          "DIR/pki/receiver.crt from `caregatectl dev-init DIR`. Required.");
ABSL_FLAG(std::string, tls_key, "",
          "PEM private key of --tls-cert, e.g. DIR/pki/receiver.key. "
          "Required.");
ABSL_FLAG(std::string, ca, "",
          "PEM CA bundle the gateway's client certificate must chain to, e.g. "
          "DIR/pki/ca.crt. Required.");
ABSL_FLAG(std::string, pubkey, "",
          "The gateway's published Ed25519 public key (PEM) that signs every "
          "message, e.g. DIR/keys/audit-signing.pub.pem. Messages that do not "
          "verify are refused (INVALID_ARGUMENT) and never written. Required.");
ABSL_FLAG(std::string, out, "",
          "Directory for received messages (created 0700): "
          "<message_id>.message.json and <message_id>.bundle.json, each "
          "written once. Required.");
ABSL_FLAG(bool, ack, false,
          "Answer acknowledged: true, so the gateway marks each message "
          "acknowledged as soon as it is stored.");
ABSL_FLAG(std::string, client_uri, "",
          "Accept only a client certificate with this URI SAN, e.g. "
          "spiffe://caregate.local/gateway-delivery (default: any certificate "
          "from --ca).");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "caregate-receiver --listen HOST:PORT --tls-cert FILE --tls-key FILE "
      "--ca FILE --pubkey FILE --out DIR [--ack] [--client-uri URI]\n\n"
      "Receives messages that a caregate gateway pushes "
      "(caregate.receiver.v1.CareReceiver over mutual TLS), verifies their\n"
      "signature, and writes each one once to --out as JSON and as a FHIR R4\n"
      "Bundle. Logs are JSON lines on stderr, without message content.\n\n"
      "Example:\n  caregate-receiver --listen 127.0.0.1:9443 "
      "--tls-cert dev/pki/receiver.crt --tls-key dev/pki/receiver.key "
      "--ca dev/pki/ca.crt --pubkey dev/keys/audit-signing.pub.pem "
      "--out ./inbox --ack");
  absl::ParseCommandLine(argc, argv);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  caregate::InstallJsonLogFormat();

  caregate::care_receiver::ReceiverOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.ca_file = absl::GetFlag(FLAGS_ca);
  options.pubkey_file = absl::GetFlag(FLAGS_pubkey);
  options.out_dir = absl::GetFlag(FLAGS_out);
  options.acknowledge = absl::GetFlag(FLAGS_ack);
  options.client_uri = absl::GetFlag(FLAGS_client_uri);
  auto server = caregate::care_receiver::ReceiverServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "caregate-receiver: %s\n",
                 std::string(server.status().message()).c_str());
    return server.status().code() == absl::StatusCode::kInvalidArgument ? 2
                                                                        : 1;
  }
  std::printf("caregate-receiver listening on %s, writing to %s\n",
              (*server)->address().c_str(), options.out_dir.c_str());
  std::fflush(stdout);
  std::thread([&stop_signals, s = server->get()] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    spdlog::info("received signal {}, stopping", signal);
    s->Shutdown();
  }).detach();
  (*server)->Wait();
  server->reset();
  spdlog::shutdown();
  return 0;
}
