#include "services/policy/string_arena.h"

#include <cstring>

namespace caregate {

std::string_view StringArena::Keep(std::string_view text) {
  if (text.empty()) return {};
  char* out;
  if (text.size() > kBlockSize / 4) {
    out = large_.emplace_back(new char[text.size()]).get();
  } else {
    if (kBlockSize - used_ < text.size()) {
      blocks_.emplace_back(new char[kBlockSize]);
      used_ = 0;
    }
    out = blocks_.back().get() + used_;
    used_ += text.size();
  }
  std::memcpy(out, text.data(), text.size());
  return std::string_view(out, text.size());
}

}  // namespace caregate
