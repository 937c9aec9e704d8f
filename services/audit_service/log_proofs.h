// RFC 6962 proofs of the stored audit log (AuditService.GetInclusionProof,
// GetConsistencyProof): argument checks and proof generation from the
// store's tree nodes. Plain C++, no gRPC.
//
// Errors name the field: INVALID_ARGUMENT for sizes that cannot be asked
// for, OUT_OF_RANGE for a size beyond the log's, FAILED_PRECONDITION when a
// default size is asked for and no checkpoint of the tree exists yet; the
// store's errors otherwise. Thread-safe.
#ifndef CAREGATE_SERVICES_AUDIT_SERVICE_LOG_PROOFS_H_
#define CAREGATE_SERVICES_AUDIT_SERVICE_LOG_PROOFS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "services/audit/audit_event.h"
#include "services/store/store.h"

namespace caregate {

struct LogInclusionProof {
  int64_t leaf_index = 0;
  int64_t tree_size = 0;
  Hash256 event_hash{};  // the leaf input
  AuditEvent event;      // the event, as stored
  std::vector<Hash256> hashes;
  // The latest checkpoint when it is of tree_size (always when the request
  // left tree_size at 0).
  std::optional<Checkpoint> checkpoint;
};

// The proof that event `seq` is in the tree of `tree_size` events (0: the
// latest checkpoint's size). `log_size` is the number of committed events.
absl::StatusOr<LogInclusionProof> ProveInclusion(Store& store, int64_t seq,
                                                 int64_t tree_size,
                                                 int64_t log_size);

// The proof that the tree of `from_size` events is a prefix of the tree of
// `to_size` events.
absl::StatusOr<std::vector<Hash256>> ProveConsistency(Store& store,
                                                      int64_t from_size,
                                                      int64_t to_size,
                                                      int64_t log_size);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_SERVICE_LOG_PROOFS_H_
