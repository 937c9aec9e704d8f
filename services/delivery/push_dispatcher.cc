#include "services/delivery/push_dispatcher.h"

#include <unistd.h>

#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/thread_name.h"
#include "services/inbox/inbox_reader.h"
#include "spdlog/spdlog.h"

namespace caregate {
namespace {

// "<hostname>/<pid>/<random>": distinct for every gateway process.
std::string DefaultLeaseOwner() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::random_device random;
  return absl::StrCat(
      host, "/", getpid(), "/",
      absl::Hex(static_cast<uint64_t>(random()) << 32 | random()));
}

}  // namespace

std::vector<PushRoute> PushRoutesFor(const GatewayConfig& config,
                                     const push::PushTransports& transports) {
  std::vector<PushRoute> routes;
  for (const auto& [org_id, org] : config.directory().organizations()) {
    push::PushTransport* transport = transports.ForOrganization(org_id);
    if (transport != nullptr) routes.push_back({org_id, transport});
  }
  return routes;
}

absl::StatusOr<std::unique_ptr<PushDispatcher>> PushDispatcher::Create(
    Deps deps, std::vector<PushRoute> routes, Options options) {
  if (deps.store == nullptr || deps.ledger == nullptr ||
      deps.cipher == nullptr || deps.clock == nullptr ||
      deps.retry_policy == nullptr) {
    return absl::InvalidArgumentError("push dispatcher: missing dependency");
  }
  for (const PushRoute& route : routes) {
    if (route.transport == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "push dispatcher: organization ", route.org_id, " has no transport"));
    }
  }
  if (options.batch_size < 1) options.batch_size = 1;
  if (options.lease_owner.empty()) options.lease_owner = DefaultLeaseOwner();
  if (options.lease <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("push dispatcher: lease must be > 0");
  }
  return std::unique_ptr<PushDispatcher>(
      new PushDispatcher(deps, std::move(routes), options));
}

PushDispatcher::PushDispatcher(Deps deps, std::vector<PushRoute> routes,
                               Options options)
    : deps_(deps), routes_(std::move(routes)), options_(options) {
  if (deps_.notifier != nullptr) {
    for (const PushRoute& route : routes_) {
      subscriptions_.push_back(
          deps_.notifier->Subscribe(route.org_id, [this] { Wake(); }));
    }
  }
  thread_ = std::thread([this] {
    SetCurrentThreadName("push-dispatch");
    Loop();
  });
}

PushDispatcher::~PushDispatcher() { Stop(); }

void PushDispatcher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (deps_.notifier != nullptr) {
    for (int64_t id : subscriptions_) deps_.notifier->Unsubscribe(id);
  }
  thread_.join();
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](int* recording) { return *recording == 0; }, &recording_));
}

int64_t PushDispatcher::attempts_started() const {
  absl::MutexLock lock(&mu_);
  return attempts_started_;
}

void PushDispatcher::Wake() {
  absl::MutexLock lock(&mu_);
  wake_ = true;
}

void PushDispatcher::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      wake_ = false;
    }
    for (const PushRoute& route : routes_) Pump(route);
    absl::MutexLock lock(&mu_);
    auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return wake_ || stopping_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&woken), options_.poll_interval);
  }
}

void PushDispatcher::Pump(const PushRoute& route) {
  if (route.transport->in_flight() >= route.transport->max_in_flight()) {
    return;
  }
  // Only what this gateway may push: a message it claimed but skipped would
  // keep every other gateway off it.
  PushClaim claim;
  claim.recipient_org_id = route.org_id;
  claim.now = deps_.clock->Now();
  claim.max_seq =
      deps_.notifier != nullptr ? deps_.notifier->visible_seq() : INT64_MAX;
  claim.owner = options_.lease_owner;
  claim.lease_until = claim.now + options_.lease;
  claim.limit = options_.batch_size;
  absl::StatusOr<std::vector<MessageRow>> due =
      deps_.store->ClaimDueMessages(claim);
  if (!due.ok()) {
    spdlog::warn("push to {}: cannot claim due messages: {}", route.org_id,
                 due.status().ToString());
    return;
  }
  for (const MessageRow& row : *due) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      if (busy_.contains(row.message_id)) continue;
    }
    if (!Attempt(route, row.message_id)) return;
  }
}

