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

void FlagSet::AddList(std::string name, std::vector<std::string>* values) {
  lists_[std::move(name)] = values;
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
    auto it = strings_.find(body);
    auto lit = lists_.find(body);
    if (it != strings_.end() || lit != lists_.end()) {
      if (!inline_value.has_value() && i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag ", flag, " needs a value"));
      }
      std::string value = inline_value.has_value() ? *inline_value : args[++i];
      if (it != strings_.end()) {
        *it->second = std::move(value);
      } else {
        lit->second->push_back(std::move(value));
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
