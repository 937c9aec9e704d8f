#include "services/consent/consent_refresh.h"

#include <utility>
#include <vector>

#include "services/common/status_macros.h"
#include "services/consent/consent_text.h"

namespace caregate {

absl::StatusOr<ConsentRecord> OpenStoredConsent(const DataCipher& cipher,
                                                ConsentRecord consent) {
  if (!consent.sealed.evidence.empty()) {
    CG_RETURN_IF_ERROR(OpenConsentText(cipher, &consent));
  }
  return ForCaller(std::move(consent));
}

absl::StatusOr<int64_t> RefreshPatientConsents(WriteTransaction& txn,
                                               ConsentIndex& index,
                                               const PatientRef& patient) {
  CG_ASSIGN_OR_RETURN(const int64_t revision, txn.ReadConsentRevision(patient));
  if (revision <= index.Revision(patient.practice_org_id, patient.patient_id)) {
    return revision;
  }
  CG_ASSIGN_OR_RETURN(std::vector<ConsentRecord> stored,
                      txn.ListPatientConsents(patient));
  index.Refresh(patient.practice_org_id, patient.patient_id, stored, revision);
  return revision;
}

absl::StatusOr<std::optional<ConsentRecord>> FindConsentForChange(
    WriteTransaction& txn, ConsentIndex& index, const DataCipher& cipher,
    std::string_view consent_id) {
  CG_ASSIGN_OR_RETURN(std::optional<ConsentRecord> stored,
                      txn.FindConsent(consent_id));
  if (!stored.has_value()) return std::nullopt;
  CG_RETURN_IF_ERROR(
      RefreshPatientConsents(
          txn, index, PatientRef{stored->practice_org_id, stored->patient_id})
          .status());
  // The stored row is the truth (the index may predate it).
  return OpenStoredConsent(cipher, *std::move(stored));
}

}  // namespace caregate
