#include "services/push/push_transports.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/file_contents.h"
#include "services/common/status_macros.h"
#include "services/push/fhir_push_transport.h"
#include "services/push/grpc_push_transport.h"

namespace caregate::push {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path,
                                    const std::string& what) {
  absl::StatusOr<std::string> text = ReadFileContents(path);
  if (!text.ok() || text->empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": cannot read ", what));
  }
  return text;
}

fhir::PartyDetails Provider(const Directory& directory, std::string_view id) {
  const ProviderInfo* provider = directory.FindProvider(id);
  if (provider == nullptr) return {};
  return {provider->name, provider->npi};
}

fhir::PartyDetails Organization(const Directory& directory,
                                std::string_view id) {
  const OrganizationInfo* org = directory.FindOrganization(id);
  if (org == nullptr) return {};
  return {org->display_name, ""};
}

// Transports are shared by organizations with the same endpoint.
std::string EndpointKey(const DeliveryEndpoint& endpoint) {
  return absl::StrCat(static_cast<int>(endpoint.kind), "\n", endpoint.address,
                      "\n", endpoint.ca_cert_file, "\n", endpoint.server_name);
}

}  // namespace

fhir::MessageBundleContext BundleContextFor(const GatewayConfig& config,
                                            const v1::Message& message) {
  const Directory& directory = config.directory();
  fhir::MessageBundleContext context;
  context.gateway_id = config.checkpoint_origin();
  context.source_endpoint =
      absl::StrCat("spiffe://", config.trust_domain(), "/gateway-delivery");
  context.sender = Provider(directory, message.sender_principal_id());
  context.sender_practice = Organization(directory, message.sender_org_id());
  context.recipient_org = Organization(directory, message.recipient_org_id());
  context.recipient_provider =
      Provider(directory, message.recipient_provider_id());
  return context;
}

PushTransports::PushTransports(std::shared_ptr<const GatewayConfig> config)
    : config_(std::move(config)), retry_policy_(config_->delivery_policy()) {}

absl::StatusOr<std::unique_ptr<PushTransports>> PushTransports::Create(
    std::shared_ptr<const GatewayConfig> config) {
  std::unique_ptr<PushTransports> set(new PushTransports(config));
  const DeliveryPolicyConfig& policy = config->delivery_policy();
  std::string cert, key;
  absl::flat_hash_map<std::string, PushTransport*> by_endpoint;
  for (const auto& [org_id, org] : config->directory().organizations()) {
    const DeliveryEndpoint& endpoint = org.delivery;
    if (endpoint.kind == DeliveryEndpoint::Kind::kNone) continue;
    auto shared = by_endpoint.find(EndpointKey(endpoint));
    if (shared != by_endpoint.end()) {
      set->by_org_[org_id] = shared->second;
      continue;
    }
    if (cert.empty()) {
      CG_ASSIGN_OR_RETURN(cert, ReadPem(config->delivery_cert_file(),
                                        "the delivery certificate"));
      CG_ASSIGN_OR_RETURN(
          key, ReadPem(config->delivery_key_file(), "the delivery key"));
    }
    CG_ASSIGN_OR_RETURN(
        std::string ca,
        ReadPem(endpoint.ca_cert_file,
                absl::StrCat("the CA bundle of the endpoint of ", org_id)));
    std::unique_ptr<PushTransport> transport;
    if (endpoint.kind == DeliveryEndpoint::Kind::kGrpc) {
      CG_ASSIGN_OR_RETURN(
          transport,
          GrpcPushTransport::Create({endpoint.address, endpoint.server_name, ca,
                                     cert, key, policy.attempt_timeout,
                                     policy.max_in_flight_per_endpoint}));
    } else {
      const GatewayConfig* raw = config.get();
      CG_ASSIGN_OR_RETURN(
          transport,
          FhirPushTransport::Create({endpoint.address, ca, cert, key,
                                     policy.attempt_timeout,
                                     policy.max_in_flight_per_endpoint,
                                     [raw](const v1::Message& message) {
                                       return BundleContextFor(*raw, message);
                                     }}));
    }
    by_endpoint[EndpointKey(endpoint)] = transport.get();
    set->by_org_[org_id] = transport.get();
    set->transports_.push_back(std::move(transport));
  }
  return set;
}

PushTransport* PushTransports::ForOrganization(std::string_view org_id) const {
  auto it = by_org_.find(AsAbsl(org_id));
  return it == by_org_.end() ? nullptr : it->second;
}

std::vector<PushTransport*> PushTransports::all() const {
  std::vector<PushTransport*> out;
  for (const auto& transport : transports_) out.push_back(transport.get());
  return out;
}

}  // namespace caregate::push
