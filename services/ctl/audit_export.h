// Building the verified audit export (proto/caregate/v1/audit_export.proto)
// from a gateway: what `caregatectl audit export` writes, shared with the
// compliance console's export button so both give the same file.
//
// Thread-compatible; blocks on gRPC calls (and polls for a checkpoint for up
// to `wait`).
#ifndef CAREGATE_SERVICES_CTL_AUDIT_EXPORT_H_
#define CAREGATE_SERVICES_CTL_AUDIT_EXPORT_H_

#include <cstdint>

#include "absl/time/time.h"
#include "caregate/v1/audit_export.pb.h"
#include "caregate/v1/audit_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "services/ctl/connection.h"

namespace caregate::ctl {

// An export and how much of the log it left out.
struct BuiltAuditExport {
  v1::AuditExport export_proto;
  // The newest event seen; events after export_proto.checkpoint().seq were
  // not covered by a checkpoint yet and are left out.
  int64_t newest_seq = 0;
};

// Fetches every event and stored checkpoint, waits up to `wait` for a
// checkpoint that covers the newest event, and keeps the events and
// checkpoints through the latest checkpoint's seq; exported_at is `now`.
// Returns the first failed call's status (NOT_FOUND when there is no
// checkpoint at all).
grpc::Status BuildAuditExport(v1::AuditService::StubInterface& stub,
                              const Connection& connection, absl::Duration wait,
                              absl::Time now, BuiltAuditExport* out);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_AUDIT_EXPORT_H_
