#include "services/consent/consent_commands.h"

#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"
#include "services/consent/consent_refresh.h"
#include "services/consent/consent_text.h"

namespace caregate {
namespace {

AuditEvent ConsentEvent(const ConsentRecord& consent,
                        const PrincipalInfo& actor, v1::AuditAction action) {
  AuditEvent event;
  event.actor_principal_id = actor.principal_id;
  event.actor_role = actor.role;
  event.actor_org_id = actor.org_id;
  event.action = action;
  event.practice_org_id = consent.practice_org_id;
  event.patient_id = consent.patient_id;
  event.recipient_org_id = consent.grantee.org_id;
  event.categories = consent.categories.ToVector();
  event.consent_ids = {consent.consent_id};
  event.request_id = consent.request_id;
  event.subject_id = consent.consent_id;
  return event;
}

absl::Status WithholdMessages(LedgerTxn& txn, const ConsentRecord& consent,
                              const PrincipalInfo& actor) {
  CG_ASSIGN_OR_RETURN(std::vector<MessageRow> withheld,
                      txn.store().WithholdPendingMessages(consent.consent_id));
  for (const MessageRow& message : withheld) {
    AuditEvent event =
        ConsentEvent(consent, actor, v1::AUDIT_ACTION_MESSAGE_WITHHELD);
    event.recipient_org_id = message.recipient_org_id;
    event.categories.clear();
    event.consent_ids = message.consent_ids;
    event.request_id.clear();
    event.subject_id = message.message_id;
    event.detail = "WITHHELD_BY_REVOCATION";
    CG_RETURN_IF_ERROR(txn.Audit(std::move(event)).status());
  }
  return absl::OkStatus();
}

}  // namespace

LedgerCommand RecordConsentCommand(ConsentRecord consent,
                                   const PrincipalInfo& actor,
                                   ConsentIndex* index,
                                   const DataCipher* cipher,
                                   int max_per_patient,
                                   CommandResult<ConsentRecord> result) {
  return [consent = std::move(consent), &actor, index, cipher, max_per_patient,
          result](LedgerTxn& txn) mutable -> absl::Status {
    const PatientRef patient{consent.practice_org_id, consent.patient_id};
    CG_RETURN_IF_ERROR(
        RefreshPatientConsents(txn.store(), *index, patient).status());
    if (!consent.request_id.empty()) {
      CG_ASSIGN_OR_RETURN(std::optional<ConsentRecord> earlier,
                          txn.store().FindConsentByRequest(consent.recorded_by,
                                                           consent.request_id));
      if (earlier.has_value()) {
        if (!earlier->request_digest.empty() &&
            earlier->request_digest != consent.request_digest) {
          *result = absl::AlreadyExistsError(absl::StrCat(
              "request_id: ", consent.request_id,
              " was already used for a different consent; use a new "
              "request id"));
          return absl::OkStatus();
        }
        *result = OpenStoredConsent(*cipher, *std::move(earlier));
        return absl::OkStatus();
      }
    }
    if (index->CountForPatient(consent.practice_org_id, consent.patient_id) >=
        static_cast<size_t>(max_per_patient)) {
      *result = absl::ResourceExhaustedError(absl::StrCat(
          "consent.patient_id: the patient already has ", max_per_patient,
          " consents, the configured maximum "
          "(limits.max_consents_per_patient)"));
      return absl::OkStatus();
    }
    consent.recorded_at = txn.now();
    if (consent.valid_from == absl::InfinitePast()) {
      consent.valid_from = consent.recorded_at;
    }
    CG_RETURN_IF_ERROR(txn.store().InsertConsent(consent));
    CG_ASSIGN_OR_RETURN(
        const int64_t seq,
        txn.Audit(
            ConsentEvent(consent, actor, v1::AUDIT_ACTION_CONSENT_RECORDED)));
    CG_RETURN_IF_ERROR(txn.store().WriteConsentRevision(patient, seq));
    txn.OnCommit([index, indexed = ForCaller(consent), patient, seq] {
      index->Upsert(indexed);
      index->SetRevision(patient.practice_org_id, patient.patient_id, seq);
    });
    txn.EndGroupAfterThis();
    *result = ForCaller(std::move(consent));
    return absl::OkStatus();
  };
}

LedgerCommand RevokeConsentCommand(std::string consent_id, std::string reason,
                                   std::string sealed_reason,
                                   const PrincipalInfo& actor,
                                   ConsentIndex* index,
                                   const DataCipher* cipher,
                                   CommandResult<ConsentRecord> result,
                                   std::shared_ptr<bool> other_organization) {
  return [consent_id = std::move(consent_id), reason = std::move(reason),
          sealed_reason = std::move(sealed_reason), &actor, index, cipher,
          result, other_organization](LedgerTxn& txn) -> absl::Status {
    CG_ASSIGN_OR_RETURN(
        std::optional<ConsentRecord> found,
        FindConsentForChange(txn.store(), *index, *cipher, consent_id));
    if (!found.has_value() || found->practice_org_id != actor.org_id) {
      *other_organization = found.has_value();
      *result = absl::NotFoundError(
          absl::StrCat("consent_id: no consent ", consent_id));
      return absl::OkStatus();
    }
    ConsentRecord consent = std::move(*found);
    if (consent.revoked()) {
      *result = std::move(consent);
      return absl::OkStatus();
    }
    consent.revocation = Revocation{txn.now(), actor.principal_id, reason};
    consent.sealed.revocation_reason = sealed_reason;
    consent.revision += 1;
    CG_RETURN_IF_ERROR(txn.store().UpdateConsentRevocation(consent));
    consent = ForCaller(std::move(consent));
    AuditEvent event =
        ConsentEvent(consent, actor, v1::AUDIT_ACTION_CONSENT_REVOKED);
    event.request_id.clear();
    CG_ASSIGN_OR_RETURN(const int64_t seq, txn.Audit(std::move(event)));
    const PatientRef patient{consent.practice_org_id, consent.patient_id};
    CG_RETURN_IF_ERROR(txn.store().WriteConsentRevision(patient, seq));
    CG_RETURN_IF_ERROR(WithholdMessages(txn, consent, actor));
    txn.OnCommit([index, consent, patient, seq] {
      index->Upsert(consent);
      index->SetRevision(patient.practice_org_id, patient.patient_id, seq);
    });
    txn.EndGroupAfterThis();
    *result = std::move(consent);
    return absl::OkStatus();
  };
}

}  // namespace caregate
