#include "services/policy/id_table.h"

namespace caregate {

IdTable::IdTable() { Intern(""); }

uint32_t IdTable::Intern(std::string_view name) {
  auto it = ids_.find(name);
  if (it != ids_.end()) return it->second;
  const auto id = static_cast<uint32_t>(names_.size());
  const std::string& stored = names_.emplace_back(name);
  ids_.emplace(std::string_view(stored), id);
  return id;
}

uint32_t IdTable::Find(std::string_view name) const {
  auto it = ids_.find(name);
  return it == ids_.end() ? kUnknown : it->second;
}

}  // namespace caregate
