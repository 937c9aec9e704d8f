#include "services/audit/audit_chain.h"

#include <cassert>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "services/common/proto_time.h"
#include "services/crypto/sha256.h"

namespace caregate {
namespace {

// A per-thread buffer larger than this is released after use, so one huge
// event does not pin memory.
constexpr size_t kMaxRetainedBuffer = 64 * 1024;

// Counts the bytes SerializeEvent writes; same interface as ByteWriter.
class ByteCounter {
 public:
  void Int(int64_t) { size_ += 8; }
  void Count(size_t) { size_ += 4; }
  void String(std::string_view s) { size_ += 4 + s.size(); }
  size_t size() const { return size_; }

 private:
  size_t size_ = 0;
};

// Writes the canonical encodings of docs/audit-log.md into a buffer that
// ByteCounter sized.
class ByteWriter {
 public:
  explicit ByteWriter(char* out) : p_(out) {}

  // 8-byte big-endian two's complement.
  void Int(int64_t value) {
    uint64_t v = static_cast<uint64_t>(value);
    for (int i = 7; i >= 0; --i, v >>= 8) p_[i] = static_cast<char>(v);
    p_ += 8;
  }
  // 4-byte big-endian unsigned: string lengths and repeated-field counts.
  void Count(size_t n) {
    const auto v = static_cast<uint32_t>(n);
    p_[0] = static_cast<char>(v >> 24);
    p_[1] = static_cast<char>(v >> 16);
    p_[2] = static_cast<char>(v >> 8);
    p_[3] = static_cast<char>(v);
    p_ += 4;
  }
  void String(std::string_view s) {
    Count(s.size());
    if (!s.empty()) std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  const char* end() const { return p_; }

 private:
  char* p_;
};

// The one definition of the canonical field order, for both passes.
template <typename Sink>
void SerializeEvent(const AuditEvent& e, Sink& out) {
  out.String(kAuditEventDomainTag);
  out.Int(e.seq);
  out.Int(ToUnixMicrosClamped(e.time));
  out.String(e.actor_principal_id);
  out.Int(e.actor_role);
  out.String(e.actor_org_id);
  out.Int(e.action);
  out.String(e.practice_org_id);
  out.String(e.patient_id);
  out.String(e.recipient_org_id);
  out.Int(e.purpose);
  out.Count(e.categories.size());
  for (v1::Category c : e.categories) out.Int(c);
  out.Count(e.consent_ids.size());
  for (const std::string& id : e.consent_ids) out.String(id);
  out.Int(e.outcome);
  out.Count(e.reasons.size());
  for (v1::DenialReason r : e.reasons) out.Int(r);
  out.String(e.content_sha256);
  out.String(e.request_id);
  out.String(e.subject_id);
  out.String(e.detail);
}

size_t CanonicalSize(const AuditEvent& event) {
  ByteCounter counter;
  SerializeEvent(event, counter);
  return counter.size();
}

// Writes the canonical bytes at `out`, which has CanonicalSize() bytes.
void WriteCanonical(const AuditEvent& event, char* out) {
  ByteWriter writer(out);
  SerializeEvent(event, writer);
  assert(writer.end() == out + CanonicalSize(event));
}

}  // namespace

std::string CanonicalEventBytes(const AuditEvent& event) {
  std::string out(CanonicalSize(event), '\0');
  WriteCanonical(event, out.data());
  return out;
}

Hash256 ComputeEventHash(const Hash256& prev_hash, const AuditEvent& event) {
  thread_local std::string buffer;
  const size_t size = prev_hash.size() + CanonicalSize(event);
  if (buffer.size() < size) buffer.resize(size);
  std::memcpy(buffer.data(), prev_hash.data(), prev_hash.size());
  WriteCanonical(event, buffer.data() + prev_hash.size());
  const Hash256 hash = Sha256(std::string_view(buffer.data(), size));
  if (buffer.size() > kMaxRetainedBuffer) std::string().swap(buffer);
  return hash;
}

AuditChain::AuditChain(int64_t head_seq, const Hash256& head_hash)
    : head_seq_(head_seq), head_hash_(head_hash) {}

void AuditChain::Append(AuditEvent* event) {
  event->time = absl::FromUnixMicros(ToUnixMicrosClamped(event->time));
  event->seq = head_seq_ + 1;
  event->prev_hash = head_hash_;
  event->hash = ComputeEventHash(head_hash_, *event);
  head_seq_ = event->seq;
  head_hash_ = event->hash;
}

ChainVerifier::ChainVerifier(int64_t anchor_seq, const Hash256& anchor_hash)
    : expected_seq_(anchor_seq + 1), head_hash_(anchor_hash) {
  result_.verified_through_seq = anchor_seq;
}

bool ChainVerifier::Add(const AuditEvent& event) {
  if (!result_.ok) return false;
  if (event.seq != expected_seq_) {
    Fail(event.seq,
         absl::StrCat("seq ", event.seq, ": expected seq ", expected_seq_,
                      " (event missing or reordered)"));
    return false;
  }
  if (event.prev_hash != head_hash_) {
    Fail(event.seq,
         event.seq == 1
             ? std::string("seq 1: prev_hash is not 32 zero bytes")
             : absl::StrCat("seq ", event.seq,
                            ": prev_hash does not match hash of seq ",
                            event.seq - 1));
    return false;
  }
  if (ComputeEventHash(event.prev_hash, event) != event.hash) {
    Fail(event.seq, absl::StrCat("seq ", event.seq,
                                 ": hash mismatch (event content changed)"));
    return false;
  }
  head_hash_ = event.hash;
  result_.verified_through_seq = event.seq;
  ++expected_seq_;
  return true;
}

void ChainVerifier::Fail(int64_t seq, std::string problem) {
  result_.ok = false;
  result_.first_bad_seq = seq;
  result_.problem = std::move(problem);
}

}  // namespace caregate
