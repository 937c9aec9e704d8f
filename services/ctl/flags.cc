#include "services/ctl/flags.h"

#include <optional>

#include "absl/strings/str_cat.h"

namespace caregate::ctl {

void FlagSet::AddString(std::string name, std::string* value) {
  strings_[std::move(name)] = value;
}

void FlagSet::AddBool(std::string name, bool* value) {
  bools_[std::move(name)] = value;
}

absl::StatusOr<std::vector<std::string>> FlagSet::Parse(
    const std::vector<std::string>& args) const {
  std::vector<std::string> positionals;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positionals.insert(positionals.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positionals.push_back(arg);
      continue;
    }
    std::string_view body =
        std::string_view(arg).substr(arg.rfind("--", 0) == 0 ? 2 : 1);
    std::optional<std::string> inline_value;
    size_t eq = body.find('=');
    if (eq != std::string_view::npos) {
      inline_value = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    std::string flag = absl::StrCat("--", std::string(body));
    if (auto it = strings_.find(body); it != strings_.end()) {
      if (inline_value.has_value()) {
        *it->second = *inline_value;
      } else if (i + 1 < args.size()) {
        *it->second = args[++i];
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("flag ", flag, " needs a value"));
      }
    } else if (auto bit = bools_.find(body); bit != bools_.end()) {
      if (!inline_value.has_value() || *inline_value == "true") {
        *bit->second = true;
      } else if (*inline_value == "false") {
        *bit->second = false;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("flag ", flag, " takes true or false"));
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", flag));
    }
  }
  return positionals;
}

}  // namespace caregate::ctl
