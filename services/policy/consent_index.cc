#include "services/policy/consent_index.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "services/policy/decision_engine.h"

namespace caregate {

size_t ConsentIndex::ConsentIdHash::operator()(uint32_t position) const {
  return (*this)((*consents)[position].consent_id);
}

size_t ConsentIndex::ConsentIdHash::operator()(
    std::string_view consent_id) const {
  return absl::HashOf(consent_id);
}

size_t ConsentIndex::PatientHash::operator()(uint32_t position) const {
  const Patient& p = (*patients)[position];
  return (*this)(PatientKey{p.practice, p.patient_id});
}

size_t ConsentIndex::PatientHash::operator()(const PatientKey& key) const {
  return absl::HashOf(key.practice, key.patient_id);
}

ConsentIndex::ConsentIndex()
    : by_id_(0, ConsentIdHash{&consents_}, ConsentIdEq{&consents_}),
      by_patient_(0, PatientHash{&patients_}, PatientEq{&patients_}) {}

void ConsentIndex::Upsert(const ConsentRecord& consent) {
  absl::MutexLock lock(&mu_);
  UpsertLocked(consent);
}

int64_t ConsentIndex::Revision(std::string_view practice_org_id,
                               std::string_view patient_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const Patient* patient = FindPatient(practice_org_id, patient_id);
  return patient == nullptr ? 0 : patient->revision;
}

void ConsentIndex::SetRevision(std::string_view practice_org_id,
                               std::string_view patient_id, int64_t revision) {
  absl::MutexLock lock(&mu_);
  Patient& patient = patients_[PatientSlot(practice_org_id, patient_id)];
  patient.revision = std::max(patient.revision, revision);
}

void ConsentIndex::Refresh(std::string_view practice_org_id,
                           std::string_view patient_id,
                           const std::vector<ConsentRecord>& consents,
                           int64_t revision) {
  absl::MutexLock lock(&mu_);
  const Patient* held = FindPatient(practice_org_id, patient_id);
  if (held != nullptr && held->revision > revision) return;
  for (const ConsentRecord& consent : consents) UpsertLocked(consent);
  Patient& patient = patients_[PatientSlot(practice_org_id, patient_id)];
  patient.revision = std::max(patient.revision, revision);
}

void ConsentIndex::UpsertLocked(const ConsentRecord& consent) {
  const uint32_t patient =
      PatientSlot(consent.practice_org_id, consent.patient_id);
  auto it = by_id_.find(std::string_view(consent.consent_id));
  if (it == by_id_.end()) {
    const auto position = static_cast<uint32_t>(consents_.size());
    consents_.push_back(
        TermsOf(consent, patient, text_.Keep(consent.consent_id), ids_));
    by_id_.insert(position);
    patients_[patient].consents.push_back(position);
    return;
  }
  const uint32_t position = *it;
  ConsentTerms& stored = consents_[position];
  // A consent does not change patient; should a replacement say otherwise,
  // it moves to the end of its new patient's list.
  if (stored.patient != patient) {
    auto& old_list = patients_[stored.patient].consents;
    old_list.erase(std::remove(old_list.begin(), old_list.end(), position),
                   old_list.end());
    patients_[patient].consents.push_back(position);
  }
  // Same consent_id (the same view), so the entry in by_id_ stays valid.
  stored = TermsOf(consent, patient, stored.consent_id, ids_);
}

std::optional<IndexedConsent> ConsentIndex::Find(
    std::string_view consent_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = by_id_.find(consent_id);
  if (it == by_id_.end()) return std::nullopt;
  return CopyOut(consents_[*it]);
}

std::vector<std::string> ConsentIndex::IdsForPatient(
    std::string_view practice_org_id, std::string_view patient_id) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<std::string> ids;
  const Patient* patient = FindPatient(practice_org_id, patient_id);
  if (patient == nullptr) return ids;
  for (uint32_t position : patient->consents) {
    ids.emplace_back(consents_[position].consent_id);
  }
  return ids;
}

size_t ConsentIndex::CountForPatient(std::string_view practice_org_id,
                                     std::string_view patient_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const Patient* patient = FindPatient(practice_org_id, patient_id);
  return patient == nullptr ? 0 : patient->consents.size();
}

DecisionResult ConsentIndex::Decide(const DecisionRequest& request) const {
  absl::ReaderMutexLock lock(&mu_);
  const RecipientIds recipient = RecipientIdsOf(request.recipient, ids_);
  const Patient* patient =
      FindPatient(request.practice_org_id, request.patient_id);
  absl::InlinedVector<const ConsentTerms*, 8> consents;
  if (patient != nullptr) {
    for (uint32_t position : patient->consents) {
      consents.push_back(&consents_[position]);
    }
  }
  return DecideTerms(request, recipient, consents);
}

size_t ConsentIndex::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return consents_.size();
}

uint32_t ConsentIndex::PatientSlot(std::string_view practice_org_id,
                                   std::string_view patient_id) {
  const PatientKey key{ids_.Intern(practice_org_id), patient_id};
  auto it = by_patient_.find(key);
  if (it != by_patient_.end()) return *it;
  const auto position = static_cast<uint32_t>(patients_.size());
  Patient& patient = patients_.emplace_back();
  patient.patient_id = text_.Keep(patient_id);
  patient.practice = key.practice;
  by_patient_.insert(position);
  return position;
}

const ConsentIndex::Patient* ConsentIndex::FindPatient(
    std::string_view practice_org_id, std::string_view patient_id) const {
  const uint32_t practice = ids_.Find(practice_org_id);
  if (practice == IdTable::kUnknown) return nullptr;
  auto it = by_patient_.find(PatientKey{practice, patient_id});
  return it == by_patient_.end() ? nullptr : &patients_[*it];
}

IndexedConsent ConsentIndex::CopyOut(const ConsentTerms& terms) const {
  const Patient& patient = patients_[terms.patient];
  IndexedConsent out;
  out.consent_id = std::string(terms.consent_id);
  out.practice_org_id = std::string(ids_.Name(patient.practice));
  out.patient_id = std::string(patient.patient_id);
  out.grantee.org_id = std::string(ids_.Name(terms.grantee_org));
  out.grantee.provider_id = std::string(ids_.Name(terms.grantee_provider));
  out.grantee.specialty = terms.grantee_specialty;
  out.purposes = terms.purposes;
  out.categories = terms.categories;
  out.withheld_categories = terms.withheld_categories;
  out.valid_from = FromTermsTime(terms.valid_from);
  out.expires_at = FromTermsTime(terms.expires_at);
  out.signed_at = FromTermsTime(terms.signed_at);
  out.revoked = terms.revoked;
  return out;
}

}  // namespace caregate
