// ConsentIndex: the in-memory index of every recorded consent's terms
// (consent_terms.h), by consent id and by patient (practice org id, patient
// id), and the place where decisions are taken against it. The evidence of
// the signed form is not kept here: whole consents are read from the store.
//
// Thread-safe: readers (Find, Decide, CountForPatient, Revision, size) share
// a reader lock; changes take the writer lock. A Decide that starts after an
// Upsert (e.g. a revocation) returned sees it. Accessors return copies, never
// references into the index. Nothing here fails: there is no error path.
//
// Cost (expected): Decide is two small id lookups and one patient lookup,
// none of which allocates, then the engine's single pass over that patient's
// consents (typically a handful). Memory per consent: its terms (88 bytes),
// its consent id and (per patient) its patient id packed in a string arena,
// a 4-byte slot in each of the two hash sets, and one patient entry (56
// bytes plus its consent list beyond two); organization and provider ids are
// interned once. About 170 bytes per consent for one consent per patient
// (1M such consents grew a process by 161 MiB, startup_index_load/1000000).
#ifndef CAREGATE_SERVICES_POLICY_CONSENT_INDEX_H_
#define CAREGATE_SERVICES_POLICY_CONSENT_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/synchronization/mutex.h"
#include "services/policy/consent_record.h"
#include "services/policy/consent_terms.h"
#include "services/policy/id_table.h"
#include "services/policy/string_arena.h"

namespace caregate {

class ConsentIndex {
 public:
  ConsentIndex();
  ConsentIndex(const ConsentIndex&) = delete;
  ConsentIndex& operator=(const ConsentIndex&) = delete;

  // Inserts the terms of `consent`, or replaces those of the consent with the
  // same consent_id (e.g. with its revocation) keeping its place in its
  // patient's recording order. The evidence fields are not kept.
  void Upsert(const ConsentRecord& consent) ABSL_LOCKS_EXCLUDED(mu_);

  // The consent with `consent_id`, as the index holds it, if any.
  std::optional<IndexedConsent> Find(std::string_view consent_id) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // The ids of the patient's consents (any state), in recording order.
  std::vector<std::string> IdsForPatient(std::string_view practice_org_id,
                                         std::string_view patient_id) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // How many consents (any state) the patient has.
  size_t CountForPatient(std::string_view practice_org_id,
                         std::string_view patient_id) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // Runs the decision engine on the consents of request's patient, under the
  // reader lock and without copying them.
  DecisionResult Decide(const DecisionRequest& request) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // The number of consents.
  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);

  // The consent revision the patient's consents were last read or written
  // with (the store's, consent_refresh.h); 0 when never set.
  int64_t Revision(std::string_view practice_org_id,
                   std::string_view patient_id) const ABSL_LOCKS_EXCLUDED(mu_);
  // Sets it; a revision below the one held is ignored. Set only together
  // with consents at least as new as `revision`.
  void SetRevision(std::string_view practice_org_id,
                   std::string_view patient_id, int64_t revision)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Upserts `consents` (every consent of the patient, read from the store at
  // `revision`) and sets the patient's revision, under one writer lock.
  // Ignored when the index already holds a newer revision of the patient
  // (a read that an already applied change overtook).
  void Refresh(std::string_view practice_org_id, std::string_view patient_id,
               const std::vector<ConsentRecord>& consents, int64_t revision)
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // A patient: their ids, the consent revision, and their consents
  // (positions in consents_) in recording order.
  struct Patient {
    std::string_view patient_id;  // in text_
    uint32_t practice = 0;        // in ids_
    int64_t revision = 0;
    absl::InlinedVector<uint32_t, 2> consents;
  };
  struct PatientKey {
    uint32_t practice;
    std::string_view patient_id;
  };
  // The two hash sets hold positions (in consents_ / patients_) and hash
  // them by what is stored there, so no key is stored twice; lookups by key
  // do not allocate.
  struct ConsentIdHash {
    using is_transparent = void;
    const std::deque<ConsentTerms>* consents;
    size_t operator()(uint32_t position) const;
    size_t operator()(std::string_view consent_id) const;
  };
  struct ConsentIdEq {
    using is_transparent = void;
    const std::deque<ConsentTerms>* consents;
    std::string_view Id(uint32_t position) const {
      return (*consents)[position].consent_id;
    }
    static std::string_view Id(std::string_view id) { return id; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Id(a) == Id(b);
    }
  };
  struct PatientHash {
    using is_transparent = void;
    const std::deque<Patient>* patients;
    size_t operator()(uint32_t position) const;
    size_t operator()(const PatientKey& key) const;
  };
  struct PatientEq {
    using is_transparent = void;
    const std::deque<Patient>* patients;
    PatientKey Key(uint32_t position) const {
      const Patient& p = (*patients)[position];
      return {p.practice, p.patient_id};
    }
    static PatientKey Key(const PatientKey& key) { return key; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      const PatientKey x = Key(a), y = Key(b);
      return x.practice == y.practice && x.patient_id == y.patient_id;
    }
  };

  void UpsertLocked(const ConsentRecord& consent)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The patient's position, a new entry when unknown.
  uint32_t PatientSlot(std::string_view practice_org_id,
                       std::string_view patient_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const Patient* FindPatient(std::string_view practice_org_id,
                             std::string_view patient_id) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  IndexedConsent CopyOut(const ConsentTerms& terms) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  IdTable ids_ ABSL_GUARDED_BY(mu_);
  StringArena text_ ABSL_GUARDED_BY(mu_);
  // std::deque never moves its elements on growth.
  std::deque<ConsentTerms> consents_ ABSL_GUARDED_BY(mu_);
  std::deque<Patient> patients_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<uint32_t, ConsentIdHash, ConsentIdEq> by_id_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<uint32_t, PatientHash, PatientEq> by_patient_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace caregate

#endif  // CAREGATE_SERVICES_POLICY_CONSENT_INDEX_H_
