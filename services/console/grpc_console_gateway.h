// The console's ConsoleGateway over the CLI's mTLS connection
// (services/ctl/connection.h): each call is an RPC as the profile's
// principal with the connection's deadline, so the gateway's role rules and
// its AUDIT_ACCESSED auditing apply exactly as to caregatectl.
//
// Thread-safe (gRPC stubs are).
#ifndef CAREGATE_SERVICES_CONSOLE_GRPC_CONSOLE_GATEWAY_H_
#define CAREGATE_SERVICES_CONSOLE_GRPC_CONSOLE_GATEWAY_H_

#include <memory>
#include <string>

#include "caregate/v1/audit_service.grpc.pb.h"
#include "caregate/v1/consent_service.grpc.pb.h"
#include "caregate/v1/delivery_service.grpc.pb.h"
#include "services/console/console_gateway.h"
#include "services/ctl/connection.h"

namespace caregate::console {

class GrpcConsoleGateway final : public ConsoleGateway {
 public:
  explicit GrpcConsoleGateway(ctl::Connection connection);

  absl::StatusOr<v1::QueryAuditEventsResponse> QueryAuditEvents(
      const v1::QueryAuditEventsRequest& request) override;
  absl::StatusOr<v1::VerifyAuditLogResponse> VerifyAuditLog(
      const v1::VerifyAuditLogRequest& request) override;
  absl::StatusOr<v1::Checkpoint> GetCheckpoint() override;
  absl::StatusOr<v1::GetAccountingOfDisclosuresResponse>
  GetAccountingOfDisclosures(
      const v1::GetAccountingOfDisclosuresRequest& request) override;
  absl::StatusOr<v1::SummarizeAuditEventsResponse> SummarizeAuditEvents(
      const v1::SummarizeAuditEventsRequest& request) override;
  absl::StatusOr<v1::ListConsentsResponse> ListConsents(
      const v1::ListConsentsRequest& request) override;
  absl::StatusOr<v1::ListDeliveriesResponse> ListDeliveries(
      const v1::ListDeliveriesRequest& request) override;
  absl::StatusOr<v1::RetryDeliveryResponse> RetryDelivery(
      const v1::RetryDeliveryRequest& request) override;
  absl::StatusOr<std::string> ExportAuditLogJson() override;

 private:
  // `status` as an absl::Status with the same code and the CLI's one-line
  // description (ctl::DescribeRpcError).
  absl::Status FromGrpc(const grpc::Status& status) const;
  // Runs `rpc(context, &response)` with a context carrying the deadline.
  template <typename Response, typename Rpc>
  absl::StatusOr<Response> Call(Rpc rpc) const {
    Response response;
    grpc::Status status = rpc(ctl::NewContext(connection_).get(), &response);
    if (!status.ok()) return FromGrpc(status);
    return response;
  }

  const ctl::Connection connection_;
  const std::unique_ptr<v1::AuditService::Stub> audit_;
  const std::unique_ptr<v1::ConsentService::Stub> consents_;
  const std::unique_ptr<v1::DeliveryService::Stub> deliveries_;
};

}  // namespace caregate::console

#endif  // CAREGATE_SERVICES_CONSOLE_GRPC_CONSOLE_GATEWAY_H_
