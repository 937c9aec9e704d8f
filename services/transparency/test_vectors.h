// The RFC 6962 reference tree used by the Merkle tests: eight leaf inputs
// with the roots of every prefix and some inclusion and consistency proofs,
// as published with Certificate Transparency's and transparency-dev/merkle's
// RFC 6962 test data.
#ifndef CAREGATE_SERVICES_TRANSPARENCY_TEST_VECTORS_H_
#define CAREGATE_SERVICES_TRANSPARENCY_TEST_VECTORS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "services/crypto/encoding.h"
#include "services/transparency/merkle.h"

namespace caregate::tlog::testing {

// Leaf inputs, hex.
inline const std::vector<std::string>& ReferenceLeavesHex() {
  static const auto* leaves = new std::vector<std::string>{
      "",
      "00",
      "10",
      "2021",
      "3031",
      "40414243",
      "5051525354555657",
      "606162636465666768696a6b6c6d6e6f",
  };
  return *leaves;
}

// Roots of the first 1..8 leaves, hex.
inline const std::vector<std::string>& ReferenceRootsHex() {
  static const auto* roots = new std::vector<std::string>{
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  return *roots;
}

struct ReferenceInclusion {
  int64_t index;  // from 0
  int64_t tree_size;
  std::vector<std::string> proof_hex;
};

inline const std::vector<ReferenceInclusion>& ReferenceInclusionProofs() {
  static const auto* proofs = new std::vector<ReferenceInclusion>{
      {0, 1, {}},
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       3,
       {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  return *proofs;
}

struct ReferenceConsistency {
  int64_t old_size;
  int64_t new_size;
  std::vector<std::string> proof_hex;
};

inline const std::vector<ReferenceConsistency>& ReferenceConsistencyProofs() {
  static const auto* proofs = new std::vector<ReferenceConsistency>{
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {6,
       7,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  return *proofs;
}

inline Hash256 HashFromHex(const std::string& hex) {
  Hash256 hash{};
  const std::optional<std::string> bytes = HexDecode(hex);
  if (bytes.has_value() && bytes->size() == 32) {
    std::copy(bytes->begin(), bytes->end(), hash.begin());
  }
  return hash;
}

inline std::vector<Hash256> HashesFromHex(const std::vector<std::string>& hex) {
  std::vector<Hash256> hashes;
  for (const std::string& h : hex) hashes.push_back(HashFromHex(h));
  return hashes;
}

// Leaf hashes of the eight reference leaves.
inline std::vector<Hash256> ReferenceLeafHashes() {
  std::vector<Hash256> hashes;
  for (const std::string& hex : ReferenceLeavesHex()) {
    hashes.push_back(LeafHash(*HexDecode(hex)));
  }
  return hashes;
}

// Leaf hashes of n distinct synthetic leaves ("leaf-0", "leaf-1", ...).
inline std::vector<Hash256> SyntheticLeafHashes(int64_t n) {
  std::vector<Hash256> hashes;
  hashes.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    hashes.push_back(LeafHash("leaf-" + std::to_string(i)));
  }
  return hashes;
}

// The Merkle tree hash of leaves [begin, end) computed straight from
// RFC 9162 §2.1.1's recursive definition (an independent reference).
inline Hash256 ReferenceTreeHash(const std::vector<Hash256>& leaves,
                                 int64_t begin, int64_t end) {
  if (end - begin == 0) return EmptyRoot();
  if (end - begin == 1) return leaves[begin];
  int64_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return HashChildren(ReferenceTreeHash(leaves, begin, begin + k),
                      ReferenceTreeHash(leaves, begin + k, end));
}

}  // namespace caregate::tlog::testing

#endif  // CAREGATE_SERVICES_TRANSPARENCY_TEST_VECTORS_H_
