// A small parser for a subcommand's arguments: "--name value",
// "--name=value", boolean "--name", repeatable list flags, and positional
// arguments; "--" ends the flags. Flags may come before or after positionals.
//
// A FlagSet holds pointers to the caller's variables, which must outlive it.
// Thread-compatible.
#ifndef CAREGATE_SERVICES_CTL_FLAGS_H_
#define CAREGATE_SERVICES_CTL_FLAGS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace caregate::ctl {

class FlagSet {
 public:
  // Declares "--name VALUE"; Parse stores the value in `*value`.
  void AddString(std::string name, std::string* value);
  // Declares "--name" (or "--name=true|false"); Parse sets `*value`.
  void AddBool(std::string name, bool* value);
  // Declares a repeatable "--name VALUE"; Parse appends each value to
  // `*values` in order.
  void AddList(std::string name, std::vector<std::string>* values);

  // Stores flag values and returns the positional arguments in order.
  // INVALID_ARGUMENT naming the flag when one is unknown, lacks its value
  // or gives a boolean something other than true/false.
  absl::StatusOr<std::vector<std::string>> Parse(
      const std::vector<std::string>& args) const;

 private:
  std::map<std::string, std::string*, std::less<>> strings_;
  std::map<std::string, bool*, std::less<>> bools_;
  std::map<std::string, std::vector<std::string>*, std::less<>> lists_;
};

}  // namespace caregate::ctl

#endif  // CAREGATE_SERVICES_CTL_FLAGS_H_
