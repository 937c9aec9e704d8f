#include "services/receiver/receiver_flags.h"

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace caregate::care_receiver {
namespace {

struct Flag {
  std::string_view name;
  std::string_view value_name;  // empty for a boolean flag
  std::string_view help;
  std::string ReceiverOptions::*text = nullptr;
  bool ReceiverOptions::*boolean = nullptr;
};

constexpr Flag kFlags[] = {
    {"listen", "HOST:PORT",
     "Where to serve, e.g. 127.0.0.1:9443 (port 0: any free port; the first "
     "line on stdout names the address). Required.",
     &ReceiverOptions::listen},
    {"tls-cert", "FILE",
     "PEM server certificate (chain) the gateway verifies, e.g. "
     "DIR/pki/receiver.crt from `caregatectl dev-init DIR`. Required.",
     &ReceiverOptions::tls_cert_file},
    {"tls-key", "FILE", "PEM private key of --tls-cert. Required.",
     &ReceiverOptions::tls_key_file},
    {"ca", "FILE",
     "PEM CA bundle the gateway's client certificate must chain to, e.g. "
     "DIR/pki/ca.crt. Required.",
     &ReceiverOptions::ca_file},
    {"pubkey", "FILE",
     "The gateway's published Ed25519 key (PEM) that signs every message, "
     "e.g. DIR/keys/audit-signing.pub.pem. A message that does not verify "
     "is refused (INVALID_ARGUMENT) and never written. Required.",
     &ReceiverOptions::pubkey_file},
    {"out", "DIR",
     "Where received messages go (created, mode 0700): "
     "<message_id>.message.json (protobuf JSON) and "
     "<message_id>.bundle.json (FHIR R4 Bundle), each written once. "
     "Required.",
     &ReceiverOptions::out_dir},
    {"ack", "",
     "Answer acknowledged: true, so the gateway marks each message "
     "acknowledged once it is stored here.",
     nullptr, &ReceiverOptions::acknowledge},
    {"client-uri", "URI",
     "Accept only a client certificate with this URI SAN, e.g. "
     "spiffe://caregate.local/gateway-delivery (default: any certificate "
     "from --ca).",
     &ReceiverOptions::client_uri},
};

const Flag* FindFlag(std::string_view name) {
  for (const Flag& flag : kFlags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

absl::Status Bad(std::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(problem), " (see --help)"));
}

}  // namespace

absl::StatusOr<ReceiverCommandLine> ParseReceiverFlags(
    const std::vector<std::string>& args) {
  ReceiverCommandLine parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      continue;
    }
    if (arg.substr(0, 2) != "--") {
      return Bad(
          absl::StrCat("unexpected argument \"", std::string(arg), "\""));
    }
    arg.remove_prefix(2);
    const size_t equals = arg.find('=');
    const std::string_view name = arg.substr(0, equals);
    const Flag* flag = FindFlag(name);
    if (flag == nullptr) {
      return Bad(absl::StrCat("unknown flag --", std::string(name)));
    }
    if (flag->boolean != nullptr) {
      const std::string_view value =
          equals == std::string_view::npos ? "true" : arg.substr(equals + 1);
      if (value != "true" && value != "false") {
        return Bad(
            absl::StrCat("--", std::string(name), " takes true or false"));
      }
      parsed.options.*flag->boolean = value == "true";
    } else if (equals != std::string_view::npos) {
      parsed.options.*flag->text = std::string(arg.substr(equals + 1));
    } else if (i + 1 < args.size()) {
      parsed.options.*flag->text = args[++i];
    } else {
      return Bad(absl::StrCat("--", std::string(name), " needs a value"));
    }
  }
  return parsed;
}

std::string ReceiverUsage() {
  std::string usage =
      "usage: caregate-receiver --listen HOST:PORT --tls-cert FILE "
      "--tls-key FILE --ca FILE\n"
      "                         --pubkey FILE --out DIR [--ack] "
      "[--client-uri URI]\n"
      "\n"
      "Receives the messages a caregate gateway pushes to a partner clinic\n"
      "(caregate.receiver.v1.CareReceiver over mutual TLS), checks the\n"
      "gateway's signature on each, and writes each message once to --out,\n"
      "as JSON and as a FHIR R4 Bundle, however often it is delivered (also\n"
      "across restarts). Serves until SIGTERM or SIGINT. Logs are JSON lines\n"
      "on stderr, without message content.\n"
      "\n"
      "flags:\n";
  for (const Flag& flag : kFlags) {
    absl::StrAppend(&usage, "  --", std::string(flag.name),
                    flag.value_name.empty() ? "" : " ",
                    std::string(flag.value_name), "\n      ",
                    std::string(flag.help), "\n");
  }
  absl::StrAppend(
      &usage,
      "  --help\n      This text.\n"
      "\n"
      "example (a dev setup from `caregatectl dev-init dev`):\n"
      "  caregate-receiver --listen 127.0.0.1:9443 --tls-cert "
      "dev/pki/receiver.crt \\\n"
      "    --tls-key dev/pki/receiver.key --ca dev/pki/ca.crt \\\n"
      "    --pubkey dev/keys/audit-signing.pub.pem --out clinic-inbox --ack\n");
  return usage;
}

}  // namespace caregate::care_receiver
