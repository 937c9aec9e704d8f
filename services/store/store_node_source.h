// StoreNodeSource: proofs (services/transparency/proof_builder.h) read the
// audit log's Merkle tree nodes from the store's committed state, all the
// nodes of one proof in one Store::ReadTreeNodes call.
//
// Thread-safe as far as the store's reads are (they are).
#ifndef CAREGATE_SERVICES_STORE_STORE_NODE_SOURCE_H_
#define CAREGATE_SERVICES_STORE_STORE_NODE_SOURCE_H_

#include <vector>

#include "services/store/store.h"
#include "services/transparency/node_source.h"

namespace caregate {

class StoreNodeSource final : public tlog::NodeSource {
 public:
  // `store` must outlive the source.
  explicit StoreNodeSource(Store* store) : store_(store) {}

  absl::StatusOr<Hash256> Node(int level, int64_t index) override;
  absl::StatusOr<std::vector<Hash256>> Nodes(
      absl::Span<const tlog::NodeId> ids) override;

 private:
  Store* const store_;
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_STORE_STORE_NODE_SOURCE_H_
