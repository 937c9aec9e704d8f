#include "tests/fuzz/audit_fuzz_support.h"

#include <cstring>
#include <memory>
#include <string>

#include "services/audit/checkpoint.h"
#include "services/common/proto_time.h"
#include "services/crypto/sha256.h"
#include "tests/fuzz/fuzz_check.h"

namespace caregate::fuzz {
namespace {

// Generated for the fuzzer with `openssl genpkey -algorithm ed25519`; it
// signs nothing but fuzz checkpoints.
constexpr char kFuzzPrivateKeyPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIBMatNUYP/MyfXn+wv6c3chXj+NA+/T1riMJi21pGE4q\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kFuzzPublicKeyPem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAm7PyR3uR+2/u6/nSUpwN8PX3cYQryrKDrHMggrGR71M=\n"
    "-----END PUBLIC KEY-----\n";

constexpr size_t kMaxString = 48;

absl::Time DecodeTime(FuzzBytes& in) {
  switch (in.U8() % 8) {
    case 0:
      return absl::InfinitePast();
    case 1:
      return absl::InfiniteFuture();
    case 2:
      return absl::FromUnixSeconds(in.I64()) +
             absl::Nanoseconds(in.U32() % 1000000000);
    default:
      return absl::FromUnixMicros(in.I64()) +
             absl::Nanoseconds(in.U16() % 1000);
  }
}

template <typename Enum>
Enum DecodeEnum(FuzzBytes& in) {
  // Small values (the defined ones) most of the time, any int32 otherwise.
  const uint8_t b = in.U8();
  return static_cast<Enum>(b < 0xf0 ? b % 16 : in.I32());
}

template <typename Enum>
std::vector<Enum> DecodeEnums(FuzzBytes& in) {
  std::vector<Enum> out(in.U8() % 5);
  for (Enum& e : out) e = DecodeEnum<Enum>(in);
  return out;
}

std::vector<std::string> DecodeStrings(FuzzBytes& in) {
  std::vector<std::string> out(in.U8() % 4);
  for (std::string& s : out) s = in.String(kMaxString);
  return out;
}

}  // namespace

const Ed25519Signer& FuzzSigner() {
  static const Ed25519Signer* signer = [] {
    auto s = Ed25519Signer::FromPem(kFuzzPrivateKeyPem);
    CG_FUZZ_CHECK(s.ok());
    return s->release();
  }();
  return *signer;
}

const Ed25519Verifier& FuzzVerifier() {
  static const Ed25519Verifier* verifier = [] {
    auto v = Ed25519Verifier::FromPem(kFuzzPublicKeyPem);
    CG_FUZZ_CHECK(v.ok());
    return v->release();
  }();
  return *verifier;
}

void MutateField(FuzzBytes& in, int field, AuditEvent& e) {
  switch (field) {
    case 0:
      e.seq = in.I64();
      break;
    case 1:
      e.time = DecodeTime(in);
      break;
    case 2:
      e.actor_principal_id = in.String(kMaxString);
      break;
    case 3:
      e.actor_role = DecodeEnum<v1::Role>(in);
      break;
    case 4:
      e.actor_org_id = in.String(kMaxString);
      break;
    case 5:
      e.action = DecodeEnum<v1::AuditAction>(in);
      break;
    case 6:
      e.practice_org_id = in.String(kMaxString);
      break;
    case 7:
      e.patient_id = in.String(kMaxString);
      break;
    case 8:
      e.recipient_org_id = in.String(kMaxString);
      break;
    case 9:
      e.purpose = DecodeEnum<v1::Purpose>(in);
      break;
    case 10:
      e.categories = DecodeEnums<v1::Category>(in);
      break;
    case 11:
      e.consent_ids = DecodeStrings(in);
      break;
    case 12:
      e.outcome = DecodeEnum<v1::DecisionOutcome>(in);
      break;
    case 13:
      e.reasons = DecodeEnums<v1::DenialReason>(in);
      break;
    case 14:
      e.content_sha256 = in.String(64);
      break;
    case 15:
      e.request_id = in.String(kMaxString);
      break;
    case 16:
      e.subject_id = in.String(kMaxString);
      break;
    default:
      // Now and then one large enough for ComputeEventHash's buffer release.
      e.detail = in.U8() == 0xff ? std::string(60000 + in.U16(), 'd')
                                 : in.String(kMaxString);
      break;
  }
}

AuditEvent DecodeEventContent(FuzzBytes& in) {
  AuditEvent e;
  for (int field = 1; field < kAuditEventFields; ++field) {
    MutateField(in, field, e);
  }
  return e;
}

Hash256 DecodeHash(FuzzBytes& in) {
  Hash256 h{};
  const std::string bytes = in.Bytes(h.size());
  std::memcpy(h.data(), bytes.data(), bytes.size());
  return h;
}

bool SameEvent(const AuditEvent& a, const AuditEvent& b, bool with_hashes) {
  const bool same =
      a.seq == b.seq &&
      ToUnixMicrosClamped(a.time) == ToUnixMicrosClamped(b.time) &&
      a.actor_principal_id == b.actor_principal_id &&
      a.actor_role == b.actor_role && a.actor_org_id == b.actor_org_id &&
      a.action == b.action && a.practice_org_id == b.practice_org_id &&
      a.patient_id == b.patient_id &&
      a.recipient_org_id == b.recipient_org_id && a.purpose == b.purpose &&
      a.categories == b.categories && a.consent_ids == b.consent_ids &&
      a.outcome == b.outcome && a.reasons == b.reasons &&
      a.content_sha256 == b.content_sha256 && a.request_id == b.request_id &&
      a.subject_id == b.subject_id && a.detail == b.detail;
  return same &&
         (!with_hashes || (a.prev_hash == b.prev_hash && a.hash == b.hash));
}

Hash256 ReferenceEventHash(const Hash256& prev_hash, const AuditEvent& event) {
  std::string input(reinterpret_cast<const char*>(prev_hash.data()),
                    prev_hash.size());
  input += CanonicalEventBytes(event);
  return Sha256(input);
}

LogVerdict VerifyLog(const std::vector<AuditEvent>& events,
                     const Checkpoint* checkpoint) {
  ChainVerifier verifier;
  std::optional<Hash256> checkpoint_hash;
  if (checkpoint != nullptr && checkpoint->seq == 0)
    checkpoint_hash = Hash256{};
  for (const AuditEvent& event : events) {
    if (!verifier.Add(event)) break;
    if (checkpoint != nullptr && event.seq == checkpoint->seq) {
      checkpoint_hash = event.hash;
    }
  }
  LogVerdict verdict{verifier.result(), absl::OkStatus()};
  if (checkpoint != nullptr && verdict.chain.ok) {
    verdict.checkpoint = VerifyCheckpoint(*checkpoint, FuzzVerifier());
    if (verdict.checkpoint.ok()) {
      verdict.checkpoint = CheckCheckpointAgainstChain(
          *checkpoint, verdict.chain.verified_through_seq, checkpoint_hash);
    }
  }
  return verdict;
}

}  // namespace caregate::fuzz
