#include "services/store/store_node_source.h"

#include "services/common/status_macros.h"

namespace caregate {

absl::StatusOr<Hash256> StoreNodeSource::Node(int level, int64_t index) {
  const tlog::NodeId id{level, index};
  CG_ASSIGN_OR_RETURN(std::vector<Hash256> hashes,
                      store_->ReadTreeNodes({&id, 1}));
  return hashes.at(0);
}

absl::StatusOr<std::vector<Hash256>> StoreNodeSource::Nodes(
    absl::Span<const tlog::NodeId> ids) {
  return store_->ReadTreeNodes(ids);
}

}  // namespace caregate
