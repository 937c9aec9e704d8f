#include "services/ctl/time_text.h"

#include <cctype>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/proto_time.h"

namespace caregate::ctl {

absl::StatusOr<absl::Duration> ParseDurationText(std::string_view text) {
  absl::Duration d;
  if (!text.empty() && (text.back() == 'd' || text.back() == 'w')) {
    int64_t count = 0;
    if (!absl::SimpleAtoi(AsAbsl(text.substr(0, text.size() - 1)), &count)) {
      count = -1;
    }
    d = absl::Hours(count * (text.back() == 'd' ? 24 : 168));
  } else if (!absl::ParseDuration(AsAbsl(text), &d)) {
    d = absl::ZeroDuration();
  }
  if (d <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", AsAbsl(text), "\" is not a duration like 365d, 2w, 12h or 90m"));
  }
  return d;
}

absl::StatusOr<absl::Time> ParseTimeText(std::string_view text,
                                         Direction direction, absl::Time now,
                                         std::string_view flag) {
  absl::Time t;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, AsAbsl(text), &t, &error)) return t;
  absl::StatusOr<absl::Duration> d = ParseDurationText(text);
  if (d.ok()) return direction == Direction::kFuture ? now + *d : now - *d;
  return absl::InvalidArgumentError(absl::StrCat(
      "--", AsAbsl(flag), ": \"", AsAbsl(text),
      "\" is neither an RFC 3339 time (2026-11-27T10:00:00Z) nor a duration "
      "(365d, 12h)"));
}

std::string HumanTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", t, absl::UTCTimeZone());
}

std::string HumanTime(const google::protobuf::Timestamp& ts) {
  if (IsUnset(ts)) return "-";
  absl::StatusOr<absl::Time> t = FromProtoTime(ts, "time");
  return t.ok() ? HumanTime(*t) : "invalid time";
}

}  // namespace caregate::ctl
