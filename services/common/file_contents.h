// Reading a whole small file (configuration, certificates, keys, CLI input):
// the one helper for it, instead of a copy per module.
//
// ReadFileContents returns the file's bytes. On failure the status message
// is the reason alone ("No such file or directory", "Is a directory",
// "larger than 1048576 bytes"): the caller names the file and what it was
// for. NOT_FOUND when the file does not exist, FAILED_PRECONDITION for every
// other failure. A directory is an error, never empty contents.
//
// Secrets read this way stay in the returned string; key files that must be
// wiped after use go through crypto_internal::ReadSmallFile instead.
#ifndef CAREGATE_SERVICES_COMMON_FILE_CONTENTS_H_
#define CAREGATE_SERVICES_COMMON_FILE_CONTENTS_H_

#include <cstddef>
#include <limits>
#include <string>

#include "absl/status/statusor.h"

namespace caregate {

absl::StatusOr<std::string> ReadFileContents(
    const std::string& path,
    size_t max_bytes = std::numeric_limits<size_t>::max());

}  // namespace caregate

#endif  // CAREGATE_SERVICES_COMMON_FILE_CONTENTS_H_
