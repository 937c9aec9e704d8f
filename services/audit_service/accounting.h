// GetAccountingOfDisclosures without gRPC: the validated request, and one
// accounting entry (45 CFR 164.528(b)(2): date, recipient name and address,
// what was disclosed, purpose) per stored disclosure.
//
// Pure functions, thread-safe.
#ifndef CAREGATE_SERVICES_AUDIT_SERVICE_ACCOUNTING_H_
#define CAREGATE_SERVICES_AUDIT_SERVICE_ACCOUNTING_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "caregate/v1/audit_service.pb.h"
#include "services/config/gateway_config.h"
#include "services/store/records.h"

namespace caregate {

// What to account for: disclosures of `patient` with since <= created_at <
// until.
struct AccountingRequest {
  PatientRef patient;
  absl::Time since = absl::InfinitePast();
  absl::Time until = absl::InfiniteFuture();
};

// Validates `request`: practice_org_id and patient_id are required ids (a
// patient is the pair), since/until optional timestamps (unset: unbounded).
// INVALID_ARGUMENT (RESOURCE_EXHAUSTED for an over-long id) naming the field.
absl::StatusOr<AccountingRequest> ParseAccountingRequest(
    const v1::GetAccountingOfDisclosuresRequest& request,
    const InputLimits& limits);

// The entry of `disclosure`; recipient name and address come from
// `directory` (left empty for an organization no longer listed).
v1::AccountingEntry AccountingEntryFromRow(const DisclosureRow& disclosure,
                                           const Directory& directory);

// Sets the practice's name and address in `response` from `directory`;
// leaves them empty when `practice_org_id` is empty or not listed.
void SetAccountingPractice(std::string_view practice_org_id,
                           const Directory& directory,
                           v1::GetAccountingOfDisclosuresResponse* response);

}  // namespace caregate

#endif  // CAREGATE_SERVICES_AUDIT_SERVICE_ACCOUNTING_H_
