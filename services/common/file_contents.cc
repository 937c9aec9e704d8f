#include "services/common/file_contents.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace caregate {
namespace {

absl::Status ErrnoStatus(int error) {
  std::string reason = std::strerror(error);
  return error == ENOENT ? absl::NotFoundError(reason)
                         : absl::FailedPreconditionError(reason);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<std::string> ReadFileContents(const std::string& path,
                                             size_t max_bytes) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus(errno);
  if (S_ISDIR(st.st_mode)) return ErrnoStatus(EISDIR);
  std::string contents;
  if (S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) <= max_bytes) {
    contents.reserve(static_cast<size_t>(st.st_size));
  }
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = read(fd.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno);
    if (n == 0) return contents;
    if (static_cast<size_t>(n) > max_bytes - contents.size()) {
      return absl::FailedPreconditionError(
          absl::StrCat("larger than ", max_bytes, " bytes"));
    }
    contents.append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace caregate
