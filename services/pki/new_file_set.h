// Creates files and directories that must not exist yet, all or nothing.
//
// Every file is created with O_CREAT|O_EXCL (an existing file is never
// overwritten, a symlink never followed), written in full, fsync'd and given
// exactly the requested mode. Everything created is remembered; unless
// Commit() is called, the destructor removes it again, newest first, so a
// failure midway leaves nothing behind. Not thread-safe.
//
// Errors name the path and map errno: EEXIST to ALREADY_EXISTS, EACCES/EPERM
// to PERMISSION_DENIED, ENOENT to NOT_FOUND, ENOSPC/EDQUOT to
// RESOURCE_EXHAUSTED, the rest to INTERNAL.
#ifndef CAREGATE_SERVICES_PKI_NEW_FILE_SET_H_
#define CAREGATE_SERVICES_PKI_NEW_FILE_SET_H_

#include <sys/types.h>

#include <filesystem>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace caregate::pki {

class NewFileSet {
 public:
  NewFileSet() = default;
  NewFileSet(const NewFileSet&) = delete;
  NewFileSet& operator=(const NewFileSet&) = delete;
  // Removes everything created unless Commit() was called.
  ~NewFileSet();

  // Creates `dir` and any missing parents, each with `mode`; existing ones
  // are left as they are (and never removed).
  absl::Status MakeDirs(const std::filesystem::path& dir, mode_t mode);
  // Creates `path`, which must not exist, holding exactly `contents`.
  absl::Status WriteFile(const std::filesystem::path& path,
                         std::string_view contents, mode_t mode);
  // Keeps everything created so far.
  void Commit() { created_.clear(); }

 private:
  void Rollback();

  // Created paths, oldest first.
  std::vector<std::filesystem::path> created_;
};

// A status for the failed `operation` on `path` with `errno_value`.
absl::Status ErrnoStatus(int errno_value, std::string_view operation,
                         const std::filesystem::path& path);

}  // namespace caregate::pki

#endif  // CAREGATE_SERVICES_PKI_NEW_FILE_SET_H_
