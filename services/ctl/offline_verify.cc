#include "services/ctl/offline_verify.h"

#include <cstring>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "services/audit/audit_chain.h"
#include "services/audit/checkpoint.h"
#include "services/common/absl_compat.h"
#include "services/common/proto_time.h"

namespace caregate::ctl {
namespace {

absl::StatusOr<Hash256> ToHash(const std::string& bytes, int64_t seq,
                               std::string_view field) {
  Hash256 hash{};
  if (bytes.size() != hash.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("seq ", seq, ": ", AsAbsl(field), " is ", bytes.size(),
                     " bytes, not 32"));
  }
  std::memcpy(hash.data(), bytes.data(), hash.size());
  return hash;
}

absl::StatusOr<absl::Time> ToTime(const google::protobuf::Timestamp& ts,
                                  int64_t seq) {
  absl::StatusOr<absl::Time> t = FromProtoTime(ts, "time");
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("seq ", seq, ": ", t.status().message()));
  }
  return t;
}

OfflineReport Bad(OfflineReport report, int64_t seq, std::string problem) {
  report.ok = false;
  report.first_bad_seq = seq;
  report.problem = std::move(problem);
  return report;
}

// A checkpoint problem: the first bad seq and what is wrong.
struct CheckpointProblem {
  int64_t seq = 0;
  std::string text;
};

// Checks one checkpoint: its signature with `verifier`, then that the events
// (verified through report.verified_through_seq) hold its head hash at its
// seq; `hashes` maps each checkpoint's seq to the hash recorded there.
std::optional<CheckpointProblem> CheckCheckpoint(
    const v1::Checkpoint& proto, const Ed25519Verifier& verifier,
    const OfflineReport& report, const std::map<int64_t, Hash256>& hashes) {
  absl::StatusOr<Checkpoint> checkpoint = CheckpointFromProto(proto);
  absl::Status status = checkpoint.status();
  if (status.ok()) status = VerifyCheckpoint(*checkpoint, verifier);
  if (!status.ok()) {
    return CheckpointProblem{
        proto.seq(), absl::StrCat(status.message(), " (checkpoint at seq ",
                                  proto.seq(), ")")};
  }
  const int64_t last = report.verified_through_seq;
  std::optional<Hash256> hash;
  if (proto.seq() == 0) hash = Hash256{};
  if (proto.seq() > 0 && proto.seq() <= last) hash = hashes.at(proto.seq());
  status = CheckCheckpointAgainstChain(*checkpoint, last, hash);
  if (status.ok()) return std::nullopt;
  // As VerifyAuditLog: a log cut short is bad from its first missing seq.
  return CheckpointProblem{proto.seq() > last ? last + 1 : proto.seq(),
                           std::string(status.message())};
}

}  // namespace

absl::StatusOr<AuditEvent> AuditEventFromProto(const v1::AuditEvent& p) {
  AuditEvent e;
  e.seq = p.seq();
  absl::StatusOr<absl::Time> time = ToTime(p.time(), p.seq());
  if (!time.ok()) return time.status();
  e.time = *time;
  e.actor_principal_id = p.actor_principal_id();
  e.actor_role = p.actor_role();
  e.actor_org_id = p.actor_org_id();
  e.action = p.action();
  e.practice_org_id = p.practice_org_id();
  e.patient_id = p.patient_id();
  e.recipient_org_id = p.recipient_org_id();
  e.purpose = p.purpose();
  for (int c : p.categories())
    e.categories.push_back(static_cast<v1::Category>(c));
  e.consent_ids.assign(p.consent_ids().begin(), p.consent_ids().end());
  e.outcome = p.outcome();
  for (int r : p.reasons())
    e.reasons.push_back(static_cast<v1::DenialReason>(r));
  e.content_sha256 = p.content_sha256();
  e.request_id = p.request_id();
  e.subject_id = p.subject_id();
  e.detail = p.detail();
  absl::StatusOr<Hash256> prev = ToHash(p.prev_hash(), p.seq(), "prev_hash");
  if (!prev.ok()) return prev.status();
  absl::StatusOr<Hash256> hash = ToHash(p.hash(), p.seq(), "hash");
  if (!hash.ok()) return hash.status();
  e.prev_hash = *prev;
  e.hash = *hash;
  return e;
}

