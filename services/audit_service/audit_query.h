// QueryAuditEvents without gRPC: the request's filters as an AuditQuery, and
// a page of stored events as the response.
//
// Pure functions, thread-safe. Errors name the request field:
// INVALID_ARGUMENT for a malformed id, an undefined enum value, a bad
// timestamp, a negative page size or a malformed page token;
// RESOURCE_EXHAUSTED for an over-long id.
#ifndef CAREGATE_SERVICES_AUDIT_SERVICE_AUDIT_QUERY_H_
#define CAREGATE_SERVICES_AUDIT_SERVICE_AUDIT_QUERY_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "caregate/v1/audit_service.pb.h"
#include "services/audit/audit_event.h"
#include "services/config/gateway_config.h"
#include "services/store/records.h"

namespace caregate {

// Page sizes of QueryAuditEvents.
inline constexpr int kDefaultAuditPageSize = 100;
inline constexpr int kMaxAuditPageSize = 1000;

// The filters of `request`; `limit` is the effective page size (default 100,
// clamped to 1000) and `after_seq` the position of the page token. Unset
// since/until leave that side unbounded; empty ids match everything. A
// patient filter needs both patient_id and practice_org_id (INVALID_ARGUMENT
// naming practice_org_id otherwise).
absl::StatusOr<AuditQuery> AuditQueryFromRequest(
    const v1::QueryAuditEventsRequest& request, const InputLimits& limits);

// The response for `events`, the result of a query with limit page_size + 1:
// at most `page_size` events, and a next_page_token when more followed.
v1::QueryAuditEventsResponse AuditEventsPage(
    const std::vector<AuditEvent>& events, int page_size);

// The seqs [first, last] of the checkpoints that go with `page` when the
// request asks for them (include_checkpoints): those after the page token's
// position `after_seq` (from seq 0 on the first page) through the page's last
// event, or with no upper bound on the last page. Over all pages every
// checkpoint is returned once.
struct CheckpointSeqRange {
  int64_t first = 0;
  int64_t last = 0;
};
CheckpointSeqRange PageCheckpointRange(
    int64_t after_seq, const v1::QueryAuditEventsResponse& page);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_SERVICE_AUDIT_QUERY_H_
