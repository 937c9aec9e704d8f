#include "services/disclosure/send_command.h"

#include "absl/strings/str_cat.h"
#include "services/common/proto_time.h"
#include "services/common/status_macros.h"
#include "services/consent/consent_refresh.h"
#include "services/crypto/random.h"
#include "services/delivery/message_signature.h"
#include "services/validation/proto_convert.h"
#include "services/validation/request_fingerprint.h"

namespace caregate {
namespace {

AuditEvent DisclosureEvent(const PrincipalInfo& sender,
                           const ValidatedDisclosure& validated,
                           const DecisionResult& decision,
                           const std::string& request_id) {
  AuditEvent event;
  event.actor_principal_id = sender.principal_id;
  event.actor_role = sender.role;
  event.actor_org_id = sender.org_id;
  event.practice_org_id = sender.org_id;
  event.patient_id = validated.patient_id;
  event.recipient_org_id = validated.recipient.org_id;
  event.purpose = validated.purpose;
  event.outcome = decision.outcome;
  event.consent_ids = decision.consent_ids;
  event.request_id = request_id;
  event.detail = validated.recipient.provider_id;
  for (const SectionVerdict& section : decision.sections) {
    if (section.reason.has_value()) event.reasons.push_back(*section.reason);
  }
  return event;
}

v1::Receipt ReceiptOf(const DisclosureRow& row, v1::DeliveryState state) {
  v1::Receipt receipt;
  receipt.set_disclosure_id(row.disclosure_id);
  receipt.mutable_decision()->ParseFromString(row.decision_bytes);
  receipt.set_audit_seq(row.audit_seq);
  receipt.set_content_sha256(row.content_sha256);
  receipt.set_delivery_state(state);
  return receipt;
}

// The message the recipient gets: only the covered sections travel.
std::shared_ptr<v1::Message> BuildMessage(const SendContext& context,
                                          const PrincipalInfo& sender,
                                          const ValidatedDisclosure& validated,
                                          const v1::Disclosure& disclosure,
                                          const DecisionResult& decision,
                                          absl::Time now) {
  auto message = std::make_shared<v1::Message>();
  message->set_message_id(NewTimeOrderedId("msg", now));
  message->set_disclosure_id(NewTimeOrderedId("dsc", now));
  message->set_sender_principal_id(sender.principal_id);
  message->set_sender_org_id(sender.org_id);
  message->set_patient_id(validated.patient_id);
  message->set_recipient_org_id(validated.recipient.org_id);
  message->set_recipient_provider_id(validated.recipient.provider_id);
  message->set_purpose(validated.purpose);
  for (const SectionVerdict& verdict : decision.sections) {
    if (verdict.covered) {
      *message->add_sections() = disclosure.sections(verdict.index);
    }
  }
  for (const std::string& id : decision.consent_ids) {
    std::optional<IndexedConsent> consent = context.index->Find(id);
    if (consent.has_value()) {
      *message->add_consent_summaries() = ConsentSummaryOf(*consent);
    }
  }
  message->set_redisclosure_notice(context.config->redisclosure_notice());
  *message->mutable_created_at() = ToProtoTime(now);
  message->set_delivery_state(v1::DELIVERY_STATE_QUEUED);
  SignMessage(*context.signer, message.get());
  return message;
}

// True when `a` and `b` send the same sections relying on the same consents,
// so a message built for one is right for the other.
bool SameCoverage(const DecisionResult& a, const DecisionResult& b) {
  if (a.outcome != b.outcome || a.consent_ids != b.consent_ids ||
      a.sections.size() != b.sections.size()) {
    return false;
  }
  for (size_t i = 0; i < a.sections.size(); ++i) {
    if (a.sections[i].covered != b.sections[i].covered ||
        a.sections[i].consent_id != b.sections[i].consent_id) {
      return false;
    }
  }
  return true;
}

absl::Status WritePermitted(LedgerTxn& txn, const SendContext& context,
                            const PrincipalInfo& sender,
                            const ValidatedDisclosure& validated,
                            const DecisionResult& decision,
                            const SendDraft& draft,
                            const std::string& request_id,
                            SendOutcome& outcome) {
  const std::shared_ptr<v1::Message>& message = draft.message;
  AuditEvent event = DisclosureEvent(sender, validated, decision, request_id);
  event.action = decision.outcome == v1::DECISION_OUTCOME_PERMITTED
                     ? v1::AUDIT_ACTION_DISCLOSURE_PERMITTED
                     : v1::AUDIT_ACTION_DISCLOSURE_REDACTED;
  for (const v1::Section& s : message->sections()) {
    event.categories.push_back(s.category());
  }
  event.content_sha256 = message->content_sha256();
  event.subject_id = message->disclosure_id();
  CG_ASSIGN_OR_RETURN(const int64_t seq, txn.Audit(event));

  DisclosureRow row;
  row.disclosure_id = message->disclosure_id();
  row.practice_org_id = sender.org_id;
  row.sender_principal_id = sender.principal_id;
  row.request_id = request_id;
  row.patient_id = validated.patient_id;
  row.recipient_org_id = validated.recipient.org_id;
  row.recipient_provider_id = validated.recipient.provider_id;
  row.purpose = validated.purpose;
  row.outcome = decision.outcome;
  row.categories = event.categories;
  row.consent_ids = decision.consent_ids;
  row.content_sha256 = message->content_sha256();
  row.audit_seq = seq;
  row.message_id = message->message_id();
  row.created_at = draft.accepted_at;
  row.decision_bytes = DecisionToProto(decision).SerializeAsString();
  row.request_digest = draft.request_digest;
  CG_RETURN_IF_ERROR(txn.store().InsertDisclosure(row));

  MessageRow stored;
  stored.message_id = message->message_id();
  stored.disclosure_id = row.disclosure_id;
  stored.recipient_org_id = row.recipient_org_id;
  stored.seq = seq;
  stored.consent_ids = decision.consent_ids;
  stored.state = v1::DELIVERY_STATE_QUEUED;
  stored.created_at = draft.accepted_at;
  stored.key_id = context.cipher->key_id();
  stored.sealed_envelope = draft.sealed_envelope;
  CG_RETURN_IF_ERROR(txn.store().InsertMessage(stored));

  // Delivered only once durable: a recipient never sees a message a crash
  // could take back.
  txn.OnDurable([notifier = context.notifier, org = row.recipient_org_id, seq] {
    notifier->Published(org, seq);
  });
  outcome.receipt = ReceiptOf(row, v1::DELIVERY_STATE_QUEUED);
  return absl::OkStatus();
}

}  // namespace

DecisionRequest MakeDecisionRequest(const std::string& practice_org_id,
                                    const ValidatedDisclosure& validated,
                                    absl::Time now) {
  DecisionRequest request;
  request.practice_org_id = practice_org_id;
  request.patient_id = validated.patient_id;
  request.recipient = validated.recipient;
  request.purpose = validated.purpose;
  request.section_categories = validated.section_categories;
  request.redact_uncovered = validated.redact_uncovered;
  request.now = now;
  return request;
}

SendDraft PrepareSend(const SendContext& context, const PrincipalInfo& sender,
                      const ValidatedDisclosure& validated,
                      const v1::Disclosure& disclosure, absl::Time now) {
  SendDraft draft;
  draft.accepted_at = now;
  draft.request_digest =
      context.digester->DigestBytes(DisclosureRequestBytes(disclosure));
  draft.decision =
      context.index->Decide(MakeDecisionRequest(sender.org_id, validated, now));
  if (draft.decision.outcome == v1::DECISION_OUTCOME_DENIED) return draft;
  draft.message =
      BuildMessage(context, sender, validated, disclosure, draft.decision, now);
  draft.sealed_envelope = context.cipher->Seal(
      draft.message->SerializeAsString(), draft.message->message_id());
  return draft;
}

LedgerCommand SendDisclosureCommand(
    const SendContext& context, const PrincipalInfo& sender,
    ValidatedDisclosure validated,
    std::shared_ptr<const v1::Disclosure> disclosure, std::string request_id,
    SendDraft draft, std::shared_ptr<SendOutcome> outcome) {
  return [context, &sender, validated = std::move(validated),
          disclosure = std::move(disclosure),
          request_id = std::move(request_id), draft = std::move(draft),
          outcome](LedgerTxn& txn) -> absl::Status {
    CG_ASSIGN_OR_RETURN(
        std::optional<DisclosureRow> earlier,
        txn.store().FindDisclosureByRequest(sender.principal_id, request_id));
    if (earlier.has_value()) {
      // Rows stored before digests existed have none: taken as a retry.
      if (!earlier->request_digest.empty() &&
          earlier->request_digest != draft.request_digest) {
        outcome->refusal = absl::AlreadyExistsError(absl::StrCat(
            "request_id: ", request_id,
            " was already used for a different disclosure; use a new "
            "request id"));
        return absl::OkStatus();
      }
      CG_ASSIGN_OR_RETURN(std::optional<MessageRow> message,
                          txn.store().FindMessage(earlier->message_id));
      outcome->receipt = ReceiptOf(
          *earlier, message ? message->state : v1::DELIVERY_STATE_QUEUED);
      return absl::OkStatus();
    }
    // The binding decision: now, in order with every consent change, also
    // those committed through other replicas (read after the log head).
    CG_RETURN_IF_ERROR(
        RefreshPatientConsents(txn.store(), *context.index,
                               PatientRef{sender.org_id, validated.patient_id})
            .status());
    DecisionResult decision = context.index->Decide(
        MakeDecisionRequest(sender.org_id, validated, txn.now()));
    if (decision.outcome == v1::DECISION_OUTCOME_DENIED) {
      AuditEvent event =
          DisclosureEvent(sender, validated, decision, request_id);
      event.action = v1::AUDIT_ACTION_DISCLOSURE_DENIED;
      event.categories = validated.section_categories;
      // Keyed: a short denied body cannot be recovered by guessing.
      event.content_sha256 = context.digester->DigestHex(
          ContentCanonicalBytes(disclosure->sections()));
      CG_RETURN_IF_ERROR(txn.Audit(std::move(event)).status());
      outcome->denial = std::move(decision);
      return absl::OkStatus();
    }
    if (draft.message != nullptr && SameCoverage(decision, draft.decision)) {
      return WritePermitted(txn, context, sender, validated, decision, draft,
                            request_id, *outcome);
    }
    // A consent changed since the draft: build the message again, here.
    SendDraft fresh =
        PrepareSend(context, sender, validated, *disclosure, txn.now());
    return WritePermitted(txn, context, sender, validated, decision, fresh,
                          request_id, *outcome);
  };
}

}  // namespace caregate
