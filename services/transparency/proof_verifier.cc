#include "services/transparency/proof_verifier.h"

#include <bit>

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "services/common/status_macros.h"

namespace caregate::tlog {
namespace {

int BitLength(uint64_t x) { return 64 - std::countl_zero(x); }

// Shifts fn and sn right together until fn's lowest bit is set or fn is 0.
void ShiftUntilOddOrZero(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

absl::Status CheckSize(int64_t size, std::string_view what) {
  if (size < 0 || size > kMaxTreeSize) {
    return absl::InvalidArgumentError(
        absl::StrCat(AsAbsl(what), " ", size, " is out of range"));
  }
  return absl::OkStatus();
}

absl::Status CheckLength(size_t got, int want, std::string_view what) {
  if (got != static_cast<size_t>(want)) {
    return absl::InvalidArgumentError(
        absl::StrCat(AsAbsl(what), " has ", got, " hashes, want ", want));
  }
  return absl::OkStatus();
}

absl::Status Mismatch(std::string_view what, const Hash256& calculated,
                      const Hash256& expected) {
  return absl::DataLossError(
      absl::StrCat(AsAbsl(what), ": calculated root ", HashHex(calculated),
                   " does not match the expected root ", HashHex(expected)));
}

}  // namespace

int InclusionProofLength(int64_t index, int64_t tree_size) {
  const uint64_t last = static_cast<uint64_t>(tree_size - 1);
  const int inner = BitLength(static_cast<uint64_t>(index) ^ last);
  const int border = std::popcount(static_cast<uint64_t>(index) >> inner);
  return inner + border;
}

int ConsistencyProofLength(int64_t old_size, int64_t new_size) {
  if (old_size == new_size) return 0;
  const uint64_t old_last = static_cast<uint64_t>(old_size - 1);
  const int shift = std::countr_zero(static_cast<uint64_t>(old_size));
  const int inner =
      BitLength(old_last ^ static_cast<uint64_t>(new_size - 1)) - shift;
  const int border = std::popcount(old_last >> (inner + shift));
  const bool old_is_perfect =
      std::has_single_bit(static_cast<uint64_t>(old_size));
  return inner + border + (old_is_perfect ? 0 : 1);
}

absl::StatusOr<Hash256> RootFromInclusionProof(
    const Hash256& leaf_hash, int64_t index, int64_t tree_size,
    absl::Span<const Hash256> proof) {
  CG_RETURN_IF_ERROR(CheckSize(tree_size, "tree size"));
  if (index < 0 || index >= tree_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "leaf index ", index, " is not in a tree of ", tree_size, " leaves"));
  }
  CG_RETURN_IF_ERROR(
      CheckLength(proof.size(), InclusionProofLength(index, tree_size),
                  absl::StrCat("inclusion proof of leaf ", index,
                               " in a tree of ", tree_size, " leaves")));
  // RFC 9162 §2.1.3.2.
  uint64_t fn = static_cast<uint64_t>(index);
  uint64_t sn = static_cast<uint64_t>(tree_size - 1);
  Hash256 r = leaf_hash;
  for (const Hash256& p : proof) {
    if (sn == 0) {
      return absl::InvalidArgumentError("inclusion proof is too long");
    }
    if ((fn & 1) != 0 || fn == sn) {
      r = HashChildren(p, r);
      if ((fn & 1) == 0) ShiftUntilOddOrZero(fn, sn);
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return absl::InvalidArgumentError("inclusion proof is too short");
  }
  return r;
}

absl::Status VerifyInclusion(const Hash256& leaf_hash, int64_t index,
                             int64_t tree_size, absl::Span<const Hash256> proof,
                             const Hash256& root) {
  CG_ASSIGN_OR_RETURN(
      Hash256 calculated,
      RootFromInclusionProof(leaf_hash, index, tree_size, proof));
  if (calculated != root) {
    return Mismatch(absl::StrCat("inclusion proof of leaf ", index,
                                 " in a tree of ", tree_size, " leaves"),
                    calculated, root);
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(int64_t old_size, int64_t new_size,
                               absl::Span<const Hash256> proof,
                               const Hash256& old_root,
                               const Hash256& new_root) {
  CG_RETURN_IF_ERROR(CheckSize(old_size, "old tree size"));
  CG_RETURN_IF_ERROR(CheckSize(new_size, "new tree size"));
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old tree size ", old_size,
                     " is larger than new tree size ", new_size));
  }
  if (old_size == 0) {
    return absl::InvalidArgumentError(
        "a consistency proof from the empty tree is meaningless");
  }
  const std::string what = absl::StrCat("consistency proof from size ",
                                        old_size, " to size ", new_size);
  CG_RETURN_IF_ERROR(CheckLength(
      proof.size(), ConsistencyProofLength(old_size, new_size), what));
  if (old_size == new_size) {
    if (old_root != new_root) {
      return absl::DataLossError(
          absl::StrCat("two different roots for tree size ", old_size, ": ",
                       HashHex(old_root), " and ", HashHex(new_root)));
    }
    return absl::OkStatus();
  }
  // RFC 9162 §2.1.4.2.
  std::vector<Hash256> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(static_cast<uint64_t>(old_size))) {
    path.push_back(old_root);
  }
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = static_cast<uint64_t>(old_size - 1);
  uint64_t sn = static_cast<uint64_t>(new_size - 1);
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash256 fr = path.front();
  Hash256 sr = path.front();
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash256& c = path[i];
    if (sn == 0) return absl::InvalidArgumentError(what + " is too long");
    if ((fn & 1) != 0 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if ((fn & 1) == 0) ShiftUntilOddOrZero(fn, sn);
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::InvalidArgumentError(what + " is too short");
  if (fr != old_root) return Mismatch(what + " (old tree)", fr, old_root);
  if (sr != new_root) return Mismatch(what + " (new tree)", sr, new_root);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Hash256>> ProofFromBytes(
    absl::Span<const std::string> hashes) {
  std::vector<Hash256> proof;
  proof.reserve(hashes.size());
  for (size_t i = 0; i < hashes.size(); ++i) {
    CG_ASSIGN_OR_RETURN(
        Hash256 hash, HashFromBytes(hashes[i], absl::StrCat("proof hash ", i)));
    proof.push_back(hash);
  }
  return proof;
}

}  // namespace caregate::tlog
