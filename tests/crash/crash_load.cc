#include "tests/crash/crash_load.h"

#include <chrono>
#include <optional>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tests/crash/crash_fixtures.h"

namespace caregate::crash {
namespace {

constexpr int kRevokeOneIn = 40;
constexpr int kStablePercent = 70;  // Sends about never-revoked patients.
constexpr int kAckPageSize = 20;

absl::StatusOr<std::string> RecordOne(v1::ConsentService::Stub& stub,
                                      const v1::Consent& consent,
                                      const std::string& request_id,
                                      absl::Duration deadline) {
  v1::RecordConsentRequest request;
  *request.mutable_consent() = consent;
  request.set_request_id(request_id);
  grpc::Status status;
  for (int attempt = 0; attempt < 3; ++attempt) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     absl::ToChronoMilliseconds(deadline));
    v1::Consent recorded;
    status = stub.RecordConsent(&ctx, request, &recorded);
    if (status.ok()) return recorded.consent_id();
    if (IsAnswer(status.error_code())) break;
  }
  return absl::InternalError(absl::StrCat("RecordConsent ", request_id, ": ",
                                          status.error_code(), " ",
                                          status.error_message()));
}

}  // namespace

absl::StatusOr<std::map<std::string, std::vector<std::string>>> RecordConsents(
    const DevSetup& setup, const std::vector<std::string>& patients,
    absl::Duration deadline) {
  std::map<std::string, std::vector<std::string>> ids;
  const absl::Time now = absl::Now();
  for (const std::string& therapist : Therapists()) {
    auto stub = v1::ConsentService::NewStub(setup.Channel(therapist));
    for (const std::string& patient : patients) {
      for (const Clinic& clinic : Clinics()) {
        absl::StatusOr<std::string> id = RecordOne(
            *stub, ConsentFor(patient, clinic.org_id, now),
            absl::StrCat("consent-", patient, "-", clinic.org_id), deadline);
        if (!id.ok()) return id.status();
        ids[therapist].push_back(*id);
      }
    }
  }
  return ids;
}

CycleLoad::CycleLoad(const DevSetup& setup, LoadOptions options,
                     std::map<std::string, std::vector<std::string>> revocable)
    : setup_(setup), options_(options), revocable_(std::move(revocable)) {}

CycleLoad::~CycleLoad() {
  stopped_ = true;
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void CycleLoad::Start() {
  std::mt19937_64 seeds(options_.seed);
  const size_t workers =
      Therapists().size() * options_.senders_per_therapist + Clinics().size();
  results_.resize(workers);
  size_t slot = 0;
  for (const std::string& therapist : Therapists()) {
    for (int w = 0; w < options_.senders_per_therapist; ++w) {
      threads_.emplace_back(&CycleLoad::Sender, this, therapist, w, seeds(),
                            &results_[slot++]);
    }
  }
  for (const Clinic& clinic : Clinics()) {
    threads_.emplace_back(&CycleLoad::Acker, this, clinic.inbox_principal,
                          seeds(), &results_[slot++]);
  }
}

CallRecords CycleLoad::Join() {
  CallRecords all;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  for (CallRecords& r : results_) all.Append(std::move(r));
  results_.clear();
  return all;
}

std::optional<std::string> CycleLoad::TakeRevocable(
    const std::string& therapist) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string>& ids = revocable_[therapist];
  if (ids.empty()) return std::nullopt;
  std::string id = std::move(ids.back());
  ids.pop_back();
  return id;
}

