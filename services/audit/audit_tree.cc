#include "services/audit/audit_tree.h"

#include <string_view>

#include "services/transparency/merkle.h"

namespace caregate {

Hash256 AuditLeafHash(const Hash256& event_hash) {
  return tlog::LeafHash(std::string_view(
      reinterpret_cast<const char*>(event_hash.data()), event_hash.size()));
}

void DropLeaves(std::vector<tlog::NodeHash>& nodes) {
  std::erase_if(nodes, [](const tlog::NodeHash& n) { return n.id.level == 0; });
}

AuditTreeVerifier::AuditTreeVerifier(absl::Span<const int64_t> sizes) {
  for (int64_t size : sizes) roots_[size] = std::nullopt;
  if (auto it = roots_.find(0); it != roots_.end()) {
    it->second = tlog::EmptyRoot();
  }
}

bool AuditTreeVerifier::Add(const AuditEvent& event) {
  if (!chain_.Add(event)) return false;
  tree_.Append(AuditLeafHash(event.hash), nullptr);
  if (auto it = roots_.find(tree_.size()); it != roots_.end()) {
    it->second = tree_.Root();
  }
  return true;
}

std::optional<Hash256> AuditTreeVerifier::RootAt(int64_t size) const {
  if (size == tree_.size()) return tree_.Root();
  auto it = roots_.find(size);
  return it == roots_.end() ? std::nullopt : it->second;
}

}  // namespace caregate
