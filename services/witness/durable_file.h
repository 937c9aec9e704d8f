// Replacing a small file so that a crash never leaves it half-written and a
// completed call survives power loss.
//
// The new contents go to a fresh temporary file in the same directory
// (O_EXCL, `mode`), which is fsync'd, renamed over `path` and followed by an
// fsync of the directory. Readers see either the old file or the new one.
// Thread-compatible: callers serialize writes to one path. Errors name the
// path and the failed system call (see pki::ErrnoStatus); the temporary file
// is removed on failure.
#ifndef CAREGATE_SERVICES_WITNESS_DURABLE_FILE_H_
#define CAREGATE_SERVICES_WITNESS_DURABLE_FILE_H_

#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "absl/status/status.h"

namespace caregate::witness {

absl::Status ReplaceFileDurably(const std::filesystem::path& path,
                                std::string_view contents, mode_t mode);

// fsync of a directory, so that entries created or renamed in it persist.
absl::Status SyncDirectory(const std::filesystem::path& dir);

}  // namespace caregate::witness

#endif  // CAREGATE_SERVICES_WITNESS_DURABLE_FILE_H_
