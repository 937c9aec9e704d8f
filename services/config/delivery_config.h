// Reading the push-delivery parts of the config (Organization.delivery,
// GatewayConfig.delivery_policy): the checks and defaults, kept apart from
// the builder in gateway_config.cc, which adds the file, the line and the
// path of the enclosing block to a problem found here.
//
// Plain functions; thread-safe.
#ifndef CAREGATE_SERVICES_CONFIG_DELIVERY_CONFIG_H_
#define CAREGATE_SERVICES_CONFIG_DELIVERY_CONFIG_H_

#include <functional>
#include <optional>
#include <string>

#include "caregate/config/v1/config.pb.h"
#include "services/config/gateway_config.h"

namespace caregate::config_internal {

// What is wrong with a field: its path relative to the block read (e.g.
// "grpc.endpoint") and the problem.
struct FieldProblem {
  std::string field;
  std::string problem;
};

// Makes a configured path absolute.
using PathResolver = std::function<std::string(const std::string&)>;

// Organization.delivery into `out` (kNone when the block is absent). A
// delivery block on anything but a partner clinic is a problem of the block
// ("grpc" or "fhir").
std::optional<FieldProblem> ReadDeliveryEndpoint(
    const config::v1::Organization& org, const PathResolver& resolve,
    DeliveryEndpoint* out);

// GatewayConfig.delivery_policy into `out`, which holds the defaults; a field
// left at 0 keeps its default. Durations must be positive and bounded;
// initial_backoff may not exceed max_backoff.
std::optional<FieldProblem> ReadDeliveryPolicy(
    const config::v1::DeliveryPolicy& policy, DeliveryPolicyConfig* out);

// KeyFiles.delivery_cert_file and delivery_key_file: both or neither; both
// are required when `any_push_endpoint`. Paths resolved into `cert` and
// `key`.
std::optional<FieldProblem> ReadDeliveryKeys(const config::v1::KeyFiles& keys,
                                             bool any_push_endpoint,
                                             const PathResolver& resolve,
                                             std::string* cert,
                                             std::string* key);

}  // namespace caregate::config_internal

#endif  // CAREGATE_SERVICES_CONFIG_DELIVERY_CONFIG_H_
