#include "services/audit_service/accounting.h"

#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/validation/request_fields.h"

namespace caregate {

absl::StatusOr<AccountingRequest> ParseAccountingRequest(
    const v1::GetAccountingOfDisclosuresRequest& request,
    const InputLimits& limits) {
  CG_RETURN_IF_ERROR(
      ValidateIdField(request.practice_org_id(), "practice_org_id", limits));
  CG_RETURN_IF_ERROR(
      ValidateIdField(request.patient_id(), "patient_id", limits));
  AccountingRequest parsed;
  parsed.patient = {request.practice_org_id(), request.patient_id()};
  if (!IsUnset(request.since())) {
    CG_ASSIGN_OR_RETURN(parsed.since, FromProtoTime(request.since(), "since"));
  }
  if (!IsUnset(request.until())) {
    CG_ASSIGN_OR_RETURN(parsed.until, FromProtoTime(request.until(), "until"));
  }
  return parsed;
}

v1::AccountingEntry AccountingEntryFromRow(const DisclosureRow& disclosure,
                                           const Directory& directory) {
  v1::AccountingEntry entry;
  *entry.mutable_time() = ToProtoTime(disclosure.created_at);
  entry.set_recipient_org_id(disclosure.recipient_org_id);
  if (const OrganizationInfo* org =
          directory.FindOrganization(disclosure.recipient_org_id)) {
    entry.set_recipient_name(org->display_name);
    entry.set_recipient_address(org->address);
  }
  entry.set_purpose(disclosure.purpose);
  for (v1::Category category : disclosure.categories) {
    entry.add_categories(category);
  }
  entry.set_disclosure_id(disclosure.disclosure_id);
  entry.set_recipient_provider_id(disclosure.recipient_provider_id);
  return entry;
}

void SetAccountingPractice(std::string_view practice_org_id,
                           const Directory& directory,
                           v1::GetAccountingOfDisclosuresResponse* response) {
  if (practice_org_id.empty()) return;
  if (const OrganizationInfo* org =
          directory.FindOrganization(practice_org_id)) {
    response->set_practice_name(org->display_name);
    response->set_practice_address(org->address);
  }
}

}  // namespace caregate
