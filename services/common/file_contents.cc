#include "services/common/file_contents.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/common/unique_fd.h"

namespace caregate {
namespace {

absl::Status ErrnoStatus(int error) {
  std::string reason = std::strerror(error);
  return error == ENOENT ? absl::NotFoundError(reason)
                         : absl::FailedPreconditionError(reason);
}

}  // namespace

absl::StatusOr<std::string> ReadFileContents(const std::string& path,
                                             size_t max_bytes) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus(errno);
  if (S_ISDIR(st.st_mode)) return ErrnoStatus(EISDIR);
  const auto too_large = [max_bytes] {
    return absl::FailedPreconditionError(
        absl::StrCat("larger than ", max_bytes, " bytes"));
  };
  // Read straight into the string: sized to the file (one byte more, to see
  // the end), or 64 KiB for one that does not know its size (a pipe, a
  // /proc file), growing only when the file does.
  const size_t size = S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : 0;
  if (size > max_bytes) return too_large();
  std::string contents(size > 0 ? size + 1 : size_t{1} << 16, '\0');
  size_t filled = 0;
  for (;;) {
    if (filled == contents.size()) contents.resize(2 * contents.size());
    const ssize_t n =
        read(fd.get(), contents.data() + filled, contents.size() - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno);
    if (n == 0) break;
    filled += static_cast<size_t>(n);
    if (filled > max_bytes) return too_large();
  }
  contents.resize(filled);
  return contents;
}

}  // namespace caregate
