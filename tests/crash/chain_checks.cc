#include "tests/crash/chain_checks.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "services/common/absl_compat.h"
#include "tests/crash/crash_fixtures.h"

namespace caregate::crash {
namespace {

constexpr int kMaxPages = 100000;

// Contiguous from seq 1, each prev_hash the hash before it.
void CheckLinked(const std::vector<v1::AuditEvent>& events, CheckFigures& f) {
  const std::string zero(32, '\0');
  for (size_t i = 0; i < events.size(); ++i) {
    const v1::AuditEvent& e = events[i];
    if (e.seq() != static_cast<int64_t>(i + 1)) {
      return f.Fail(absl::StrCat("API log: event ", i + 1, " has seq ", e.seq(),
                                 " (gap or reorder)"));
    }
    if (e.prev_hash() != (i == 0 ? zero : events[i - 1].hash())) {
      return f.Fail(
          absl::StrCat("API log: seq ", e.seq(), " prev_hash does not link"));
    }
  }
}

// Everything seen before is still there, unchanged.
void CheckGrowsOnly(const std::vector<v1::AuditEvent>& events,
                    const ChainMemory& memory, CheckFigures& f) {
  if (events.size() < memory.hashes.size()) {
    f.Fail(absl::StrCat("log shrank from ", memory.hashes.size(), " to ",
                        events.size(), " events"));
  }
  const size_t common = std::min(events.size(), memory.hashes.size());
  for (size_t i = 0; i < common; ++i) {
    if (events[i].hash() != memory.hashes[i]) {
      return f.Fail(
          absl::StrCat("fork: seq ", i + 1, " changed since the last check"));
    }
  }
  if (!memory.kill_head.has_value() || memory.kill_head->first == 0) return;
  const auto& [seq, hash] = *memory.kill_head;
  if (seq > static_cast<int64_t>(events.size()) ||
      events[seq - 1].hash() != hash) {
    f.Fail(absl::StrCat("fork: the head at the kill (seq ", seq,
                        ") is not part of the log after the restart"));
  }
}

void CheckVerified(const ApiView& api, const StoreView& store,
                   CheckFigures& f) {
  const v1::VerifyAuditLogResponse& v = api.verify;
  const int64_t head = static_cast<int64_t>(api.events.size());
  if (!v.ok()) {
    f.Fail(absl::StrCat("VerifyAuditLog not ok: first_bad_seq ",
                        v.first_bad_seq(), ": ", v.problem()));
  }
  if (v.verified_through_seq() < head) {
    f.Fail(absl::StrCat("VerifyAuditLog verified through ",
                        v.verified_through_seq(), " of ", head));
  }
  // The checkpoint may be newer than the last page read: compare it with the
  // file, read after the verification.
  const int64_t cp = v.checkpoint().seq();
  const auto& rows = store.event_hashes;
  if (cp > 0 && (cp > static_cast<int64_t>(rows.size()) ||
                 rows[cp - 1].second != v.checkpoint().head_hash())) {
    f.Fail(absl::StrCat("verified checkpoint at seq ", cp,
                        " does not match the log"));
  }
}

// The file holds the same chain, and every stored checkpoint is of it.
void CheckStoreChain(const ApiView& api, const StoreView& store,
                     CheckFigures& f) {
  const auto& rows = store.event_hashes;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].first != static_cast<int64_t>(i + 1)) {
      return f.Fail(
          absl::StrCat("file log: row ", i + 1, " has seq ", rows[i].first));
    }
  }
  if (rows.size() < api.events.size()) {
    return f.Fail(absl::StrCat("file log has ", rows.size(),
                               " events, the API showed ", api.events.size()));
  }
  for (size_t i = 0; i < api.events.size(); ++i) {
    if (rows[i].second != api.events[i].hash()) {
      return f.Fail(absl::StrCat("file and API differ at seq ", i + 1));
    }
  }
  for (const auto& [seq, head_hash] : store.checkpoints) {
    if (seq < 0 || seq > static_cast<int64_t>(rows.size()) ||
        (seq > 0 && rows[seq - 1].second != head_hash)) {
      f.Fail(absl::StrCat("stored checkpoint at seq ", seq,
                          " is not of this log"));
    }
  }
}

}  // namespace

absl::StatusOr<ApiView> ReadApi(const DevSetup& setup) {
  return ReadApi(setup.Channel(kCompliance));
}

absl::StatusOr<ApiView> ReadApi(
    const std::shared_ptr<grpc::Channel>& compliance) {
  auto stub = v1::AuditService::NewStub(compliance);
  ApiView view;
  std::string token;
  for (int page = 0; page < kMaxPages; ++page) {
    v1::QueryAuditEventsRequest request;
    request.set_page_size(1000);
    request.set_page_token(token);
    v1::QueryAuditEventsResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    const grpc::Status s = stub->QueryAuditEvents(&ctx, request, &response);
    if (!s.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "QueryAuditEvents: ", s.error_code(), " ", s.error_message()));
    }
    for (v1::AuditEvent& e : *response.mutable_events()) {
      view.events.push_back(std::move(e));
    }
    token = response.next_page_token();
    if (token.empty()) break;
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  const grpc::Status s =
      stub->VerifyAuditLog(&ctx, v1::VerifyAuditLogRequest(), &view.verify);
  if (!s.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "VerifyAuditLog: ", s.error_code(), " ", s.error_message()));
  }
  return view;
}

void CheckChain(const ApiView& api, const StoreView& store, ChainMemory& memory,
                CheckFigures& f) {
  CheckLinked(api.events, f);
  CheckGrowsOnly(api.events, memory, f);
  CheckVerified(api, store, f);
  CheckStoreChain(api, store, f);
  memory.hashes.clear();
  for (const v1::AuditEvent& e : api.events) memory.hashes.push_back(e.hash());
  memory.kill_head.reset();
}

void CheckKeptAfterStop(const StoreView& store, const ChainMemory& memory,
                        std::string_view where, CheckFigures& figures) {
  const auto& rows = store.event_hashes;
  if (rows.size() < memory.hashes.size()) {
    figures.Fail(absl::StrCat("after the graceful stop the ", AsAbsl(where),
                              " has ", rows.size(), " events, ",
                              memory.hashes.size(), " were seen"));
    return;
  }
  for (size_t i = 0; i < memory.hashes.size(); ++i) {
    if (rows[i].second != memory.hashes[i]) {
      figures.Fail(
          absl::StrCat("after the graceful stop seq ", i + 1, " differs"));
      return;
    }
  }
}

}  // namespace caregate::crash
