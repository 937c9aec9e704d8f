#include "services/common/thread_name.h"

#include <pthread.h>

#include <string>

namespace caregate {

void SetCurrentThreadName(std::string_view name) {
  constexpr size_t kMaxBytes = 15;  // TASK_COMM_LEN less the terminator
  const std::string cut(name.substr(0, kMaxBytes));
  pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace caregate
