// Conversions between absl::Time and google.protobuf.Timestamp.
#ifndef CAREGATE_SERVICES_COMMON_PROTO_TIME_H_
#define CAREGATE_SERVICES_COMMON_PROTO_TIME_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace caregate {

// An unset Timestamp (0 seconds, 0 nanos) stands for "not given".
bool IsUnset(const google::protobuf::Timestamp& ts);

// Converts a Timestamp; INVALID_ARGUMENT naming `field` when it is outside
// 0001-01-01..9999-12-31 or its nanos are out of range.
absl::StatusOr<absl::Time> FromProtoTime(const google::protobuf::Timestamp& ts,
                                         std::string_view field);

// Converts to a Timestamp; absl::InfinitePast() and InfiniteFuture() become unset.
google::protobuf::Timestamp ToProtoTime(absl::Time t);

// Microseconds since the Unix epoch, the unit the store and the audit log use.
int64_t ToUnixMicrosClamped(absl::Time t);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_COMMON_PROTO_TIME_H_
