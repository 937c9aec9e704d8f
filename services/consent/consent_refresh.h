// Keeps a replica's ConsentIndex no older than the consents committed by any
// replica (ADR 5, rule 6 across replicas), inside a ledger command's store
// transaction: each patient has a consent revision in the store (the audit
// seq of the last event that recorded or revoked one of their consents);
// when the store's is newer than the index's, the patient's consents are read
// again in the same transaction and the index refreshed before the command
// decides.
//
// On SQLite the store keeps no revision (one process sees every change), so
// nothing is ever read again.
//
// Thread-safety: call from the ledger's writer thread only (the transaction
// is the group's). Errors: those of the store, and DATA_LOSS from
// OpenConsentText.
#ifndef CAREGATE_SERVICES_CONSENT_CONSENT_REFRESH_H_
#define CAREGATE_SERVICES_CONSENT_CONSENT_REFRESH_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "services/common/patient.h"
#include "services/crypto/data_cipher.h"
#include "services/policy/consent_index.h"
#include "services/store/store.h"

namespace caregate {

// Reads `patient`'s revision in `txn`; when newer than `index`'s, reloads
// that patient's consents into `index`. Returns the revision read.
absl::StatusOr<int64_t> RefreshPatientConsents(WriteTransaction& txn,
                                               ConsentIndex& index,
                                               const PatientRef& patient);

// The consent `consent_id` as committed, read in `txn` (on PostgreSQL its
// row stays locked until the transaction ends), after refreshing its
// patient's consents in `index`; its text opened (OpenStoredConsent).
// std::nullopt when no such consent is stored.
absl::StatusOr<std::optional<ConsentRecord>> FindConsentForChange(
    WriteTransaction& txn, ConsentIndex& index, const DataCipher& cipher,
    std::string_view consent_id);

// `consent` as read from the store, as callers see it: its text opened (a
// consent recorded before text was sealed has it plain already) and the
// storage-only fields cleared. DATA_LOSS from OpenConsentText.
absl::StatusOr<ConsentRecord> OpenStoredConsent(const DataCipher& cipher,
                                                ConsentRecord consent);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_CONSENT_CONSENT_REFRESH_H_
