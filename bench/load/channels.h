// mTLS channels to the gateway for caregate-bench, each its own HTTP/2
// connection, from a dev-init client profile (load_options.h ProfilePaths).
//
// Thread-safe (plain functions). Errors: NOT_FOUND naming a profile file that
// cannot be read.
#ifndef CAREGATE_BENCH_LOAD_CHANNELS_H_
#define CAREGATE_BENCH_LOAD_CHANNELS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"

namespace caregate::bench {

// `count` channels to `gateway` (HOST:PORT), each with its own connection
// (a local subchannel pool), authenticated with the profile's certificate.
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> OpenChannels(
    const std::string& gateway, const std::string& profile, int count);

}  // namespace caregate::bench

#endif  // CAREGATE_BENCH_LOAD_CHANNELS_H_
