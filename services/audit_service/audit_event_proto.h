// Conversions of the audit log's plain values (audit_event.h) to their
// caregate.v1 protos, for AuditService replies.
//
// Pure functions, thread-safe. Hashes become raw 32-byte `bytes` fields and
// times google.protobuf.Timestamp (microsecond precision, as stored).
#ifndef CAREGATE_SERVICES_AUDIT_SERVICE_AUDIT_EVENT_PROTO_H_
#define CAREGATE_SERVICES_AUDIT_SERVICE_AUDIT_EVENT_PROTO_H_

#include "caregate/v1/types.pb.h"
#include "services/audit/audit_event.h"

namespace caregate {

// Every field of `event`, including seq, prev_hash and hash.
v1::AuditEvent AuditEventToProto(const AuditEvent& event);

// origin, seq, head_hash, time, body, signature and key_id of `checkpoint`.
v1::Checkpoint CheckpointToProto(const Checkpoint& checkpoint);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_SERVICE_AUDIT_EVENT_PROTO_H_
