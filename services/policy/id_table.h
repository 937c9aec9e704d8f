// IdTable: interns the ids the consent index compares (practice and grantee
// organization ids, provider ids) as small integers, so each distinct id is
// kept once however many consents name it, and a grantee check compares two
// integers instead of two strings.
//
// Id 0 is always the empty string. Not thread-safe: the owner (ConsentIndex)
// guards it with its own lock. Ids are never forgotten; the names returned
// stay valid as long as the table.
#ifndef CAREGATE_SERVICES_POLICY_ID_TABLE_H_
#define CAREGATE_SERVICES_POLICY_ID_TABLE_H_

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace caregate {

class IdTable {
 public:
  // What Find returns for a name never interned; no interned id equals it.
  static constexpr uint32_t kUnknown = UINT32_MAX;

  IdTable();
  IdTable(const IdTable&) = delete;
  IdTable& operator=(const IdTable&) = delete;

  // The id of `name`, interning it when new.
  uint32_t Intern(std::string_view name);
  // The id of `name`, or kUnknown. Does not allocate.
  uint32_t Find(std::string_view name) const;
  // The name of `id` (an id this table returned).
  std::string_view Name(uint32_t id) const { return names_[id]; }
  // How many names are interned, the empty one included.
  size_t size() const { return names_.size(); }

 private:
  std::deque<std::string> names_;  // never moves its strings
  absl::flat_hash_map<std::string_view, uint32_t> ids_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_POLICY_ID_TABLE_H_
