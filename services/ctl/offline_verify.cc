#include "services/ctl/offline_verify.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <map>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/wire_format_lite.h"
#include "services/audit/audit_chain.h"
#include "services/audit/checkpoint.h"
#include "services/common/absl_compat.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"

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

// What ChainVerifier reports for events [begin, end), anchored at the
// event before `begin` as the export gives it (that event's own hash is
// checked by the range before). Appends to `found` the hash at each seq
// that is a key of `wanted`.
VerifyResult VerifyEventRange(const ExportEvents& events, int begin, int end,
                              const std::map<int64_t, Hash256>& wanted,
                              std::vector<std::pair<int64_t, Hash256>>* found,
                              std::vector<Hash256>* all) {
  v1::AuditEvent scratch;  // reused: its strings keep their buffers
  ChainVerifier chain;
  // A malformed anchor fails in the range before, which is reported first.
  if (begin > 0) {
    if (const v1::AuditEvent* anchor = events.Get(begin - 1, scratch)) {
      absl::StatusOr<Hash256> hash =
          ToHash(anchor->hash(), anchor->seq(), "hash");
      chain = ChainVerifier(anchor->seq(), hash.ok() ? *hash : Hash256{});
    }
  }
  AuditEvent event;  // reused too
  for (int i = begin; i < end; ++i) {
    const v1::AuditEvent* parsed = events.Get(i, scratch);
    if (parsed == nullptr) {
      VerifyResult bad = chain.result();
      bad.ok = false;
      bad.first_bad_seq = bad.verified_through_seq + 1;
      bad.problem = absl::StrCat("event ", i + 1,
                                 " of the export is not a valid "
                                 "caregate.v1.AuditEvent");
      return bad;
    }
    const v1::AuditEvent& proto = *parsed;
    if (absl::Status status = AuditEventFromProtoInto(proto, &event);
        !status.ok()) {
      VerifyResult bad = chain.result();
      bad.ok = false;
      bad.first_bad_seq = proto.seq();
      bad.problem = std::string(status.message());
      return bad;
    }
    if (!chain.Add(event)) return chain.result();
    if (wanted.contains(event.seq)) found->emplace_back(event.seq, event.hash);
    if (all != nullptr) all->push_back(event.hash);
  }
  return chain.result();
}

// The events split into one range per core, verified at once; reports what
// one ChainVerifier over all of them would: the first range's problem, else
// the last range's verified seq.
VerifyResult VerifyEventsInParallel(const ExportEvents& events,
                                    std::map<int64_t, Hash256>& hashes,
                                    std::vector<Hash256>* event_hashes) {
  constexpr int kMinEventsPerRange = 4096;
  const int n = events.size();
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  const int ranges =
      std::clamp(n / kMinEventsPerRange, 1, std::clamp(cores, 1, 16));
  const auto bound = [&](int r) {
    return static_cast<int>(static_cast<int64_t>(n) * r / ranges);
  };
  std::vector<VerifyResult> results(ranges);
  std::vector<std::vector<std::pair<int64_t, Hash256>>> found(ranges);
  std::vector<std::vector<Hash256>> all(event_hashes != nullptr ? ranges : 0);
  const auto all_of = [&](int r) {
    return event_hashes != nullptr ? &all[r] : nullptr;
  };
  std::vector<std::thread> threads;
  for (int r = 1; r < ranges; ++r) {
    threads.emplace_back([&, r] {
      results[r] = VerifyEventRange(events, bound(r), bound(r + 1), hashes,
                                    &found[r], all_of(r));
    });
  }
  results[0] =
      VerifyEventRange(events, 0, bound(1), hashes, &found[0], all_of(0));
  for (std::thread& t : threads) t.join();
  for (const auto& range : found) {
    for (const auto& [seq, hash] : range) hashes[seq] = hash;
  }
  for (VerifyResult& result : results) {
    if (!result.ok) return std::move(result);
  }
  if (event_hashes != nullptr) {
    event_hashes->clear();
    event_hashes->reserve(n);
    for (const auto& range : all) {
      event_hashes->insert(event_hashes->end(), range.begin(), range.end());
    }
  }
  return std::move(results.back());
}

}  // namespace

absl::Status AuditEventFromProtoInto(const v1::AuditEvent& p, AuditEvent* e) {
  e->seq = p.seq();
  absl::StatusOr<absl::Time> time = ToTime(p.time(), p.seq());
  if (!time.ok()) return time.status();
  e->time = *time;
  e->actor_principal_id = p.actor_principal_id();
  e->actor_role = p.actor_role();
  e->actor_org_id = p.actor_org_id();
  e->action = p.action();
  e->practice_org_id = p.practice_org_id();
  e->patient_id = p.patient_id();
  e->recipient_org_id = p.recipient_org_id();
  e->purpose = p.purpose();
  e->categories.clear();
  for (int c : p.categories())
    e->categories.push_back(static_cast<v1::Category>(c));
  e->consent_ids.assign(p.consent_ids().begin(), p.consent_ids().end());
  e->outcome = p.outcome();
  e->reasons.clear();
  for (int r : p.reasons())
    e->reasons.push_back(static_cast<v1::DenialReason>(r));
  e->content_sha256 = p.content_sha256();
  e->request_id = p.request_id();
  e->subject_id = p.subject_id();
  e->detail = p.detail();
  absl::StatusOr<Hash256> prev = ToHash(p.prev_hash(), p.seq(), "prev_hash");
  if (!prev.ok()) return prev.status();
  absl::StatusOr<Hash256> hash = ToHash(p.hash(), p.seq(), "hash");
  if (!hash.ok()) return hash.status();
  e->prev_hash = *prev;
  e->hash = *hash;
  return absl::OkStatus();
}