void CycleLoad::Sender(const std::string& therapist, int worker, uint64_t seed,
                       CallRecords* out) {
  std::mt19937_64 rng(seed);
  auto channel = setup_.Channel(therapist);
  auto disclosures = v1::DisclosureService::NewStub(channel);
  auto consents = v1::ConsentService::NewStub(channel);
  const std::vector<std::string> stable = StablePatients();
  const std::vector<std::string> cycle = CyclePatients(options_.cycle);
  for (int n = 0; n < options_.max_sends_per_sender && !stopped_; ++n) {
    if (rng() % kRevokeOneIn == 0) {
      if (std::optional<std::string> id = TakeRevocable(therapist)) {
        RevokeCall& call = out->revokes.emplace_back();
        call.principal = therapist;
        call.cycle = options_.cycle;
        call.consent_id = *id;
        AttemptRevoke(*consents, call, options_.call_deadline);
        if (!call.answered) return;
        continue;
      }
    }
    const bool is_stable = static_cast<int>(rng() % 100) < kStablePercent;
    const std::string& patient =
        is_stable ? stable[rng() % stable.size()] : cycle[rng() % cycle.size()];
    SendCall& call = out->sends.emplace_back();
    call.principal = therapist;
    call.cycle = options_.cycle;
    call.request_id = absl::StrCat("c", options_.cycle, "-w", worker, "-n", n);
    call.disclosure =
        RandomDisclosure(patient, Clinics()[rng() % Clinics().size()], rng);
    AttemptSend(*disclosures, call, options_.call_deadline);
    if (!call.answered) return;
  }
}

void CycleLoad::Acker(const std::string& inbox_principal, uint64_t seed,
                      CallRecords* out) {
  std::mt19937_64 rng(seed);
  auto inbox = v1::InboxService::NewStub(setup_.Channel(inbox_principal));
  for (int round = 0; round < options_.max_ack_rounds && !stopped_; ++round) {
    v1::ListMessagesRequest request;
    request.set_page_size(kAckPageSize);
    v1::ListMessagesResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     absl::ToChronoMilliseconds(options_.call_deadline));
    if (!inbox->ListMessages(&ctx, request, &response).ok()) return;
    for (const v1::Message& message : response.messages()) {
      if (stopped_) return;
      if (rng() % 3 == 0) continue;  // Leave some queued for revocations.
      AckCall& call = out->acks.emplace_back();
      call.principal = inbox_principal;
      call.cycle = options_.cycle;
      call.message_id = message.message_id();
      AttemptAck(*inbox, call, options_.call_deadline);
      if (!call.answered) return;
    }
  }
}

int RetryUnanswered(const DevSetup& setup, CallRecords& calls, int max_attempts,
                    absl::Duration deadline) {
  struct Retries {
    std::vector<SendCall*> sends;
    std::vector<AckCall*> acks;
    std::vector<RevokeCall*> revokes;
  };
  std::map<std::string, Retries> by_principal;
  int retried = 0;
  for (SendCall& c : calls.sends) {
    if (c.answered) continue;
    by_principal[c.principal].sends.push_back(&c);
    ++retried;
  }
  for (AckCall& c : calls.acks) {
    if (c.answered) continue;
    by_principal[c.principal].acks.push_back(&c);
    ++retried;
  }
  for (RevokeCall& c : calls.revokes) {
    if (c.answered) continue;
    by_principal[c.principal].revokes.push_back(&c);
    ++retried;
  }
  std::vector<std::thread> threads;
  for (auto& entry : by_principal) {
    // Named references: clang 14 cannot capture structured bindings.
    const auto& principal = entry.first;
    const auto& retries = entry.second;
    threads.emplace_back(
        [&setup, &principal, &retries, max_attempts, deadline] {
          auto channel = setup.Channel(principal);
          auto disclosures = v1::DisclosureService::NewStub(channel);
          auto inbox = v1::InboxService::NewStub(channel);
          auto consents = v1::ConsentService::NewStub(channel);
          for (int i = 0; i < max_attempts; ++i) {
            for (SendCall* c : retries.sends)
              AttemptSend(*disclosures, *c, deadline);
            for (AckCall* c : retries.acks) AttemptAck(*inbox, *c, deadline);
            for (RevokeCall* c : retries.revokes) {
              AttemptRevoke(*consents, *c, deadline);
            }
          }
        });
  }
  for (std::thread& t : threads) t.join();
  return retried;
}

}  // namespace caregate::crash
