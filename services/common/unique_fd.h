// Owns a file descriptor and closes it when it goes (a negative one is
// "none"). Not copyable.
#ifndef CAREGATE_SERVICES_COMMON_UNIQUE_FD_H_
#define CAREGATE_SERVICES_COMMON_UNIQUE_FD_H_

#include <unistd.h>

namespace caregate {

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_COMMON_UNIQUE_FD_H_
