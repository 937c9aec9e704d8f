#include "bench/common/audit_seeder.h"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/common/bench_fixtures.h"
#include "services/audit/audit_chain.h"
#include "services/common/status_macros.h"

namespace caregate::bench {
namespace {

struct Recipient {
  const char* org;
  const char* provider;
};
// Providers of the dev-init sample directory, of five specialties.
constexpr std::array<Recipient, 7> kRecipients = {{
    {"core-pelvic-pt", "pt-lindqvist"},
    {"core-pelvic-pt", "pt-moreau"},
    {"lakeside-obgyn", "dr-okafor"},
    {"riverside-urology", "dr-haddad"},
    {"northside-psychiatry", "dr-chen"},
    {"northside-psychiatry", "np-ward"},
    {"maple-primary-care", "dr-mbeki"},
}};

// Deterministic mixing of i, so the data is the same on every run.
uint64_t Mix(uint64_t i) {
  i ^= i >> 33;
  i *= 0xff51afd7ed558ccdULL;
  i ^= i >> 33;
  i *= 0xc4ceb9fe1a85ec53ULL;
  return i ^ (i >> 33);
}

// The event (and, for a permitted or redacted disclosure, its row) number
// `i` of the synthetic log.
class EventFactory {
 public:
  explicit EventFactory(const AuditSeedOptions& o)
      : start_(o.now - absl::Hours(24) * o.days),
        step_((absl::Hours(24) * o.days) / std::max<int64_t>(o.events, 1)),
        hot_every_(o.hot_patient_disclosures > 0
                       ? std::max<int64_t>(
                             1, o.events * 6 / 10 / o.hot_patient_disclosures)
                       : 0),
        hot_left_(o.hot_patient_disclosures) {}

