// Cat(...): concatenates strings, string_views, characters and integers.
// Debian's Abseil has its own absl::string_view, so absl::StrCat does not
// take std::string_view; this small helper does. Internal to caregate_fhir.
#ifndef CAREGATE_SERVICES_FHIR_CAT_H_
#define CAREGATE_SERVICES_FHIR_CAT_H_

#include <concepts>
#include <string>
#include <string_view>

namespace caregate::fhir {
namespace cat_internal {

inline void Append(std::string& out, std::string_view s) { out.append(s); }
inline void Append(std::string& out, char c) { out.push_back(c); }
template <std::integral Int>
requires(!std::same_as<Int, char> &&
         !std::same_as<Int, bool>) void Append(std::string& out, Int n) {
  out.append(std::to_string(n));
}

}  // namespace cat_internal

template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  (cat_internal::Append(out, args), ...);
  return out;
}

}  // namespace caregate::fhir

#endif  // CAREGATE_SERVICES_FHIR_CAT_H_