bool PushDispatcher::Attempt(const PushRoute& route,
                             const std::string& message_id) {
  // Right before the attempt: a revocation (or anything else) that
  // committed since the list was read is seen here.
  absl::StatusOr<std::optional<MessageRow>> row =
      deps_.store->GetMessage(message_id);
  if (!row.ok() || !row->has_value() ||
      (*row)->state != v1::DELIVERY_STATE_QUEUED) {
    return true;
  }
  const MessageRow& m = **row;
  const absl::Time now = deps_.clock->Now();
  absl::StatusOr<std::optional<DisclosureRow>> disclosure =
      deps_.store->GetDisclosure(m.disclosure_id);
  std::optional<DisclosureRow> audit_disclosure =
      disclosure.ok() ? *disclosure : std::nullopt;
  PushOutcome untried;
  untried.message_id = m.message_id;
  untried.kind = PushOutcome::Kind::kFailed;
  untried.attempt = m.delivery_attempts;
  untried.disclosure = audit_disclosure;
  // The retry policy's clock starts when the message was queued, or when
  // compliance last retried it.
  const absl::Time since = m.retried_at.value_or(m.created_at);
  if (m.delivery_attempts == 0 &&
      !deps_.retry_policy->WithinMaxAge(since, now)) {
    untried.error = "older than max_age before its first attempt";
    Record(std::move(untried));
    return true;
  }
  absl::StatusOr<v1::Message> message = OpenStoredMessage(*deps_.cipher, m);
  if (!message.ok()) {
    untried.error = "stored copy cannot be opened";
    Record(std::move(untried));
    return true;
  }
  const int attempt = m.delivery_attempts + 1;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return false;
    busy_.insert(m.message_id);
  }
  const bool started = route.transport->TryDeliver(
      *message, attempt,
      [this, id = m.message_id, attempt, since,
       audit_disclosure](push::PushResult result) {
        OnResult(id, attempt, since, audit_disclosure, std::move(result));
      });
  absl::MutexLock lock(&mu_);
  if (!started) {
    busy_.erase(m.message_id);
    return false;
  }
  ++attempts_started_;
  return true;
}

void PushDispatcher::OnResult(const std::string& message_id, int attempt,
                              absl::Time since,
                              std::optional<DisclosureRow> disclosure,
                              push::PushResult result) {
  PushOutcome outcome;
  outcome.message_id = message_id;
  outcome.attempt = attempt;
  outcome.error = result.error;
  outcome.disclosure = std::move(disclosure);
  switch (result.outcome) {
    case push::PushResult::Outcome::kDelivered:
      outcome.kind = PushOutcome::Kind::kDelivered;
      outcome.acknowledged = result.acknowledged;
      outcome.received_at = result.received_at;
      break;
    case push::PushResult::Outcome::kFailed:
      outcome.kind = PushOutcome::Kind::kFailed;
      break;
    case push::PushResult::Outcome::kRetry: {
      push::RetryPolicy::Decision decision =
          deps_.retry_policy->AfterRetryableFailure(attempt, since,
                                                    deps_.clock->Now());
      if (decision.give_up) {
        outcome.kind = PushOutcome::Kind::kFailed;
        outcome.error = absl::StrCat(decision.reason, "; last: ", result.error);
      } else {
        outcome.kind = PushOutcome::Kind::kRetry;
        outcome.next_attempt_at = decision.next_attempt_at;
      }
      break;
    }
  }
  Record(std::move(outcome));
}

void PushDispatcher::Record(PushOutcome outcome) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {  // the message stays due for the next start
      busy_.erase(outcome.message_id);
      return;
    }
    ++recording_;
    busy_.insert(outcome.message_id);
  }
  spdlog::info("push of message {} attempt {}: {}", outcome.message_id,
               outcome.attempt,
               outcome.kind == PushOutcome::Kind::kDelivered ? "delivered"
               : outcome.kind == PushOutcome::Kind::kRetry   ? "will retry"
                                                             : "failed");
  auto result = std::make_shared<absl::StatusOr<std::optional<MessageRow>>>();
  const std::string id = outcome.message_id;
  deps_.ledger->Submit(RecordPushOutcomeCommand(std::move(outcome), result),
                       [this, id](absl::Status status) {
                         if (!status.ok()) {
                           spdlog::error(
                               "push outcome of message {} not recorded: {}",
                               id, status.ToString());
                         }
                         absl::MutexLock lock(&mu_);
                         busy_.erase(id);
                         --recording_;
                         wake_ = true;
                       });
}

}  // namespace caregate
