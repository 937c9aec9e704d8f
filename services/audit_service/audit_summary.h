// SummarizeAuditEvents without gRPC: the request's period, and the store's
// counts (Store::SummarizeAuditEvents) as the response, with each recipient
// provider's specialty taken from the directory.
//
// Pure functions, thread-safe.
#ifndef CAREGATE_SERVICES_AUDIT_SERVICE_AUDIT_SUMMARY_H_
#define CAREGATE_SERVICES_AUDIT_SERVICE_AUDIT_SUMMARY_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "caregate/v1/audit_service.pb.h"
#include "services/config/gateway_config.h"
#include "services/store/records.h"

namespace caregate {

// The period [since, until) of a summary; unbounded sides are infinite.
struct SummaryPeriod {
  absl::Time since = absl::InfinitePast();
  absl::Time until = absl::InfiniteFuture();
};

// INVALID_ARGUMENT naming the field for an invalid timestamp, or "until:
// before since" for a period that ends before it starts.
absl::StatusOr<SummaryPeriod> ParseSummaryRequest(
    const v1::SummarizeAuditEventsRequest& request);

// The response for `summary`. Monthly disclosure counts are merged per
// (month, specialty of the recipient provider in `directory`; UNSPECIFIED
// for one no longer listed), oldest month first, then by specialty; access
// denials are sorted most first, then by principal id.
v1::SummarizeAuditEventsResponse SummaryToProto(const AuditSummary& summary,
                                                const Directory& directory);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_SERVICE_AUDIT_SUMMARY_H_
