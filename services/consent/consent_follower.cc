#include "services/consent/consent_follower.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "services/common/status_macros.h"
#include "services/common/thread_name.h"
#include "services/consent/consent_refresh.h"
#include "spdlog/spdlog.h"

namespace caregate {

ConsentFollower::ConsentFollower(Store* store, Ledger* ledger,
                                 ConsentIndex* index, int64_t after,
                                 Options options)
    : store_(store),
      ledger_(ledger),
      index_(index),
      options_(options),
      cursor_(after) {
  thread_ = std::thread([this] {
    SetCurrentThreadName("consent-follow");
    Loop();
  });
}

ConsentFollower::~ConsentFollower() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

int64_t ConsentFollower::followed() const {
  absl::MutexLock lock(&mu_);
  return cursor_;
}

void ConsentFollower::Loop() {
  bool failing = false;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto stop = [this]()
                      ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
      mu_.AwaitWithTimeout(absl::Condition(&stop), options_.interval);
      if (stopping_) return;
    }
    absl::Status s = FollowOnce();
    if (!s.ok() && !failing) {
      spdlog::warn(
          "consent follower: cannot read other replicas' consent "
          "changes ({}); retrying",
          absl::StatusCodeToString(s.code()));
    } else if (s.ok() && failing) {
      spdlog::info("consent follower: following consent changes again");
    }
    failing = !s.ok();
  }
}

absl::Status ConsentFollower::FollowOnce() {
  absl::MutexLock poll(&poll_mu_);
  while (true) {
    const int64_t after = followed();
    CG_ASSIGN_OR_RETURN(
        std::vector<PatientRevision> rows,
        store_->ListConsentRevisionsAfter(after, options_.batch));
    if (rows.empty()) return absl::OkStatus();
    const int64_t last = rows.back().revision;
    const bool full = static_cast<int>(rows.size()) == options_.batch;
    std::vector<PatientRevision> changed;
    for (PatientRevision& row : rows) {
      if (row.revision > index_->Revision(row.patient.practice_org_id,
                                          row.patient.patient_id)) {
        changed.push_back(std::move(row));
      }
    }
    if (!changed.empty()) CG_RETURN_IF_ERROR(Refresh(std::move(changed)));
    {
      absl::MutexLock lock(&mu_);
      cursor_ = std::max(cursor_, last);
    }
    if (!full) return absl::OkStatus();
  }
}

absl::Status ConsentFollower::Refresh(std::vector<PatientRevision> changed) {
  auto done = std::make_shared<absl::Notification>();
  auto result = std::make_shared<absl::Status>();
  ledger_->Submit(
      [this, changed = std::move(changed)](LedgerTxn& txn) -> absl::Status {
        for (const PatientRevision& row : changed) {
          CG_RETURN_IF_ERROR(
              RefreshPatientConsents(txn.store(), *index_, row.patient)
                  .status());
        }
        return absl::OkStatus();
      },
      [done, result](absl::Status status) {
        *result = std::move(status);
        done->Notify();
      });
  done->WaitForNotification();
  return *result;
}

}  // namespace caregate
