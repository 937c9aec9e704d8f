// RunTamperedLog (audit_fuzz_modes.h): a valid log and its signed checkpoint,
// tampered with as the input says; the verifier must not be fooled.
#include <string>
#include <utility>
#include <vector>

#include "services/audit/audit_chain.h"
#include "services/audit/checkpoint.h"
#include "tests/fuzz/audit_fuzz_modes.h"
#include "tests/fuzz/audit_fuzz_support.h"
#include "tests/fuzz/fuzz_check.h"

namespace caregate::fuzz {
namespace {

constexpr int kMaxEvents = 16;
constexpr int kMaxTamperings = 6;
constexpr char kOrigin[] = "caregate.local/audit";

struct Scenario {
  std::vector<AuditEvent> original;
  std::vector<Checkpoint> signed_checkpoints;  // all of the original log
  std::vector<AuditEvent> log;                 // the tampered copy
  Checkpoint checkpoint;                       // the tampered checkpoint
  bool hashes_recomputed = false;  // the attacker recomputed some hash
};

Checkpoint SignOriginal(Scenario& s, int64_t seq) {
  const Hash256 head = seq == 0 ? Hash256{} : s.original[seq - 1].hash;
  Checkpoint cp =
      SignCheckpoint(kOrigin, seq, head, absl::UnixEpoch(), FuzzSigner());
  s.signed_checkpoints.push_back(cp);
  return cp;
}

// Recomputes prev_hash and hash from position `from` on, as an attacker who
// rewrites the tail would; `renumber` also makes the seqs consecutive.
void Rehash(std::vector<AuditEvent>& log, size_t from, bool renumber) {
  for (size_t i = from; i < log.size(); ++i) {
    if (renumber) log[i].seq = static_cast<int64_t>(i) + 1;
    log[i].prev_hash = i == 0 ? Hash256{} : log[i - 1].hash;
    log[i].hash = ComputeEventHash(log[i].prev_hash, log[i]);
  }
}

void FlipByte(FuzzBytes& in, std::string& s) {
  if (!s.empty()) s[in.Below(s.size())] ^= static_cast<char>(in.U8() | 1);
}

void TamperCheckpoint(FuzzBytes& in, Scenario& s) {
  Checkpoint& cp = s.checkpoint;
  switch (in.U8() % 7) {
    case 0:
      cp.origin = in.String(24);
      break;
    case 1:
      cp.seq = in.Bool() ? in.U8() % (kMaxEvents + 2) : in.I64();
      break;
    case 2:
      cp.head_hash[in.Below(32)] ^= in.U8() | 1;
      break;
    case 3:
      cp.time = absl::FromUnixSeconds(in.I64() % 1000000000000);
      break;
    case 4:
      FlipByte(in, cp.body);
      break;
    case 5:
      FlipByte(in, cp.signature);
      break;
    default:
      cp.key_id = in.String(20);
      break;
  }
}

void Tamper(FuzzBytes& in, Scenario& s) {
  std::vector<AuditEvent>& log = s.log;
  const size_t k = in.Below(log.size() + 1);  // a position, or the end
  const bool at_event = k < log.size();
  switch (in.U8() % 10) {
    case 0:
      if (at_event) MutateField(in, in.Below(kAuditEventFields), log[k]);
      break;
    case 1:
      if (at_event) log.erase(log.begin() + k);
      break;
    case 2:
      if (at_event) std::swap(log[k], log[in.Below(log.size())]);
      break;
    case 3: {  // an event forged with raw or recomputed hashes
      AuditEvent forged = DecodeEventContent(in);
      forged.seq = static_cast<int64_t>(k) + 1;
      forged.prev_hash = k == 0 ? Hash256{} : log[k - 1].hash;
      if (in.Bool()) {
        forged.hash = DecodeHash(in);
      } else {
        forged.hash = ComputeEventHash(forged.prev_hash, forged);
        s.hashes_recomputed = true;
      }
      log.insert(log.begin() + k, std::move(forged));
      break;
    }
    case 4:
      log.resize(k);
      break;
    case 5:
      if (at_event) log.insert(log.begin() + k, log[k]);
      break;
    case 6:
      if (at_event) log[k].prev_hash[in.Below(32)] ^= in.U8() | 1;
      break;
    case 7:
      if (at_event) log[k].hash[in.Below(32)] ^= in.U8() | 1;
      break;
    case 8:
      Rehash(log, k, in.Bool());
      s.hashes_recomputed = true;
      break;
    default:
      if (in.Bool()) {
        TamperCheckpoint(in, s);
      } else {  // roll back to an older genuine checkpoint
        s.checkpoint = SignOriginal(s, in.Below(s.original.size() + 1));
      }
      break;
  }
}

bool IsSigned(const Scenario& s, const Checkpoint& cp, bool intact) {
  for (const Checkpoint& g : s.signed_checkpoints) {
    if (cp.origin != g.origin || cp.seq != g.seq ||
        cp.head_hash != g.head_hash) {
      continue;
    }
    if (!intact) return true;
    if (cp.body == g.body && cp.signature == g.signature &&
        (cp.key_id.empty() || cp.key_id == g.key_id)) {
      return true;
    }
  }
  return false;
}

// log[i] equals original[i] for every i < n (both must have n events).
bool SamePrefix(const Scenario& s, size_t n) {
  if (s.log.size() < n || s.original.size() < n) return false;
  for (size_t i = 0; i < n; ++i) {
    if (!SameEvent(s.log[i], s.original[i], /*with_hashes=*/true)) return false;
  }
  return true;
}

// Whether the tampered log holds an event that is not one of the original's
// yet carries its own correct hash: the attacker computed it, however the
// bytes got there (a "raw" hash the input supplies can be the right one:
// libFuzzer learns it from the comparison with the computed hash).
bool HoldsAForgedValidHash(const Scenario& s) {
  for (const AuditEvent& event : s.log) {
    bool original = false;
    for (const AuditEvent& o : s.original) {
      original = original || SameEvent(event, o, /*with_hashes=*/true);
    }
    if (!original && event.hash == ComputeEventHash(event.prev_hash, event)) {
      return true;
    }
  }
  return false;
}

void CheckVerdict(const Scenario& s, const LogVerdict& verdict) {
  // The documented claim of the canonical form: different events never
  // serialize to the same bytes.
  for (size_t i = 0; i < s.log.size() && i < s.original.size(); ++i) {
    if (CanonicalEventBytes(s.log[i]) == CanonicalEventBytes(s.original[i])) {
      CG_FUZZ_CHECK(SameEvent(s.log[i], s.original[i], false));
    }
  }
  const bool untouched =
      s.log.size() == s.original.size() && SamePrefix(s, s.original.size());
  if (untouched) CG_FUZZ_CHECK(verdict.chain.ok);
  if (untouched && IsSigned(s, s.checkpoint, /*intact=*/true)) {
    CG_FUZZ_CHECK(verdict.accepted());
  }
  if (!verdict.accepted()) return;
  // Accepted: the checkpoint is one the key holder signed, and the log still
  // holds every event it covers, unchanged.
  CG_FUZZ_CHECK(IsSigned(s, s.checkpoint, /*intact=*/false));
  CG_FUZZ_CHECK(SamePrefix(s, static_cast<size_t>(s.checkpoint.seq)));
  // Without recomputed hashes nothing at all can change undetected: the log
  // is the original or a truncation of it.
  if (!s.hashes_recomputed && !HoldsAForgedValidHash(s)) {
    CG_FUZZ_CHECK(s.log.size() <= s.original.size() &&
                  SamePrefix(s, s.log.size()));
  }
}

}  // namespace

void RunTamperedLog(FuzzBytes& in) {
  Scenario s;
  AuditChain chain;
  const int n = in.U8() % (kMaxEvents + 1);
  for (int i = 0; i < n; ++i) {
    s.original.push_back(DecodeEventContent(in));
    chain.Append(&s.original.back());
  }
  s.log = s.original;
  s.checkpoint = SignOriginal(s, in.Below(s.original.size() + 1));
  const int tamperings = in.U8() % (kMaxTamperings + 1);
  for (int i = 0; i < tamperings; ++i) Tamper(in, s);
  CheckVerdict(s, VerifyLog(s.log, &s.checkpoint));
}

}  // namespace caregate::fuzz
