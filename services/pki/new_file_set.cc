#include "services/pki/new_file_set.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace caregate::pki {

absl::Status ErrnoStatus(int errno_value, std::string_view operation,
                         const std::filesystem::path& path) {
  std::string message = absl::StrCat(std::string(operation), " ", path.string(),
                                     ": ", std::strerror(errno_value));
  switch (errno_value) {
    case EEXIST:
      return absl::AlreadyExistsError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::InternalError(message);
  }
}

namespace {

// Writes all of `contents` to `fd`, retrying on EINTR and short writes.
bool WriteAll(int fd, std::string_view contents) {
  while (!contents.empty()) {
    ssize_t n = ::write(fd, contents.data(), contents.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    contents.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

NewFileSet::~NewFileSet() { Rollback(); }

void NewFileSet::Rollback() {
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
    std::error_code ignored;
    std::filesystem::remove(*it, ignored);
  }
  created_.clear();
}

absl::Status NewFileSet::MakeDirs(const std::filesystem::path& dir,
                                  mode_t mode) {
  std::filesystem::path current;
  for (const std::filesystem::path& part : dir) {
    current /= part;
    if (::mkdir(current.c_str(), mode) == 0) {
      created_.push_back(current);
      // mkdir's mode is masked by the umask; set it exactly.
      if (::chmod(current.c_str(), mode) != 0) {
        return ErrnoStatus(errno, "chmod", current);
      }
      continue;
    }
    if (errno != EEXIST) return ErrnoStatus(errno, "mkdir", current);
    std::error_code ec;
    if (!std::filesystem::is_directory(current, ec)) {
      return absl::FailedPreconditionError(
          absl::StrCat(current.string(), " exists and is not a directory"));
    }
  }
  return absl::OkStatus();
}

absl::Status NewFileSet::WriteFile(const std::filesystem::path& path,
                                   std::string_view contents, mode_t mode) {
  int fd = ::open(path.c_str(),
                  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return ErrnoStatus(errno, "create", path);
  created_.push_back(path);
  const char* failed = nullptr;
  if (::fchmod(fd, mode) != 0) {
    failed = "chmod";
  } else if (!WriteAll(fd, contents)) {
    failed = "write";
  } else if (::fsync(fd) != 0) {
    failed = "fsync";
  }
  int saved_errno = errno;
  if (::close(fd) != 0 && failed == nullptr) {
    failed = "close";
    saved_errno = errno;
  }
  if (failed != nullptr) return ErrnoStatus(saved_errno, failed, path);
  return absl::OkStatus();
}

}  // namespace caregate::pki
