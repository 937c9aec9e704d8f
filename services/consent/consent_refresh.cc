#include "services/consent/consent_refresh.h"

#include <utility>
#include <vector>

#include "services/common/status_macros.h"
#include "services/consent/consent_text.h"

namespace caregate {
namespace {

// Consents recorded before text was sealed keep their plain text (the
// gateway seals it at start, SealLegacyConsentText).
absl::Status OpenText(const DataCipher& cipher, ConsentRecord& consent) {
  if (consent.sealed.evidence.empty()) return absl::OkStatus();
  return OpenConsentText(cipher, &consent);
}

}  // namespace

absl::StatusOr<int64_t> RefreshPatientConsents(WriteTransaction& txn,
                                               ConsentIndex& index,
                                               const DataCipher& cipher,
                                               const PatientRef& patient) {
  CG_ASSIGN_OR_RETURN(const int64_t revision, txn.ReadConsentRevision(patient));
  if (revision <= index.Revision(patient.practice_org_id, patient.patient_id)) {
    return revision;
  }
  CG_ASSIGN_OR_RETURN(std::vector<ConsentRecord> stored,
                      txn.ListPatientConsents(patient));
  std::vector<ConsentRecord> opened;
  opened.reserve(stored.size());
  for (ConsentRecord& consent : stored) {
    CG_RETURN_IF_ERROR(OpenText(cipher, consent));
    opened.push_back(ForIndex(std::move(consent)));
  }
  index.Refresh(patient.practice_org_id, patient.patient_id, std::move(opened),
                revision);
  return revision;
}

absl::StatusOr<std::optional<ConsentRecord>> FindConsentForChange(
    WriteTransaction& txn, ConsentIndex& index, const DataCipher& cipher,
    std::string_view consent_id) {
  CG_ASSIGN_OR_RETURN(std::optional<ConsentRecord> stored,
                      txn.FindConsent(consent_id));
  if (!stored.has_value()) return std::nullopt;
  CG_RETURN_IF_ERROR(RefreshPatientConsents(txn, index, cipher,
                                            PatientRef{stored->practice_org_id,
                                                       stored->patient_id})
                         .status());
  // The stored row is the truth (the index may predate it); its text opened.
  ConsentRecord consent = *std::move(stored);
  CG_RETURN_IF_ERROR(OpenText(cipher, consent));
  return ForIndex(std::move(consent));
}

}  // namespace caregate