absl::StatusOr<AuditEvent> AuditEventFromProto(const v1::AuditEvent& p) {
  AuditEvent e;
  CG_RETURN_IF_ERROR(AuditEventFromProtoInto(p, &e));
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

const v1::AuditEvent* ExportEvents::Get(int i, v1::AuditEvent& scratch) const {
  if (parsed_ != nullptr) return &(*parsed_)[i];
  const std::string_view bytes = encoded_[i];
  if (!scratch.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return nullptr;
  }
  return &scratch;
}

OfflineReport VerifyAuditExport(const v1::AuditExport& x,
                                const Ed25519Verifier& verifier,
                                bool allow_unsigned_tail) {
  return VerifyAuditExport(x, ExportEvents(x), verifier, allow_unsigned_tail);
}

OfflineReport VerifyAuditExport(const v1::AuditExport& x,
                                const ExportEvents& events,
                                const Ed25519Verifier& verifier,
                                bool allow_unsigned_tail,
                                std::vector<Hash256>* event_hashes) {
  OfflineReport report;
  report.event_count = events.size();
  const int64_t checkpoint_seq = x.checkpoint().seq();
  // The hash of the event at each checkpoint's seq, recorded while walking.
  std::map<int64_t, Hash256> hashes;
  for (const v1::Checkpoint& c : x.checkpoints()) hashes[c.seq()] = Hash256{};
  hashes[checkpoint_seq] = Hash256{};
  const VerifyResult chain =
      VerifyEventsInParallel(events, hashes, event_hashes);
  report.verified_through_seq = chain.verified_through_seq;
  if (!chain.ok) return Bad(report, chain.first_bad_seq, chain.problem);
  // An intact chain holds seq 1 through events.size().
  report.events_after_checkpoint =
      std::max<int64_t>(0, events.size() - checkpoint_seq);
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
    return Bad(
        report, checkpoint_seq + 1,
        absl::StrCat(report.events_after_checkpoint,
                     " events after the checkpoint at seq ", checkpoint_seq,
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

namespace {

absl::Status ParseExportJson(std::string_view json, v1::AuditExport* x) {
  auto status = google::protobuf::util::JsonStringToMessage(
      std::string(json), x, google::protobuf::util::JsonParseOptions());
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "not an audit export (protobuf JSON): ",
      std::string(status.message().data(), status.message().size())));
}

}  // namespace

absl::StatusOr<v1::AuditExport> AuditExportFromJson(std::string_view json) {
  v1::AuditExport x;
  CG_RETURN_IF_ERROR(ParseExportJson(json, &x));
  return x;
}

std::string AuditExportToBinary(const v1::AuditExport& x) {
  std::string bytes;
  x.SerializeToString(&bytes);
  return bytes;
}

namespace {

// Splits a binary export: each encoded event (field 1) into `events`, every
// other field into `head`. False when the bytes are not protobuf fields.
bool SplitBinaryExport(std::string_view bytes, v1::AuditExport& head,
                       std::vector<std::string_view>& events) {
  namespace io = google::protobuf::io;
  using google::protobuf::internal::WireFormatLite;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  io::CodedInputStream in(data, static_cast<int>(bytes.size()));
  std::string rest;
  {
    io::StringOutputStream rest_stream(&rest);
    io::CodedOutputStream rest_out(&rest_stream);
    while (const uint32_t tag = in.ReadTag()) {
      if (tag ==
          WireFormatLite::MakeTag(v1::AuditExport::kEventsFieldNumber,
                                  WireFormatLite::WIRETYPE_LENGTH_DELIMITED)) {
        uint32_t length = 0;
        if (!in.ReadVarint32(&length)) return false;
        const int at = in.CurrentPosition();
        if (!in.Skip(static_cast<int>(length))) return false;
        events.emplace_back(bytes.data() + at, length);
      } else if (!WireFormatLite::SkipField(&in, tag, &rest_out)) {
        return false;
      }
    }
    if (!in.ConsumedEntireMessage()) return false;
  }
  return head.ParseFromString(rest);
}

}  // namespace

absl::StatusOr<std::unique_ptr<LoadedAuditExport>> LoadAuditExport(
    std::string bytes) {
  const size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return absl::InvalidArgumentError("not an audit export: the file is empty");
  }
  const bool looks_like_json = bytes[first] == '{';
  // A binary export's first event begins "\n" (0x0a, field 1) and then its
  // length, which may be '{' (123): only such a file is tried both ways.
  const bool may_be_binary =
      !looks_like_json || static_cast<unsigned char>(bytes[0]) == 0x0a;
  if (may_be_binary && bytes.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(
        "binary audit export larger than 2 GiB (protobuf's limit): export "
        "as JSON instead");
  }
  auto loaded = std::make_unique<LoadedAuditExport>();
  // Moved first: the events' views point into this string's buffer.
  loaded->bytes = std::move(bytes);
  if (may_be_binary) {
    std::vector<std::string_view> events;
    if (SplitBinaryExport(loaded->bytes, loaded->head, events)) {
      loaded->events = ExportEvents(std::move(events));
      return loaded;
    }
    if (!looks_like_json) {
      return absl::InvalidArgumentError(
          "not an audit export: neither protobuf JSON (it does not begin "
          "with '{') nor a binary caregate.v1.AuditExport");
    }
    loaded->head.Clear();
  }
  CG_RETURN_IF_ERROR(ParseExportJson(loaded->bytes, &loaded->head));
  std::string().swap(loaded->bytes);  // the parsed export holds its own copy
  loaded->events = ExportEvents(loaded->head);
  return loaded;
}

}  // namespace caregate::ctl
