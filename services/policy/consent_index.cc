#include "services/policy/consent_index.h"

#include <algorithm>
#include <span>
#include <utility>

#include "absl/hash/hash.h"
#include "services/policy/decision_engine.h"

namespace caregate {

size_t ConsentIndex::PatientKeyHash::Hash(PatientKeyView key) {
  return absl::HashOf(key.practice_org_id, key.patient_id);
}

size_t ConsentIndex::RecordIdHash::Hash(std::string_view id) {
  return absl::HashOf(id);
}

void ConsentIndex::Upsert(ConsentRecord consent) {
  absl::MutexLock lock(&mu_);
  UpsertLocked(std::move(consent));
}

int64_t ConsentIndex::Revision(std::string_view practice_org_id,
                               std::string_view patient_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = revisions_.find(PatientKeyView{practice_org_id, patient_id});
  return it == revisions_.end() ? 0 : it->second;
}

void ConsentIndex::SetRevision(std::string_view practice_org_id,
                               std::string_view patient_id, int64_t revision) {
  absl::MutexLock lock(&mu_);
  SetRevisionLocked(practice_org_id, patient_id, revision);
}

void ConsentIndex::Refresh(std::string_view practice_org_id,
                           std::string_view patient_id,
                           std::vector<ConsentRecord> consents,
                           int64_t revision) {
  absl::MutexLock lock(&mu_);
  auto held = revisions_.find(PatientKeyView{practice_org_id, patient_id});
  if (held != revisions_.end() && held->second > revision) return;
  for (ConsentRecord& consent : consents) UpsertLocked(std::move(consent));
  SetRevisionLocked(practice_org_id, patient_id, revision);
}

void ConsentIndex::SetRevisionLocked(std::string_view practice_org_id,
                                     std::string_view patient_id,
                                     int64_t revision) {
  auto it = revisions_.find(PatientKeyView{practice_org_id, patient_id});
  if (it == revisions_.end()) {
    revisions_.emplace(
        PatientKey{std::string(practice_org_id), std::string(patient_id)},
        revision);
  } else if (it->second < revision) {
    it->second = revision;
  }
}

void ConsentIndex::UpsertLocked(ConsentRecord consent) {
  auto it = by_id_.find(std::string_view(consent.consent_id));
  if (it == by_id_.end()) {
    ConsentRecord& stored = records_.emplace_back(std::move(consent));
    by_id_.insert(&stored);
    PatientSlot(stored).push_back(&stored);
    return;
  }
  ConsentRecord* stored = *it;
  // A consent does not change patient; should a replacement say otherwise,
  // it moves to the end of its new patient's list.
  const bool same_patient =
      stored->practice_org_id == consent.practice_org_id &&
      stored->patient_id == consent.patient_id;
  if (!same_patient) DetachFromPatient(stored);
  // Same consent_id, so the entry in by_id_ stays valid.
  *stored = std::move(consent);
  if (!same_patient) PatientSlot(*stored).push_back(stored);
}

std::optional<ConsentRecord> ConsentIndex::Find(
    std::string_view consent_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = by_id_.find(consent_id);
  if (it == by_id_.end()) return std::nullopt;
  return **it;
}

std::vector<ConsentRecord> ConsentIndex::ListForPatient(
    std::string_view practice_org_id, std::string_view patient_id) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<ConsentRecord> out;
  const PatientConsents* consents = FindPatient(practice_org_id, patient_id);
  if (consents == nullptr) return out;
  out.reserve(consents->size());
  for (const ConsentRecord* consent : *consents) out.push_back(*consent);
  return out;
}

ConsentIndex::Page ConsentIndex::ListPageForPatient(
    std::string_view practice_org_id, std::string_view patient_id,
    bool include_inactive, absl::Time now, int64_t offset, int limit) const {
  Page page;
  absl::ReaderMutexLock lock(&mu_);
  const PatientConsents* consents = FindPatient(practice_org_id, patient_id);
  if (consents == nullptr) return page;
  int64_t position = 0;
  for (const ConsentRecord* consent : *consents) {
    if (!include_inactive &&
        (consent->revoked() || consent->expires_at <= now)) {
      continue;
    }
    if (position++ < offset) continue;
    if (static_cast<int>(page.consents.size()) == limit) {
      page.next_offset = offset + limit;
      break;
    }
    page.consents.push_back(*consent);
  }
  return page;
}

size_t ConsentIndex::CountForPatient(std::string_view practice_org_id,
                                     std::string_view patient_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const PatientConsents* consents = FindPatient(practice_org_id, patient_id);
  return consents == nullptr ? 0 : consents->size();
}

DecisionResult ConsentIndex::Decide(const DecisionRequest& request) const {
  absl::ReaderMutexLock lock(&mu_);
  const PatientConsents* consents =
      FindPatient(request.practice_org_id, request.patient_id);
  if (consents == nullptr) return caregate::Decide(request, {});
  return caregate::Decide(request, *consents);
}

size_t ConsentIndex::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return records_.size();
}

ConsentIndex::PatientConsents& ConsentIndex::PatientSlot(
    const ConsentRecord& consent) {
  auto it = by_patient_.find(
      PatientKeyView{consent.practice_org_id, consent.patient_id});
  if (it != by_patient_.end()) return it->second;
  return by_patient_
      .emplace(PatientKey{consent.practice_org_id, consent.patient_id},
               PatientConsents())
      .first->second;
}

void ConsentIndex::DetachFromPatient(const ConsentRecord* record) {
  auto it = by_patient_.find(
      PatientKeyView{record->practice_org_id, record->patient_id});
  if (it == by_patient_.end()) return;
  PatientConsents& consents = it->second;
  consents.erase(std::remove(consents.begin(), consents.end(), record),
                 consents.end());
  if (consents.empty()) by_patient_.erase(it);
}

const ConsentIndex::PatientConsents* ConsentIndex::FindPatient(
    std::string_view practice_org_id, std::string_view patient_id) const {
  auto it = by_patient_.find(PatientKeyView{practice_org_id, patient_id});
  return it == by_patient_.end() ? nullptr : &it->second;
}

}  // namespace caregate
