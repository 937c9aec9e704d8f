// An exclusive advisory lock (flock) on a file beside the database, held for
// the life of the object, so that two gateways never write one database:
// a second would append audit events from a stale chain head.
//
// Released when destroyed or when the process dies. Not thread-safe.
#ifndef CAREGATE_SERVICES_STORE_PROCESS_LOCK_H_
#define CAREGATE_SERVICES_STORE_PROCESS_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace caregate {

class ProcessLock {
 public:
  // Locks `path` (created 0600 if missing). FAILED_PRECONDITION naming the
  // path when another holder has it; UNAVAILABLE when it cannot be opened.
  static absl::StatusOr<std::unique_ptr<ProcessLock>> Acquire(
      const std::string& path);
  ~ProcessLock();
  ProcessLock(const ProcessLock&) = delete;
  ProcessLock& operator=(const ProcessLock&) = delete;

 private:
  explicit ProcessLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_STORE_PROCESS_LOCK_H_
