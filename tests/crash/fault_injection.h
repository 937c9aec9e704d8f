// Fault injection for the crash driver's self-test: damage the gateway's
// SQLite file while the gateway is down, the way a lost commit would, so a
// run proves that its checks catch a loss. Never used in a normal run.
//
// Thread-compatible. Errors: UNAVAILABLE naming the failed statement,
// NOT_FOUND when there is no message to drop.
#ifndef CAREGATE_TESTS_CRASH_FAULT_INJECTION_H_
#define CAREGATE_TESTS_CRASH_FAULT_INJECTION_H_

#include <string>

#include "absl/status/statusor.h"

namespace caregate::crash {

// Deletes the newest row of `messages` in `db_path` (the gateway must be
// stopped); returns its message id.
absl::StatusOr<std::string> DropNewestMessage(const std::string& db_path);

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_FAULT_INJECTION_H_