absl::StatusOr<Checkpoint> CheckpointFromProto(const v1::Checkpoint& p) {
  Checkpoint c;
  c.origin = p.origin();
  c.seq = p.seq();
  absl::StatusOr<Hash256> head = ToHash(p.head_hash(), p.seq(), "head_hash");
  if (!head.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint ", head.status().message()));
  }
  c.head_hash = *head;
  if (!IsUnset(p.time())) {
    absl::StatusOr<absl::Time> time = ToTime(p.time(), p.seq());
    if (!time.ok()) return time.status();
    c.time = *time;
  }
  c.body = p.body();
  c.signature = p.signature();
  c.key_id = p.key_id();
  return c;
}

OfflineReport VerifyAuditExport(const v1::AuditExport& x,
                                const Ed25519Verifier& verifier,
                                bool allow_unsigned_tail) {
  OfflineReport report;
  report.event_count = x.events_size();
  const int64_t checkpoint_seq = x.checkpoint().seq();
  // The hash of the event at each checkpoint's seq, recorded while walking.
  std::map<int64_t, Hash256> hashes;
  for (const v1::Checkpoint& c : x.checkpoints()) hashes[c.seq()] = Hash256{};
  hashes[checkpoint_seq] = Hash256{};
  ChainVerifier chain;
  for (const v1::AuditEvent& proto : x.events()) {
    absl::StatusOr<AuditEvent> event = AuditEventFromProto(proto);
    if (!event.ok()) {
      report.verified_through_seq = chain.result().verified_through_seq;
      return Bad(report, proto.seq(), std::string(event.status().message()));
    }
    if (!chain.Add(*event)) {
      const VerifyResult& r = chain.result();
      report.verified_through_seq = r.verified_through_seq;
      return Bad(report, r.first_bad_seq, r.problem);
    }
    if (auto it = hashes.find(event->seq); it != hashes.end()) {
      it->second = event->hash;
    }
    if (event->seq > checkpoint_seq) ++report.events_after_checkpoint;
  }
  report.verified_through_seq = chain.result().verified_through_seq;
  if (!x.has_checkpoint()) {
    return Bad(report, 0, "the export has no checkpoint");
  }
  // Every checkpoint the gateway had signed, then the export's own.
  for (const v1::Checkpoint& c : x.checkpoints()) {
    if (auto problem = CheckCheckpoint(c, verifier, report, hashes)) {
      return Bad(report, problem->seq, std::move(problem->text));
    }
  }
  if (auto problem =
          CheckCheckpoint(x.checkpoint(), verifier, report, hashes)) {
    return Bad(report, problem->seq, std::move(problem->text));
  }
  report.checkpoint_seq = checkpoint_seq;
  report.key_id = verifier.key_id();
  if (report.events_after_checkpoint > 0 && !allow_unsigned_tail) {
    report.verified_through_seq = checkpoint_seq;
    return Bad(report, checkpoint_seq + 1,
               absl::StrCat(report.events_after_checkpoint,
                            " events after the checkpoint at seq ",
                            checkpoint_seq,
                            " are not covered by any signature"));
  }
  report.ok = true;
  return report;
}

std::string AuditExportToJson(const v1::AuditExport& x) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(x, &json, options).ok()) {
    return "{}\n";
  }
  if (json.empty() || json.back() != '\n') json += "\n";
  return json;
}

absl::StatusOr<v1::AuditExport> AuditExportFromJson(std::string_view json) {
  v1::AuditExport x;
  auto status = google::protobuf::util::JsonStringToMessage(
      std::string(json), &x, google::protobuf::util::JsonParseOptions());
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not an audit export (protobuf JSON): ",
        std::string(status.message().data(), status.message().size())));
  }
  return x;
}

}  // namespace caregate::ctl
