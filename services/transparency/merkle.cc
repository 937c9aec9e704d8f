#include "services/transparency/merkle.h"

#include <bit>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/crypto/encoding.h"
#include "services/crypto/sha256.h"

namespace caregate::tlog {

Hash256 LeafHash(std::string_view leaf_input) {
  // One buffer per thread: no allocation per leaf once it has grown.
  thread_local std::string buffer;
  buffer.assign(1, '\0');
  buffer.append(leaf_input);
  return Sha256(buffer);
}

Hash256 HashChildren(const Hash256& left, const Hash256& right) {
  char buffer[1 + 2 * 32];
  buffer[0] = 0x01;
  std::memcpy(buffer + 1, left.data(), 32);
  std::memcpy(buffer + 33, right.data(), 32);
  return Sha256(std::string_view(buffer, sizeof(buffer)));
}

const Hash256& EmptyRoot() {
  static const Hash256 root = Sha256("");
  return root;
}

std::vector<NodeId> SubtreeNodes(int64_t begin, int64_t end) {
  std::vector<NodeId> nodes;
  const uint64_t size = static_cast<uint64_t>(end - begin);
  nodes.reserve(std::popcount(size));
  int64_t position = begin;
  for (int level = 63 - std::countl_zero(size); level >= 0; --level) {
    if ((size >> level & 1) == 0) continue;
    nodes.push_back({level, position >> level});
    position += int64_t{1} << level;
  }
  return nodes;
}

Hash256 FoldRight(absl::Span<const Hash256> hashes) {
  Hash256 hash = hashes.back();
  for (size_t i = hashes.size() - 1; i-- > 0;)
    hash = HashChildren(hashes[i], hash);
  return hash;
}

std::string HashBytes(const Hash256& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

absl::StatusOr<Hash256> HashFromBytes(std::string_view bytes,
                                      std::string_view what) {
  if (bytes.size() != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat(AsAbsl(what), " is ", bytes.size(), " bytes, want 32"));
  }
  Hash256 hash;
  std::memcpy(hash.data(), bytes.data(), 32);
  return hash;
}

std::string HashHex(const Hash256& hash) { return HexEncode(HashBytes(hash)); }

}  // namespace caregate::tlog
