#include "services/witness/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "services/crypto/encoding.h"
#include "services/crypto/random.h"
#include "services/pki/new_file_set.h"

namespace caregate::witness {
namespace {

using ::caregate::pki::ErrnoStatus;

absl::Status WriteAll(int fd, std::string_view contents,
                      const std::filesystem::path& path) {
  while (!contents.empty()) {
    const ssize_t n = ::write(fd, contents.data(), contents.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write", path);
    }
    contents.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// Writes and syncs the temporary file; removes it on failure.
absl::Status WriteTemporary(const std::filesystem::path& tmp,
                            std::string_view contents, mode_t mode) {
  const int fd = ::open(
      tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return ErrnoStatus(errno, "create", tmp);
  absl::Status status = WriteAll(fd, contents, tmp);
  if (status.ok() && ::fchmod(fd, mode) != 0) {
    status = ErrnoStatus(errno, "chmod", tmp);
  }
  if (status.ok() && ::fsync(fd) != 0)
    status = ErrnoStatus(errno, "fsync", tmp);
  if (::close(fd) != 0 && status.ok()) {
    status = ErrnoStatus(errno, "close", tmp);
  }
  if (!status.ok()) ::unlink(tmp.c_str());
  return status;
}

}  // namespace

absl::Status SyncDirectory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", dir);
  const int result = ::fsync(fd);
  const int saved_errno = errno;
  ::close(fd);
  if (result != 0) return ErrnoStatus(saved_errno, "fsync", dir);
  return absl::OkStatus();
}

absl::Status ReplaceFileDurably(const std::filesystem::path& path,
                                std::string_view contents, mode_t mode) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  std::filesystem::path tmp = path;
  tmp += absl::StrCat(".tmp-", HexEncode(RandomBytes(8)));
  absl::Status status = WriteTemporary(tmp, contents, mode);
  if (!status.ok()) return status;
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus(errno, "rename", path);
    ::unlink(tmp.c_str());
    return status;
  }
  return SyncDirectory(dir);
}

}  // namespace caregate::witness
