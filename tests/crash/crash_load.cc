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

// Tries `attempt(i)` on endpoint `first`, then on each other endpoint once,
// until it returns true (answered).
template <typename Attempt>
bool WithFailover(int count, size_t first, Attempt attempt) {
  for (int k = 0; k < count; ++k) {
    if (attempt(static_cast<int>((first + k) % count))) return true;
  }
  return false;
}

// A new channel to each endpoint, as `principal`.
std::vector<std::shared_ptr<grpc::Channel>> Channels(
    const Endpoints& endpoints, const std::string& principal) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < endpoints.count; ++i) {
    channels.push_back(endpoints.channel(i, principal));
  }
  return channels;
}

template <typename Service>
std::vector<std::unique_ptr<typename Service::Stub>> Stubs(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
  std::vector<std::unique_ptr<typename Service::Stub>> stubs;
  for (const auto& channel : channels) {
    stubs.push_back(Service::NewStub(channel));
  }
  return stubs;
}

absl::StatusOr<std::string> RecordOne(
    std::vector<std::unique_ptr<v1::ConsentService::Stub>>& stubs, size_t first,
    const v1::Consent& consent, const std::string& request_id,
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
    status = stubs[(first + attempt) % stubs.size()]->RecordConsent(
        &ctx, request, &recorded);
    if (status.ok()) return recorded.consent_id();
    if (IsAnswer(status.error_code())) break;
  }
  return absl::InternalError(absl::StrCat("RecordConsent ", request_id, ": ",
                                          status.error_code(), " ",
                                          status.error_message()));
}

}  // namespace

Endpoints OneGateway(const DevSetup& setup) {
  Endpoints endpoints;
  endpoints.count = 1;
  endpoints.channel = [&setup](int, const std::string& principal) {
    return setup.Channel(principal);
  };
  return endpoints;
}

absl::StatusOr<std::map<std::string, std::vector<std::string>>> RecordConsents(
    const Endpoints& endpoints, const std::vector<std::string>& patients,
    absl::Duration deadline) {
  std::map<std::string, std::vector<std::string>> ids;
  const absl::Time now = absl::Now();
  size_t n = 0;
  for (const std::string& therapist : Therapists()) {
    auto stubs = Stubs<v1::ConsentService>(Channels(endpoints, therapist));
    for (const std::string& patient : patients) {
      for (const Clinic& clinic : Clinics()) {
        absl::StatusOr<std::string> id = RecordOne(
            stubs, n++, ConsentFor(patient, clinic.org_id, now),
            absl::StrCat("consent-", patient, "-", clinic.org_id), deadline);
        if (!id.ok()) return id.status();
        ids[therapist].push_back(*id);
      }
    }
  }
  return ids;
}

CycleLoad::CycleLoad(Endpoints endpoints, LoadOptions options,
                     std::map<std::string, std::vector<std::string>> revocable)
    : endpoints_(std::move(endpoints)),
      options_(options),
      revocable_(std::move(revocable)) {}

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
  const auto channels = Channels(endpoints_, therapist);
  auto disclosures = Stubs<v1::DisclosureService>(channels);
  auto consents = Stubs<v1::ConsentService>(channels);
  const std::vector<std::string> stable = StablePatients();
  const std::vector<std::string> cycle = CyclePatients(options_.cycle);
  for (int n = 0; n < options_.max_sends_per_sender && !stopped_; ++n) {
    const size_t first = static_cast<size_t>(worker + n);
    if (rng() % kRevokeOneIn == 0) {
      if (std::optional<std::string> id = TakeRevocable(therapist)) {
        RevokeCall& call = out->revokes.emplace_back();
        call.principal = therapist;
        call.cycle = options_.cycle;
        call.consent_id = *id;
        if (!WithFailover(endpoints_.count, first, [&](int e) {
              AttemptRevoke(*consents[e], call, options_.call_deadline);
              return call.answered;
            })) {
          return;
        }
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
    if (!WithFailover(endpoints_.count, first, [&](int e) {
          AttemptSend(*disclosures[e], call, options_.call_deadline);
          return call.answered;
        })) {
      return;
    }
  }
}

void CycleLoad::Acker(const std::string& inbox_principal, uint64_t seed,
                      CallRecords* out) {
  std::mt19937_64 rng(seed);
  auto inbox = Stubs<v1::InboxService>(Channels(endpoints_, inbox_principal));
  for (int round = 0; round < options_.max_ack_rounds && !stopped_; ++round) {
    v1::ListMessagesRequest request;
    request.set_page_size(kAckPageSize);
    v1::ListMessagesResponse response;
    if (!WithFailover(endpoints_.count, round, [&](int e) {
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() +
                           absl::ToChronoMilliseconds(options_.call_deadline));
          return inbox[e]->ListMessages(&ctx, request, &response).ok();
        })) {
      return;
    }
    for (const v1::Message& message : response.messages()) {
      if (stopped_) return;
      if (rng() % 3 == 0) continue;  // Leave some queued for revocations.
      AckCall& call = out->acks.emplace_back();
      call.principal = inbox_principal;
      call.cycle = options_.cycle;
      call.message_id = message.message_id();
      if (!WithFailover(endpoints_.count, rng(), [&](int e) {
            AttemptAck(*inbox[e], call, options_.call_deadline);
            return call.answered;
          })) {
        return;
      }
    }
  }
}

int RetryUnanswered(const Endpoints& endpoints, CallRecords& calls,
                    int max_attempts, absl::Duration deadline) {
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
        [&endpoints, &principal, &retries, max_attempts, deadline] {
          const auto channels = Channels(endpoints, principal);
          auto disclosures = Stubs<v1::DisclosureService>(channels);
          auto inbox = Stubs<v1::InboxService>(channels);
          auto consents = Stubs<v1::ConsentService>(channels);
          for (int i = 0; i < max_attempts; ++i) {
            const int e = i % endpoints.count;
            for (SendCall* c : retries.sends) {
              AttemptSend(*disclosures[e], *c, deadline);
            }
            for (AckCall* c : retries.acks) AttemptAck(*inbox[e], *c, deadline);
            for (RevokeCall* c : retries.revokes) {
              AttemptRevoke(*consents[e], *c, deadline);
            }
          }
        });
  }
  for (std::thread& t : threads) t.join();
  return retried;
}

}  // namespace caregate::crash
