// caregate-receiver's command line: "--name VALUE" or "--name=VALUE" for
// each option of ReceiverOptions, "--ack", and "--help". Plain functions;
// thread-safe.
#ifndef CAREGATE_SERVICES_RECEIVER_RECEIVER_FLAGS_H_
#define CAREGATE_SERVICES_RECEIVER_RECEIVER_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/receiver/receiver_server.h"

namespace caregate::care_receiver {

struct ReceiverCommandLine {
  // --help or -h was given: print ReceiverUsage() and exit.
  bool help = false;
  ReceiverOptions options;
};

// Parses `args` (without the program name). INVALID_ARGUMENT naming the
// flag for an unknown flag, a missing value, a bad boolean or a positional
// argument. Required flags are checked by ReceiverServer::Start.
absl::StatusOr<ReceiverCommandLine> ParseReceiverFlags(
    const std::vector<std::string>& args);

// The --help text: synopsis, what the receiver does, every flag with its
// explanation, and an example.
std::string ReceiverUsage();

}  // namespace caregate::care_receiver

#endif  // CAREGATE_SERVICES_RECEIVER_RECEIVER_FLAGS_H_
