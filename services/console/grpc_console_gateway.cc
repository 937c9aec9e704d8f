#include "services/console/grpc_console_gateway.h"

#include <utility>

#include "services/ctl/audit_export.h"
#include "services/ctl/offline_verify.h"

namespace caregate::console {
namespace {

// How long the export waits for a checkpoint that covers the newest events,
// as `caregatectl audit export` does by default.
constexpr absl::Duration kExportCheckpointWait = absl::Seconds(10);

}  // namespace

GrpcConsoleGateway::GrpcConsoleGateway(ctl::Connection connection)
    : connection_(std::move(connection)),
      audit_(v1::AuditService::NewStub(connection_.channel)),
      consents_(v1::ConsentService::NewStub(connection_.channel)),
      deliveries_(v1::DeliveryService::NewStub(connection_.channel)) {}

absl::Status GrpcConsoleGateway::FromGrpc(const grpc::Status& status) const {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      ctl::DescribeRpcError(status, connection_));
}

absl::StatusOr<v1::QueryAuditEventsResponse>
GrpcConsoleGateway::QueryAuditEvents(const v1::QueryAuditEventsRequest& r) {
  return Call<v1::QueryAuditEventsResponse>([&](auto* context, auto* out) {
    return audit_->QueryAuditEvents(context, r, out);
  });
}

absl::StatusOr<v1::VerifyAuditLogResponse> GrpcConsoleGateway::VerifyAuditLog(
    const v1::VerifyAuditLogRequest& r) {
  return Call<v1::VerifyAuditLogResponse>([&](auto* context, auto* out) {
    return audit_->VerifyAuditLog(context, r, out);
  });
}

absl::StatusOr<v1::Checkpoint> GrpcConsoleGateway::GetCheckpoint() {
  return Call<v1::Checkpoint>([&](auto* context, auto* out) {
    return audit_->GetCheckpoint(context, v1::GetCheckpointRequest(), out);
  });
}

absl::StatusOr<v1::GetAccountingOfDisclosuresResponse>
GrpcConsoleGateway::GetAccountingOfDisclosures(
    const v1::GetAccountingOfDisclosuresRequest& r) {
  return Call<v1::GetAccountingOfDisclosuresResponse>(
      [&](auto* context, auto* out) {
        return audit_->GetAccountingOfDisclosures(context, r, out);
      });
}

absl::StatusOr<v1::SummarizeAuditEventsResponse>
GrpcConsoleGateway::SummarizeAuditEvents(
    const v1::SummarizeAuditEventsRequest& r) {
  return Call<v1::SummarizeAuditEventsResponse>([&](auto* context, auto* out) {
    return audit_->SummarizeAuditEvents(context, r, out);
  });
}

absl::StatusOr<v1::ListConsentsResponse> GrpcConsoleGateway::ListConsents(
    const v1::ListConsentsRequest& r) {
  return Call<v1::ListConsentsResponse>([&](auto* context, auto* out) {
    return consents_->ListConsents(context, r, out);
  });
}

absl::StatusOr<v1::ListDeliveriesResponse> GrpcConsoleGateway::ListDeliveries(
    const v1::ListDeliveriesRequest& r) {
  return Call<v1::ListDeliveriesResponse>([&](auto* context, auto* out) {
    return deliveries_->ListDeliveries(context, r, out);
  });
}

absl::StatusOr<v1::RetryDeliveryResponse> GrpcConsoleGateway::RetryDelivery(
    const v1::RetryDeliveryRequest& r) {
  return Call<v1::RetryDeliveryResponse>([&](auto* context, auto* out) {
    return deliveries_->RetryDelivery(context, r, out);
  });
}

absl::StatusOr<std::string> GrpcConsoleGateway::ExportAuditLogJson() {
  ctl::BuiltAuditExport built;
  grpc::Status s = ctl::BuildAuditExport(
      *audit_, connection_, kExportCheckpointWait, absl::Now(), &built);
  if (!s.ok()) return FromGrpc(s);
  return ctl::AuditExportToJson(built.export_proto);
}

}  // namespace caregate::console
