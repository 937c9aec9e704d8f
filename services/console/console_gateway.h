// What the console asks of the gateway, as the profile's principal: the
// AuditService, ConsentService and DeliveryService calls its pages use, and
// the verified audit export. gRPC-free, so the console's HTTP API is tested
// with a fake; grpc_console_gateway.h is the real one over mTLS.
//
// Errors: the gateway's refusal or failure as an absl::Status with the
// gRPC code (PERMISSION_DENIED for a role the gateway refuses, UNAVAILABLE
// when it cannot be reached, ...) and a one-line message saying so.
//
// Implementations must be thread-safe: the console serves requests
// concurrently.
#ifndef CAREGATE_SERVICES_CONSOLE_CONSOLE_GATEWAY_H_
#define CAREGATE_SERVICES_CONSOLE_CONSOLE_GATEWAY_H_

#include <string>

#include "absl/status/statusor.h"
#include "caregate/v1/audit_service.pb.h"
#include "caregate/v1/consent_service.pb.h"
#include "caregate/v1/delivery_service.pb.h"

namespace caregate::console {

class ConsoleGateway {
 public:
  virtual ~ConsoleGateway() = default;

  virtual absl::StatusOr<v1::QueryAuditEventsResponse> QueryAuditEvents(
      const v1::QueryAuditEventsRequest& request) = 0;
  virtual absl::StatusOr<v1::VerifyAuditLogResponse> VerifyAuditLog(
      const v1::VerifyAuditLogRequest& request) = 0;
  virtual absl::StatusOr<v1::Checkpoint> GetCheckpoint() = 0;
  virtual absl::StatusOr<v1::GetAccountingOfDisclosuresResponse>
  GetAccountingOfDisclosures(
      const v1::GetAccountingOfDisclosuresRequest& request) = 0;
  virtual absl::StatusOr<v1::SummarizeAuditEventsResponse> SummarizeAuditEvents(
      const v1::SummarizeAuditEventsRequest& request) = 0;
  virtual absl::StatusOr<v1::ListConsentsResponse> ListConsents(
      const v1::ListConsentsRequest& request) = 0;
  virtual absl::StatusOr<v1::ListDeliveriesResponse> ListDeliveries(
      const v1::ListDeliveriesRequest& request) = 0;
  virtual absl::StatusOr<v1::RetryDeliveryResponse> RetryDelivery(
      const v1::RetryDeliveryRequest& request) = 0;
  // The verified audit export as `caregatectl audit export` writes it (the
  // protobuf JSON mapping of caregate.v1.AuditExport).
  virtual absl::StatusOr<std::string> ExportAuditLogJson() = 0;
};

}  // namespace caregate::console

#endif  // CAREGATE_SERVICES_CONSOLE_CONSOLE_GATEWAY_H_
