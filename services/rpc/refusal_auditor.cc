#include "services/rpc/refusal_auditor.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/thread_name.h"

namespace caregate {

RefusalAuditor::RefusalAuditor(absl::Duration window, const Clock* clock,
                               Submit submit, bool start_thread)
    : window_(window), clock_(clock), submit_(std::move(submit)) {
  if (start_thread) {
    thread_ = std::thread([this] {
      SetCurrentThreadName("refusal-audit");
      Loop();
    });
  }
}

RefusalAuditor::~RefusalAuditor() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  Flush();
}

AuditEvent RefusalAuditor::Event(const RefusalKey& key, const Window& window,
                                 int64_t repeats,
                                 absl::Duration window_length) {
  AuditEvent event;
  event.actor_principal_id = key.principal_id;
  event.actor_role = window.role;
  event.actor_org_id = window.org_id;
  event.action = v1::AUDIT_ACTION_ACCESS_DENIED;
  event.subject_id = key.subject_id;
  event.detail = absl::StrCat(key.rpc, " ", absl::StatusCodeToString(key.code));
  if (repeats > 0) {
    absl::StrAppend(&event.detail, " x", repeats, " more within ",
                    absl::FormatDuration(window_length));
  }
  return event;
}

void RefusalAuditor::Record(const PrincipalInfo& principal,
                            const RefusalKey& key) {
  const absl::Time now = clock_->Now();
  Window first;
  {
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = windows_.try_emplace(key);
    Window& w = it->second;
    if (!inserted && now - w.start < window_) {
      ++w.repeats;
      return;
    }
    if (!inserted && w.repeats > 0) {
      // The old window closed without the thread noticing yet: audit it.
      submit_(Event(key, w, w.repeats, window_));
    }
    w = Window{now, 0, principal.role, principal.org_id};
    first = w;
  }
  submit_(Event(key, first, 0, window_));
}

void RefusalAuditor::CloseExpiredWindows() {
  const absl::Time now = clock_->Now();
  std::vector<AuditEvent> events;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = windows_.begin(); it != windows_.end();) {
      if (now - it->second.start < window_) {
        ++it;
        continue;
      }
      if (it->second.repeats > 0) {
        events.push_back(
            Event(it->first, it->second, it->second.repeats, window_));
      }
      windows_.erase(it++);
    }
  }
  for (AuditEvent& e : events) submit_(std::move(e));
}

void RefusalAuditor::Flush() {
  std::vector<AuditEvent> events;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [key, w] : windows_) {
      if (w.repeats > 0) events.push_back(Event(key, w, w.repeats, window_));
    }
    windows_.clear();
  }
  for (AuditEvent& e : events) submit_(std::move(e));
}

void RefusalAuditor::Loop() {
  const absl::Duration tick = window_ / 4;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), tick);
      if (stopping_) return;
    }
    CloseExpiredWindows();
  }
}

}  // namespace caregate
