#include "services/config/delivery_config.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"

namespace caregate::config_internal {
namespace {

namespace cfg = ::caregate::config::v1;

constexpr absl::Duration kMaxBackoffLimit = absl::Hours(24);
constexpr absl::Duration kMaxAgeLimit = absl::Hours(24 * 366);
constexpr absl::Duration kAttemptTimeoutLimit = absl::Minutes(10);
constexpr int kMaxInFlightLimit = 1024;

bool HasSpaceOrControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isspace(c) || absl::ascii_iscntrl(c);
  });
}

// "host:port" or "[v6]:port" with a port from 1 to 65535.
bool IsHostPort(std::string_view address) {
  if (address.empty() || HasSpaceOrControl(address)) return false;
  std::string_view host, port;
  if (address.front() == '[') {
    const size_t close = address.find("]:");
    if (close == std::string_view::npos) return false;
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) return false;
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return false;
  }
  int number = 0;
  return !host.empty() && !port.empty() &&
         std::all_of(port.begin(), port.end(), absl::ascii_isdigit) &&
         absl::SimpleAtoi(AsAbsl(port), &number) && number >= 1 &&
         number <= 65535;
}

// An https URL with a host and no query or fragment; trailing '/' removed.
std::optional<std::string> FhirBaseUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(AsAbsl(url.substr(0, kScheme.size())),
                              AsAbsl(kScheme)) ||
      HasSpaceOrControl(url) || url.find_first_of("?#") != url.npos) {
    return std::nullopt;
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  const std::string_view authority = url.substr(
      kScheme.size(), url.find('/', kScheme.size()) - kScheme.size());
  if (authority.empty() || authority.front() == ':') return std::nullopt;
  return std::string(url);
}

std::optional<FieldProblem> ReadGrpc(const cfg::GrpcDelivery& grpc,
                                     const PathResolver& resolve,
                                     DeliveryEndpoint* out) {
  if (grpc.endpoint().empty()) return FieldProblem{"grpc.endpoint", "required"};
  if (!IsHostPort(grpc.endpoint())) {
    return FieldProblem{"grpc.endpoint",
                        "must be host:port, e.g. receiver.clinic.example:9443"};
  }
  if (grpc.ca_cert_file().empty()) {
    return FieldProblem{"grpc.ca_cert_file", "required"};
  }
  if (HasSpaceOrControl(grpc.server_name())) {
    return FieldProblem{"grpc.server_name", "must be a host name"};
  }
  out->kind = DeliveryEndpoint::Kind::kGrpc;
  out->address = grpc.endpoint();
  out->ca_cert_file = resolve(grpc.ca_cert_file());
  out->server_name = grpc.server_name();
  return std::nullopt;
}

std::optional<FieldProblem> ReadFhir(const cfg::FhirDelivery& fhir,
                                     const PathResolver& resolve,
                                     DeliveryEndpoint* out) {
  if (fhir.base_url().empty()) return FieldProblem{"fhir.base_url", "required"};
  std::optional<std::string> base_url = FhirBaseUrl(fhir.base_url());
  if (!base_url) {
    return FieldProblem{"fhir.base_url",
                        "must be an https URL without query or fragment, "
                        "e.g. https://fhir.clinic.example/r4"};
  }
  if (fhir.ca_cert_file().empty()) {
    return FieldProblem{"fhir.ca_cert_file", "required"};
  }
  out->kind = DeliveryEndpoint::Kind::kFhir;
  out->address = *std::move(base_url);
  out->ca_cert_file = resolve(fhir.ca_cert_file());
  return std::nullopt;
}

// Reads a Duration field that must be positive and at most `limit` when set;
// an unset one keeps `*out`.
std::optional<FieldProblem> ReadDuration(std::string_view field,
                                         const google::protobuf::Duration& d,
                                         absl::Duration limit,
                                         absl::Duration* out) {
  if (d.seconds() == 0 && d.nanos() == 0) return std::nullopt;
  const absl::Duration value =
      absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
  if (value <= absl::ZeroDuration() || value > limit) {
    return FieldProblem{
        std::string(field),
        absl::StrCat("must be within (0s, ", absl::FormatDuration(limit), "]")};
  }
  *out = value;
  return std::nullopt;
}

}  // namespace

std::optional<FieldProblem> ReadDeliveryEndpoint(const cfg::Organization& org,
                                                 const PathResolver& resolve,
                                                 DeliveryEndpoint* out) {
  *out = DeliveryEndpoint{};
  if (org.delivery_case() == cfg::Organization::DELIVERY_NOT_SET) {
    return std::nullopt;
  }
  const bool grpc = org.delivery_case() == cfg::Organization::kGrpc;
  if (org.kind() != v1::ORGANIZATION_KIND_PARTNER_CLINIC) {
    return FieldProblem{grpc ? "grpc" : "fhir",
                        "only a partner clinic (ORGANIZATION_KIND_PARTNER_"
                        "CLINIC) may have a delivery block"};
  }
  return grpc ? ReadGrpc(org.grpc(), resolve, out)
              : ReadFhir(org.fhir(), resolve, out);
}

std::optional<FieldProblem> ReadDeliveryPolicy(
    const cfg::DeliveryPolicy& policy, DeliveryPolicyConfig* out) {
  if (auto problem = ReadDuration("initial_backoff", policy.initial_backoff(),
                                  kMaxBackoffLimit, &out->initial_backoff)) {
    return problem;
  }
  if (auto problem = ReadDuration("max_backoff", policy.max_backoff(),
                                  kMaxBackoffLimit, &out->max_backoff)) {
    return problem;
  }
  if (out->initial_backoff > out->max_backoff) {
    return FieldProblem{"initial_backoff", "may not exceed max_backoff"};
  }
  if (auto problem = ReadDuration("max_age", policy.max_age(), kMaxAgeLimit,
                                  &out->max_age)) {
    return problem;
  }
  if (auto problem =
          ReadDuration("attempt_timeout", policy.attempt_timeout(),
                       kAttemptTimeoutLimit, &out->attempt_timeout)) {
    return problem;
  }
  if (policy.max_attempts() < 0) {
    return FieldProblem{"max_attempts", "must be >= 0"};
  }
  if (policy.max_attempts() > 0) out->max_attempts = policy.max_attempts();
  const int in_flight = policy.max_in_flight_per_endpoint();
  if (in_flight < 0 || in_flight > kMaxInFlightLimit) {
    return FieldProblem{
        "max_in_flight_per_endpoint",
        absl::StrCat("must be within [0, ", kMaxInFlightLimit, "]")};
  }
  if (in_flight > 0) out->max_in_flight_per_endpoint = in_flight;
  return std::nullopt;
}

std::optional<FieldProblem> ReadDeliveryKeys(const cfg::KeyFiles& keys,
                                             bool any_push_endpoint,
                                             const PathResolver& resolve,
                                             std::string* cert,
                                             std::string* key) {
  const bool has_cert = !keys.delivery_cert_file().empty();
  const bool has_key = !keys.delivery_key_file().empty();
  if (!has_cert && (has_key || any_push_endpoint)) {
    return FieldProblem{"delivery_cert_file",
                        has_key ? "required with delivery_key_file"
                                : "required when an organization has a "
                                  "delivery block"};
  }
  if (has_cert && !has_key) {
    return FieldProblem{"delivery_key_file",
                        "required with delivery_cert_file"};
  }
  if (has_cert) {
    *cert = resolve(keys.delivery_cert_file());
    *key = resolve(keys.delivery_key_file());
  }
  return std::nullopt;
}

}  // namespace caregate::config_internal
