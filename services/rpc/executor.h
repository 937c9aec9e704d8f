// A small fixed pool of threads for blocking work (store reads), so gRPC
// reactors never block.
//
// Thread-safe. The destructor runs the tasks already posted, then joins.
#ifndef CAREGATE_SERVICES_RPC_EXECUTOR_H_
#define CAREGATE_SERVICES_RPC_EXECUTOR_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace caregate {

class Executor {
 public:
  explicit Executor(int threads);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void Post(std::function<void()> task);

 private:
  void Loop();

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_RPC_EXECUTOR_H_
