#include "services/ctl/audit_export.h"

#include <chrono>
#include <thread>
#include <vector>

#include "services/common/proto_time.h"

namespace caregate::ctl {
namespace {

// Every event of the log and every stored checkpoint, page by page, in
// sequence order.
grpc::Status FetchAllEvents(v1::AuditService::StubInterface& stub,
                            const Connection& connection,
                            std::vector<v1::AuditEvent>* events,
                            std::vector<v1::Checkpoint>* checkpoints) {
  events->clear();
  checkpoints->clear();
  v1::QueryAuditEventsRequest request;
  request.set_page_size(1000);
  request.set_include_checkpoints(true);
  do {
    v1::QueryAuditEventsResponse response;
    grpc::Status status =
        stub.QueryAuditEvents(NewContext(connection).get(), request, &response);
    if (!status.ok()) return status;
    events->insert(events->end(), response.events().begin(),
                   response.events().end());
    checkpoints->insert(checkpoints->end(), response.checkpoints().begin(),
                        response.checkpoints().end());
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return grpc::Status::OK;
}

// The latest checkpoint, waiting up to `wait` for one that covers `seq`
// (the gateway signs one about every second while events arrive). Returns
// the newest one seen even when it covers less; NOT_FOUND stays an error
// only when there is none at all.
grpc::Status AwaitCheckpoint(v1::AuditService::StubInterface& stub,
                             const Connection& connection, int64_t seq,
                             absl::Duration wait, v1::Checkpoint* checkpoint) {
  const absl::Time deadline = absl::Now() + wait;
  grpc::Status status;
  for (;;) {
    status = stub.GetCheckpoint(NewContext(connection).get(),
                                v1::GetCheckpointRequest(), checkpoint);
    const bool usable =
        status.ok() || status.error_code() == grpc::StatusCode::NOT_FOUND;
    if (!usable) return status;
    if ((status.ok() && checkpoint->seq() >= seq) || absl::Now() >= deadline) {
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

grpc::Status BuildAuditExport(v1::AuditService::StubInterface& stub,
                              const Connection& connection, absl::Duration wait,
                              absl::Time now, BuiltAuditExport* out) {
  std::vector<v1::AuditEvent> events;
  std::vector<v1::Checkpoint> checkpoints;
  grpc::Status status = FetchAllEvents(stub, connection, &events, &checkpoints);
  if (!status.ok()) return status;
  out->newest_seq = events.empty() ? 0 : events.back().seq();
  v1::AuditExport& x = out->export_proto;
  x.Clear();
  status = AwaitCheckpoint(stub, connection, out->newest_seq, wait,
                           x.mutable_checkpoint());
  if (!status.ok()) return status;
  const int64_t covered = x.checkpoint().seq();
  if (covered > out->newest_seq) {
    status = FetchAllEvents(stub, connection, &events, &checkpoints);
    if (!status.ok()) return status;
  }
  for (const v1::AuditEvent& e : events) {
    if (e.seq() <= covered) *x.add_events() = e;
  }
  // The earlier checkpoints too: one signed before an edit of the database
  // still commits to the original events after the gateway signed newer
  // ones over the edited log.
  for (const v1::Checkpoint& c : checkpoints) {
    if (c.seq() <= covered) *x.add_checkpoints() = c;
  }
  *x.mutable_exported_at() = ToProtoTime(now);
  return grpc::Status::OK;
}

}  // namespace caregate::ctl
