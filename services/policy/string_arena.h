// StringArena: keeps many short strings (consent ids, patient ids) packed in
// large blocks, without a heap allocation and a std::string header per string.
//
// Strings are never freed or moved before the arena is destroyed; the views
// Keep returns stay valid until then. Not thread-safe: the owner guards it.
#ifndef CAREGATE_SERVICES_POLICY_STRING_ARENA_H_
#define CAREGATE_SERVICES_POLICY_STRING_ARENA_H_

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace caregate {

class StringArena {
 public:
  StringArena() = default;
  StringArena(const StringArena&) = delete;
  StringArena& operator=(const StringArena&) = delete;

  // A copy of `text` in the arena.
  std::string_view Keep(std::string_view text);
  // The bytes held in blocks (what the arena costs, roughly).
  size_t allocated_bytes() const { return blocks_.size() * kBlockSize; }

 private:
  static constexpr size_t kBlockSize = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::unique_ptr<char[]>> large_;  // strings over a block
  size_t used_ = kBlockSize;                    // in blocks_.back()
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_POLICY_STRING_ARENA_H_