  AuditEvent Event(int64_t i, std::optional<DisclosureRow>* row) {
    const uint64_t r = Mix(static_cast<uint64_t>(i));
    const Recipient& to = kRecipients[r % kRecipients.size()];
    const bool harbor = (r >> 8) % 4 == 0;
    AuditEvent e;
    e.time = start_ + step_ * i;
    e.actor_principal_id = harbor ? "dr-novak" : kBenchTherapist;
    e.actor_role = v1::ROLE_THERAPIST;
    e.actor_org_id = harbor ? "harbor-counseling" : kBenchPractice;
    e.practice_org_id = e.actor_org_id;
    e.patient_id = absl::StrFormat("bench-p-%07d", (r >> 16) % 100'000);
    e.recipient_org_id = to.org;
    e.purpose = v1::PURPOSE_TREATMENT_COORDINATION;
    e.request_id = absl::StrCat("bench-req-", i);
    e.subject_id = absl::StrCat("bench-dsc-", i);
    e.content_sha256 = absl::StrFormat("%064x", r);
    e.detail = "SendDisclosure";
    const int kind = static_cast<int>((r >> 40) % 100);
    if (kind < 62) {
      Permitted(i, e, to, row);
    } else if (kind < 67) {
      e.action = v1::AUDIT_ACTION_DISCLOSURE_REDACTED;
      e.outcome = v1::DECISION_OUTCOME_PERMITTED_WITH_REDACTIONS;
      e.categories = {v1::CATEGORY_TREATMENT_SUMMARY};
      e.reasons = {v1::DENIAL_REASON_CATEGORY_WITHHELD};
      *row = Row(e, to);
    } else if (kind < 80) {
      Denied(r, e);
    } else if (kind < 88) {
      e.actor_principal_id = absl::StrCat(to.org, "-inbox");
      e.actor_role = v1::ROLE_CLINIC;
      e.actor_org_id = to.org;
      e.action = v1::AUDIT_ACTION_MESSAGE_ACKNOWLEDGED;
      e.subject_id = absl::StrCat("bench-msg-", i);
      e.detail = "AcknowledgeMessage";
    } else if (kind < 94) {
      e.action = v1::AUDIT_ACTION_CONSENT_RECORDED;
      e.subject_id = absl::StrCat("bench-cns-", i);
      e.detail = "RecordConsent";
    } else if (kind < 95) {
      e.action = v1::AUDIT_ACTION_CONSENT_REVOKED;
      e.subject_id = absl::StrCat("bench-cns-", i);
      e.detail = "RevokeConsent";
    } else if (kind < 99) {
      e = AuditRead(e);
    } else {
      e.actor_principal_id =
          (r >> 48) % 2 ? "lakeside-obgyn-inbox" : "dr-novak";
      e.actor_role = (r >> 48) % 2 ? v1::ROLE_CLINIC : v1::ROLE_THERAPIST;
      e.action = v1::AUDIT_ACTION_ACCESS_DENIED;
      e.patient_id.clear();
      e.practice_org_id.clear();
      e.subject_id.clear();
      e.detail = "/caregate.v1.AuditService/QueryAuditEvents";
    }
    return e;
  }

 private:
  void Permitted(int64_t i, AuditEvent& e, const Recipient& to,
                 std::optional<DisclosureRow>* row) {
    if (hot_left_ > 0 && hot_every_ > 0 && i % hot_every_ == 0) {
      e.practice_org_id = e.actor_org_id = kBenchPractice;
      e.actor_principal_id = kBenchTherapist;
      e.patient_id = kHotPatient;
      --hot_left_;
    }
    e.action = v1::AUDIT_ACTION_DISCLOSURE_PERMITTED;
    e.outcome = v1::DECISION_OUTCOME_PERMITTED;
    e.categories = {v1::CATEGORY_TREATMENT_SUMMARY, v1::CATEGORY_HOMEWORK_PLAN};
    e.consent_ids = {absl::StrCat("bench-cns-", e.patient_id)};
    *row = Row(e, to);
  }

  static void Denied(uint64_t r, AuditEvent& e) {
    static constexpr std::array<v1::DenialReason, 5> kReasons = {
        v1::DENIAL_REASON_NO_CONSENT_FOR_RECIPIENT,
        v1::DENIAL_REASON_CATEGORY_NOT_CONSENTED,
        v1::DENIAL_REASON_CATEGORY_WITHHELD, v1::DENIAL_REASON_CONSENT_EXPIRED,
        v1::DENIAL_REASON_CONSENT_REVOKED};
    e.action = v1::AUDIT_ACTION_DISCLOSURE_DENIED;
    e.outcome = v1::DECISION_OUTCOME_DENIED;
    e.categories = {v1::CATEGORY_TRAUMA_HISTORY};
    e.reasons = {kReasons[(r >> 50) % kReasons.size()]};
    e.subject_id.clear();
  }

  static AuditEvent AuditRead(const AuditEvent& base) {
    AuditEvent e;
    e.time = base.time;
    e.actor_principal_id = "compliance-officer";
    e.actor_role = v1::ROLE_COMPLIANCE;
    e.action = v1::AUDIT_ACTION_AUDIT_ACCESSED;
    e.detail = "/caregate.v1.AuditService/QueryAuditEvents";
    return e;
  }

  static DisclosureRow Row(const AuditEvent& e, const Recipient& to) {
    DisclosureRow d;
    d.disclosure_id = e.subject_id;
    d.practice_org_id = e.practice_org_id;
    d.sender_principal_id = e.actor_principal_id;
    d.request_id = e.request_id;
    d.patient_id = e.patient_id;
    d.recipient_org_id = to.org;
    d.recipient_provider_id = to.provider;
    d.purpose = e.purpose;
    d.outcome = e.outcome;
    d.categories = e.categories;
    d.consent_ids = e.consent_ids;
    d.content_sha256 = e.content_sha256;
    d.message_id = absl::StrCat("bench-msg-", e.request_id);
    d.created_at = e.time;
    return d;
  }

  const absl::Time start_;
  const absl::Duration step_;
  const int64_t hot_every_;
  int64_t hot_left_;
};

}  // namespace

absl::Status SeedAuditEvents(Store& store, const AuditSeedOptions& options) {
  if (options.events < 0 || options.batch_size < 1 || options.days < 1 ||
      options.hot_patient_disclosures < 0 ||
      options.hot_patient_disclosures * 3 > options.events) {
    return absl::InvalidArgumentError(
        "seed: events >= 0, batch_size >= 1, days >= 1, and "
        "hot_patient_disclosures at most a third of events");
  }
  CG_ASSIGN_OR_RETURN(std::optional<ChainHead> head, store.GetChainHead());
  AuditChain chain =
      head.has_value() ? AuditChain(head->seq, head->hash) : AuditChain();
  EventFactory factory(options);
  for (int64_t begin = 0; begin < options.events; begin += options.batch_size) {
    const int64_t end = std::min(options.events, begin + options.batch_size);
    CG_ASSIGN_OR_RETURN(std::unique_ptr<WriteTransaction> txn,
                        store.BeginWrite());
    for (int64_t i = begin; i < end; ++i) {
      std::optional<DisclosureRow> row;
      AuditEvent event = factory.Event(i, &row);
      chain.Append(&event);
      if (row.has_value()) {
        row->audit_seq = event.seq;
        CG_RETURN_IF_ERROR(txn->InsertDisclosure(*row));
      }
      CG_RETURN_IF_ERROR(txn->AppendAuditEvent(event));
    }
    CG_RETURN_IF_ERROR(txn->Commit());
  }
  return store.Sync();
}

}  // namespace caregate::bench
