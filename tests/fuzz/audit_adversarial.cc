// RunAdversarialLog (audit_fuzz_modes.h): the verifier against logs and
// checkpoints written by an attacker.
#include <map>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "services/audit/audit_chain.h"
#include "services/audit/checkpoint.h"
#include "tests/fuzz/audit_fuzz_modes.h"
#include "tests/fuzz/audit_fuzz_support.h"
#include "tests/fuzz/fuzz_check.h"

namespace caregate::fuzz {
namespace {

constexpr int kMaxEvents = 24;

// seq + delta, wrapping instead of overflowing (seqs here are raw input).
int64_t Add(int64_t seq, int64_t delta) {
  return static_cast<int64_t>(static_cast<uint64_t>(seq) +
                              static_cast<uint64_t>(delta));
}

Hash256 FlipBit(Hash256 h, uint8_t bit) {
  h[(bit / 8) % h.size()] ^= static_cast<uint8_t>(1u << (bit % 8));
  return h;
}

// What an independent verifier knows: the seqs and hashes accepted so far
// (and the anchor's).
struct Expected {
  int64_t next_seq = 1;
  Hash256 head{};
  bool failed = false;
  std::map<int64_t, Hash256> hashes;  // seq -> hash of accepted events
};

// The next event of the log: content from input; seq, prev_hash and hash
// each either derived (the plausible choice) or raw.
AuditEvent DecodeLogEvent(FuzzBytes& in, int64_t next_seq,
                          const Hash256& last_hash) {
  AuditEvent e = DecodeEventContent(in);
  const uint8_t how = in.U8();
  switch (how & 3) {
    case 2:
      e.seq = in.I64();
      break;
    case 3:
      e.seq = Add(next_seq, static_cast<int8_t>(in.U8()));
      break;
    default:
      e.seq = next_seq;
      break;
  }
  switch ((how >> 2) & 3) {
    case 2:
      e.prev_hash = Hash256{};
      break;
    case 3:
      e.prev_hash = DecodeHash(in);
      break;
    default:
      e.prev_hash = last_hash;
      break;
  }
  const Hash256 computed = ComputeEventHash(e.prev_hash, e);
  CG_FUZZ_CHECK(computed == ReferenceEventHash(e.prev_hash, e));
  switch ((how >> 4) & 3) {
    case 2:
      e.hash = DecodeHash(in);
      break;
    case 3:
      e.hash = FlipBit(computed, in.U8());
      break;
    default:
      e.hash = computed;
      break;
  }
  return e;
}

void FeedEvent(const AuditEvent& e, ChainVerifier& verifier, Expected& x) {
  const bool should_accept = !x.failed && e.seq == x.next_seq &&
                             e.prev_hash == x.head &&
                             ReferenceEventHash(e.prev_hash, e) == e.hash;
  const bool added = verifier.Add(e);
  CG_FUZZ_CHECK(added == should_accept);
  if (added) {
    x.next_seq = Add(e.seq, 1);
    x.head = e.hash;
    x.hashes[e.seq] = e.hash;
  } else if (!x.failed) {
    x.failed = true;
    const VerifyResult& r = verifier.result();
    CG_FUZZ_CHECK(!r.ok && r.first_bad_seq == e.seq);
    CG_FUZZ_CHECK(absl::StartsWith(r.problem, "seq "));
  }
}

// A checkpoint from input: raw, or signed with the fuzz key (a copy goes to
// `genuine`) and then perhaps edited.
Checkpoint DecodeCheckpoint(FuzzBytes& in, const Expected& x,
                            std::optional<Checkpoint>& genuine) {
  Checkpoint cp;
  cp.origin = in.Bool() ? "caregate.local/audit" : in.String(24);
  const uint8_t how = in.U8();
  if ((how & 1) && !x.hashes.empty()) {
    auto it = x.hashes.begin();
    std::advance(it, in.Below(x.hashes.size()));
    cp.seq = it->first;
    cp.head_hash = (how & 2) ? FlipBit(it->second, in.U8()) : it->second;
  } else {
    cp.seq = in.I64();
    cp.head_hash = (how & 2) ? Hash256{} : DecodeHash(in);
  }
  const bool signable = !cp.origin.empty() &&
                        cp.origin.find('\n') == std::string::npos &&
                        cp.seq >= 0;
  if ((how & 4) && signable) {
    genuine = SignCheckpoint(cp.origin, cp.seq, cp.head_hash, absl::UnixEpoch(),
                             FuzzSigner());
    cp = *genuine;
    if (how & 8) cp.body[in.Below(cp.body.size())] ^= in.U8() | 1;
    if (how & 16) cp.signature[in.Below(cp.signature.size())] ^= in.U8() | 1;
    if (how & 32) cp.key_id = in.String(20);
  } else {
    cp.body = (how & 8) ? CheckpointBody(cp.origin, cp.seq, cp.head_hash)
                        : in.String(96);
    cp.signature = in.String(80);
    cp.key_id = (how & 16) ? FuzzVerifier().key_id() : in.String(20);
  }
  return cp;
}

void CheckCheckpoint(FuzzBytes& in, const VerifyResult& chain,
                     const Expected& x) {
  std::optional<Checkpoint> genuine;
  const Checkpoint cp = DecodeCheckpoint(in, x, genuine);
  const absl::Status verified = VerifyCheckpoint(cp, FuzzVerifier());
  if (!verified.ok()) {
    CG_FUZZ_CHECK(verified.code() == absl::StatusCode::kDataLoss);
    return;
  }
  // Only what the key holder signed verifies, and only with its own body.
  CG_FUZZ_CHECK(genuine.has_value() && cp.origin == genuine->origin &&
                cp.seq == genuine->seq && cp.head_hash == genuine->head_hash &&
                cp.body == genuine->body);
  CG_FUZZ_CHECK(cp.key_id.empty() || cp.key_id == FuzzVerifier().key_id());
  std::optional<Hash256> hash;
  if (auto it = x.hashes.find(cp.seq); it != x.hashes.end()) hash = it->second;
  if (cp.seq == 0) hash = Hash256{};
  const absl::Status matched =
      CheckCheckpointAgainstChain(cp, chain.verified_through_seq, hash);
  const bool should_match = cp.seq <= chain.verified_through_seq &&
                            hash.has_value() && *hash == cp.head_hash;
  CG_FUZZ_CHECK(matched.ok() == should_match);
}

}  // namespace

void RunAdversarialLog(FuzzBytes& in) {
  Expected x;
  std::optional<ChainVerifier> anchored;
  if (in.Bool()) {
    // A trusted anchor: a realistic seq and any hash.
    const int64_t anchor_seq = static_cast<int64_t>(in.U32()) << in.U8() % 31;
    x.head = DecodeHash(in);
    x.next_seq = anchor_seq + 1;
    x.hashes[anchor_seq] = x.head;
    anchored.emplace(anchor_seq, x.head);
  }
  ChainVerifier verifier = anchored.value_or(ChainVerifier());
  const int n = in.U8() % (kMaxEvents + 1);
  int64_t next_seq = x.next_seq;
  Hash256 last_hash = x.head;
  for (int i = 0; i < n; ++i) {
    const AuditEvent e = DecodeLogEvent(in, next_seq, last_hash);
    FeedEvent(e, verifier, x);
    next_seq = Add(e.seq, 1);
    last_hash = e.hash;
  }
  const VerifyResult& r = verifier.result();
  CG_FUZZ_CHECK(r.ok == !x.failed);
  CG_FUZZ_CHECK(r.verified_through_seq == x.next_seq - 1);
  CG_FUZZ_CHECK(verifier.head_hash() == x.head);
  if (in.Bool()) CheckCheckpoint(in, r, x);
}

}  // namespace caregate::fuzz
