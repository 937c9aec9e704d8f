// Times and durations as caregatectl reads and prints them.
//
// Input: an RFC 3339 time ("2026-11-27T10:00:00Z", "2026-11-27T10:00:00+01:00")
// or a duration relative to now ("365d", "2w", "12h", "90m", "1h30m"; d and w
// are 24 and 168 hours). Output: "2026-11-27 10:00:00 UTC". Pure functions,
// thread-safe.
#ifndef CAREGATE_SERVICES_CTL_TIME_TEXT_H_
#define CAREGATE_SERVICES_CTL_TIME_TEXT_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace caregate::ctl {

// A positive duration: absl's units (h, m, s, ms) plus d and w.
// INVALID_ARGUMENT for anything else.
absl::StatusOr<absl::Duration> ParseDurationText(std::string_view text);

// Which way a duration counts from now.
enum class Direction { kFuture, kPast };

// An RFC 3339 time, or now +/- a duration. INVALID_ARGUMENT naming `flag`.
absl::StatusOr<absl::Time> ParseTimeText(std::string_view text,
                                         Direction direction, absl::Time now,
                                         std::string_view flag);

// "2026-11-27 10:00:00 UTC"; "-" for an unset Timestamp.
std::string HumanTime(const google::protobuf::Timestamp& ts);
std::string HumanTime(absl::Time t);

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_TIME_TEXT_H_
