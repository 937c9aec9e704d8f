// Names the calling thread, so that `top -H`, `ps -L`, perf and gdb show
// what each of the gateway's own threads is (the ledger's writer, its sync
// thread, the WAL checkpointer, ...) instead of the process name they
// inherit.
//
// Linux keeps at most 15 bytes of a name; a longer one is cut to 15. A
// failure to set it changes nothing else and is ignored.
#ifndef CAREGATE_SERVICES_COMMON_THREAD_NAME_H_
#define CAREGATE_SERVICES_COMMON_THREAD_NAME_H_

#include <string_view>

namespace caregate {

void SetCurrentThreadName(std::string_view name);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_COMMON_THREAD_NAME_H_
