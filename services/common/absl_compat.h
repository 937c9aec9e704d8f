// Debian's Abseil 20220623 is built with its own absl::string_view, which is
// not std::string_view. Our APIs take std::string_view; these adapt it where
// Abseil needs its own type (StrCat, heterogeneous flat_hash_map lookup).
#ifndef CAREGATE_SERVICES_COMMON_ABSL_COMPAT_H_
#define CAREGATE_SERVICES_COMMON_ABSL_COMPAT_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace caregate {

inline absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace caregate

#endif  // CAREGATE_SERVICES_COMMON_ABSL_COMPAT_H_
