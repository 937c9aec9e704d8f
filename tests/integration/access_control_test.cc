// The access control suite: every RPC of the four services, called by every
// role, about ids of the caller's own organization and of another one. Checks
// the exact status code of ../shared/API.md "Status codes", that each refusal
// is audited as AUDIT_ACTION_ACCESS_DENIED, and that another organization's id
// is refused exactly as an id that does not exist.
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/clinic_fixtures.h"

namespace caregate {
namespace {

using ::caregate::testing::Client;
using ::caregate::testing::ConsentFor;
using ::caregate::testing::Ctx;
using ::caregate::testing::GatewayHarness;
using ::caregate::testing::NoteTo;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using Code = grpc::StatusCode;

// What one practice created: consents, disclosures, and the messages its
// partner clinic received.
struct PracticeIds {
  std::string practice_org_id;
  std::string therapist;
  std::string patient_id;
  std::string clinic_org_id;
  std::string provider_id;
  v1::Category category = v1::CATEGORY_UNSPECIFIED;
  std::string other_clinic_org_id;  // grantee of the revocable consent
  std::string consent_id;
  std::string revocable_consent_id;
  std::string disclosure_id;
  std::string message_id;      // stays queued
  std::string ack_message_id;  // acknowledged by its clinic in the walk
};

// An id of the same shape that does not exist: ids are prefix + Crockford
// base32 (services/crypto/random.h), which has no 'u'.
std::string Unknown(const std::string& id) {
  return id.substr(0, id.size() - 4) + "uuuu";
}

PracticeIds UnknownIds(PracticeIds ids) {
  for (std::string* id :
       {&ids.consent_id, &ids.revocable_consent_id, &ids.disclosure_id,
        &ids.message_id, &ids.ack_message_id}) {
    *id = Unknown(*id);
  }
  ids.patient_id = "p-never-seen";
  return ids;
}

struct Caller {
  std::string principal;
  v1::Role role;
  std::string org_id;
  int own;  // index of the PracticeIds that are the caller's own
};

enum class Scope { kOwn, kOther };

// One RPC of the walk.
struct RpcCase {
  std::string name;  // full method name, as the audit detail names it
  std::vector<v1::Role> roles;  // who may call it (API.md "Services")
  // For an allowed THERAPIST or CLINIC caller with the other organization's
  // ids (COMPLIANCE reads every organization: OK).
  Code other_code;
  // The other organization's id is refused as NOT_FOUND, exactly as an
  // unknown id, and audited.
  bool hides_ids;
  // Calls the RPC; when it succeeds, checks what it returned.
  std::function<grpc::Status(Client&, const Caller&, const PracticeIds&, Scope)>
      call;
};

// Reads the first message of a stream; OK when one arrives.
grpc::Status StreamFirst(Client& client, v1::Message* first) {
  auto ctx = Ctx(10);
  auto reader =
      client.inbox->StreamMessages(ctx.get(), v1::StreamMessagesRequest());
  if (reader->Read(first)) {
    ctx->TryCancel();
    reader->Finish();  // CANCELLED, by us
    return grpc::Status::OK;
  }
  return reader->Finish();
}

std::vector<std::string> MessageIds(const v1::ListMessagesResponse& r) {
  std::vector<std::string> ids;
  for (const v1::Message& m : r.messages()) ids.push_back(m.message_id());
  return ids;
}

class AccessControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PracticeIds sunrise;
    sunrise.practice_org_id = "sunrise-therapy";
    sunrise.therapist = "dr-rivera";
    sunrise.patient_id = "p-1001";
    sunrise.clinic_org_id = "core-pelvic-pt";
    sunrise.provider_id = "pt-lindqvist";
    sunrise.category = v1::CATEGORY_HOMEWORK_ADHERENCE;
    sunrise.other_clinic_org_id = "riverside-urology";
    practices_.push_back(CreatePractice(sunrise, "core-pelvic-pt-inbox"));
    PracticeIds harbor;
    harbor.practice_org_id = "harbor-counseling";
    harbor.therapist = "dr-novak";
    harbor.patient_id = "p-2001";
    harbor.clinic_org_id = "lakeside-obgyn";
    harbor.provider_id = "dr-okafor";
    harbor.category = v1::CATEGORY_TREATMENT_SUMMARY;
    harbor.other_clinic_org_id = "maple-primary-care";
    practices_.push_back(CreatePractice(harbor, "lakeside-obgyn-inbox"));
  }

  // Records two consents and sends two disclosures as `ids.therapist`.
  PracticeIds CreatePractice(PracticeIds ids, const std::string& clinic) {
    Client therapist(gateway_, ids.therapist);
    const absl::Time now = gateway_.clock().Now();
    ids.consent_id = therapist
                         .Record(ConsentFor(ids.patient_id, ids.clinic_org_id,
                                            {ids.category}, now))
                         .consent_id();
    EXPECT_TRUE(therapist.last_status.ok());
    ids.revocable_consent_id =
        therapist
            .Record(ConsentFor(ids.patient_id, ids.other_clinic_org_id,
                               {ids.category}, now))
            .consent_id();
    EXPECT_TRUE(therapist.last_status.ok());
    const v1::Disclosure note = NoteTo(ids.patient_id, ids.clinic_org_id,
                                       ids.provider_id, {ids.category});
    ids.disclosure_id =
        therapist.Send(note, "setup-1").receipt().disclosure_id();
    EXPECT_TRUE(therapist.last_status.ok());
    ids.message_id = therapist.GetDisclosure(ids.disclosure_id).message_id();
    const std::string second =
        therapist.Send(note, "setup-2").receipt().disclosure_id();
    ids.ack_message_id = therapist.GetDisclosure(second).message_id();
    EXPECT_FALSE(ids.message_id.empty());
    EXPECT_FALSE(ids.ack_message_id.empty());
    Client inbox(gateway_, clinic);
    EXPECT_EQ(inbox.Inbox().size(), 2u);
    return ids;
  }

  std::vector<RpcCase> Cases();

  // ACCESS_DENIED events so far, as compliance sees them.
  std::vector<v1::AuditEvent> Denials() {
    return compliance_.Events(v1::AUDIT_ACTION_ACCESS_DENIED);
  }

  GatewayHarness gateway_;
  Client compliance_{gateway_, "compliance-officer"};
  std::vector<PracticeIds> practices_;
  int request_counter_ = 0;
};

std::vector<RpcCase> AccessControlTest::Cases() {
  using v1::ROLE_CLINIC;
  using v1::ROLE_COMPLIANCE;
  using v1::ROLE_THERAPIST;
  const std::string consent = "/caregate.v1.ConsentService/";
  const std::string disclosure = "/caregate.v1.DisclosureService/";
  const std::string inbox = "/caregate.v1.InboxService/";
  const std::string audit = "/caregate.v1.AuditService/";
  const absl::Time now = gateway_.clock().Now();
  return {
      {consent + "RecordConsent",
       {ROLE_THERAPIST},
       Code::OK,
       false,
       [this, now](Client& c, const Caller& caller, const PracticeIds& ids,
                   Scope) {
         // The practice is the caller's, whatever the request claims. (A
         // patient of its own, so the walk's other rows see no new consent.)
         v1::Consent form =
             ConsentFor(absl::StrCat("p-recorded-", ++request_counter_),
                        ids.clinic_org_id, {ids.category}, now);
         form.set_practice_org_id(ids.practice_org_id);
         v1::RecordConsentRequest request;
         *request.mutable_consent() = form;
         request.set_request_id(absl::StrCat("walk-", ++request_counter_));
         v1::Consent recorded;
         grpc::Status s =
             c.consents->RecordConsent(Ctx().get(), request, &recorded);
         if (s.ok()) {
           EXPECT_EQ(recorded.practice_org_id(), caller.org_id);
         }
         return s;
       }},
      {consent + "RevokeConsent",
       {ROLE_THERAPIST},
       Code::NOT_FOUND,
       true,
       [](Client& c, const Caller&, const PracticeIds& ids, Scope) {
         v1::RevokeConsentRequest request;
         request.set_consent_id(ids.revocable_consent_id);
         request.set_reason("patient revoked in writing");
         v1::Consent revoked;
         grpc::Status s =
             c.consents->RevokeConsent(Ctx().get(), request, &revoked);
         if (s.ok()) {
           EXPECT_EQ(revoked.status(), v1::CONSENT_STATUS_REVOKED);
         }
         return s;
       }},
      {consent + "GetConsent",
       {ROLE_THERAPIST, ROLE_COMPLIANCE},
       Code::NOT_FOUND,
       true,
       [](Client& c, const Caller&, const PracticeIds& ids, Scope) {
         v1::GetConsentRequest request;
         request.set_consent_id(ids.consent_id);
         v1::Consent got;
         grpc::Status s = c.consents->GetConsent(Ctx().get(), request, &got);
         if (s.ok()) {
           EXPECT_EQ(got.consent_id(), ids.consent_id);
         }
         return s;
       }},
      {consent + "ListConsents",
       {ROLE_THERAPIST, ROLE_COMPLIANCE},
       Code::OK,
       false,
       [](Client& c, const Caller& caller, const PracticeIds& ids, Scope) {
         v1::ListConsentsRequest request;
         request.set_patient_id(ids.patient_id);
         request.set_include_inactive(true);
         request.set_practice_org_id(ids.practice_org_id);
         v1::ListConsentsResponse listed;
         grpc::Status s =
             c.consents->ListConsents(Ctx().get(), request, &listed);
         if (!s.ok()) return s;
         // A therapist sees its own practice only: another practice's
         // patient has no consents here.
         const bool visible = caller.role == v1::ROLE_COMPLIANCE ||
                              caller.org_id == ids.practice_org_id;
         std::vector<std::string> listed_ids;
         for (const v1::Consent& k : listed.consents()) {
           listed_ids.push_back(k.consent_id());
           EXPECT_TRUE(caller.role == v1::ROLE_COMPLIANCE ||
                       k.practice_org_id() == caller.org_id);
         }
         if (visible) {
           EXPECT_THAT(listed_ids, Contains(ids.consent_id));
         } else {
           EXPECT_TRUE(listed_ids.empty());
         }
         return s;
       }},
      {disclosure + "CheckDisclosure",
       {ROLE_THERAPIST},
       Code::OK,
       false,
       [](Client& c, const Caller& caller, const PracticeIds& ids, Scope) {
         v1::CheckDisclosureRequest request;
         *request.mutable_disclosure() =
             NoteTo(ids.patient_id, ids.clinic_org_id, ids.provider_id,
                    {ids.category});
         v1::CheckDisclosureResponse checked;
         grpc::Status s =
             c.disclosures->CheckDisclosure(Ctx().get(), request, &checked);
         if (s.ok()) {
           // Another practice's consents never cover the caller's request.
           EXPECT_EQ(checked.decision().outcome(),
                     caller.org_id == ids.practice_org_id
                         ? v1::DECISION_OUTCOME_PERMITTED
                         : v1::DECISION_OUTCOME_DENIED);
         }
         return s;
       }},
      {disclosure + "SendDisclosure",
       {ROLE_THERAPIST},
       Code::FAILED_PRECONDITION,
       false,
       [this](Client& c, const Caller&, const PracticeIds& ids, Scope) {
         c.Send(NoteTo(ids.patient_id, ids.clinic_org_id, ids.provider_id,
                       {ids.category}),
                absl::StrCat("walk-", ++request_counter_));
         return c.last_status;
       }},
      {disclosure + "GetDisclosure",
       {ROLE_THERAPIST},
       Code::NOT_FOUND,
       true,
       [](Client& c, const Caller&, const PracticeIds& ids, Scope) {
         const v1::DisclosureRecord record = c.GetDisclosure(ids.disclosure_id);
         if (c.last_status.ok()) {
           EXPECT_EQ(record.receipt().disclosure_id(), ids.disclosure_id);
         }
         return c.last_status;
       }},
      {inbox + "ListMessages",
       {ROLE_CLINIC},
       Code::OK,
       false,
       [](Client& c, const Caller& caller, const PracticeIds& ids, Scope) {
         v1::ListMessagesRequest request;
         request.set_include_acknowledged(true);
         v1::ListMessagesResponse listed;
         grpc::Status s = c.inbox->ListMessages(Ctx().get(), request, &listed);
         if (!s.ok()) return s;
         for (const v1::Message& m : listed.messages()) {
           EXPECT_EQ(m.recipient_org_id(), caller.org_id);
         }
         if (ids.clinic_org_id == caller.org_id) {
           EXPECT_THAT(MessageIds(listed), Contains(ids.message_id));
         } else {
           EXPECT_THAT(MessageIds(listed), Not(Contains(ids.message_id)));
         }
         return s;
       }},
      {inbox + "StreamMessages",
       {ROLE_CLINIC},
       Code::OK,
       false,
       [](Client& c, const Caller& caller, const PracticeIds&, Scope) {
         v1::Message first;
         grpc::Status s = StreamFirst(c, &first);
         if (s.ok()) {
           EXPECT_EQ(first.recipient_org_id(), caller.org_id);
         }
         return s;
       }},
      {inbox + "AcknowledgeMessage",
       {ROLE_CLINIC},
       Code::NOT_FOUND,
       true,
       [](Client& c, const Caller&, const PracticeIds& ids, Scope) {
         return c.Acknowledge(ids.ack_message_id);
       }},
      {inbox + "GetMessage",
       {ROLE_CLINIC},
       Code::NOT_FOUND,
       true,
       [](Client& c, const Caller& caller, const PracticeIds& ids, Scope) {
         v1::GetMessageRequest request;
         request.set_message_id(ids.message_id);
         v1::Message message;
         grpc::Status s =
             c.inbox->GetMessage(Ctx().get(), request, &message);
         if (s.ok()) {
           EXPECT_EQ(message.recipient_org_id(), caller.org_id);
           EXPECT_FALSE(message.sections(0).body().empty());
         }
         return s;
       }},
      {audit + "QueryAuditEvents",
       {ROLE_COMPLIANCE},
       Code::OK,
       false,
       [](Client& c, const Caller&, const PracticeIds& ids, Scope) {
         v1::QueryAuditEventsRequest request;
         request.set_patient_id(ids.patient_id);
         request.set_practice_org_id(ids.practice_org_id);
         v1::QueryAuditEventsResponse events;
         grpc::Status s =
             c.audit->QueryAuditEvents(Ctx().get(), request, &events);
         if (s.ok()) {
           EXPECT_GE(events.events_size(), 4);
         }
         return s;
       }},
      {audit + "VerifyAuditLog",
       {ROLE_COMPLIANCE},
       Code::OK,
       false,
       [](Client& c, const Caller&, const PracticeIds&, Scope) {
         const v1::VerifyAuditLogResponse verified = c.Verify();
         if (c.last_status.ok()) {
           EXPECT_TRUE(verified.ok()) << verified.problem();
         }
         return c.last_status;
       }},
      {audit + "GetCheckpoint",
       {ROLE_COMPLIANCE},
       Code::OK,
       false,
       [](Client& c, const Caller&, const PracticeIds&, Scope) {
         v1::Checkpoint checkpoint;
         grpc::Status s = c.audit->GetCheckpoint(
             Ctx().get(), v1::GetCheckpointRequest(), &checkpoint);
         if (s.ok()) {
           EXPECT_GT(checkpoint.seq(), 0);
         }
         return s;
       }},
      {audit + "GetAccountingOfDisclosures",
       {ROLE_COMPLIANCE},
       Code::OK,
       false,
       [](Client& c, const Caller&, const PracticeIds& ids, Scope) {
         v1::GetAccountingOfDisclosuresRequest request;
         request.set_patient_id(ids.patient_id);
         request.set_practice_org_id(ids.practice_org_id);
         v1::GetAccountingOfDisclosuresResponse accounting;
         grpc::Status s = c.audit->GetAccountingOfDisclosures(
             Ctx().get(), request, &accounting);
         if (s.ok()) {
           EXPECT_GE(accounting.entries_size(), 2);
         }
         return s;
       }},
  };
}

bool MayCall(const RpcCase& rpc, v1::Role role) {
  for (v1::Role allowed : rpc.roles) {
    if (allowed == role) return true;
  }
  return false;
}

Code ExpectedCode(const RpcCase& rpc, const Caller& caller, Scope scope) {
  if (!MayCall(rpc, caller.role)) return Code::PERMISSION_DENIED;
  if (caller.role == v1::ROLE_COMPLIANCE || scope == Scope::kOwn) {
    return Code::OK;
  }
  return rpc.other_code;
}

// The message with `id` replaced, so refusals about different ids compare.
std::string WithoutId(const std::string& message, const std::string& id) {
  return absl::StrReplaceAll(message, {{id, "<id>"}});
}

// The id a hides_ids RPC looks up.
std::string LookedUpId(const RpcCase& rpc, const PracticeIds& ids) {
  if (absl::EndsWith(rpc.name, "RevokeConsent"))
    return ids.revocable_consent_id;
  if (absl::EndsWith(rpc.name, "GetConsent")) return ids.consent_id;
  if (absl::EndsWith(rpc.name, "GetDisclosure")) return ids.disclosure_id;
  if (absl::EndsWith(rpc.name, "GetMessage")) return ids.message_id;
  return ids.ack_message_id;
}

TEST_F(AccessControlTest, EveryRpcEveryRoleOwnAndOtherOrganization) {
  const std::vector<Caller> callers = {
      {"dr-rivera", v1::ROLE_THERAPIST, "sunrise-therapy", 0},
      {"dr-novak", v1::ROLE_THERAPIST, "harbor-counseling", 1},
      {"core-pelvic-pt-inbox", v1::ROLE_CLINIC, "core-pelvic-pt", 0},
      {"lakeside-obgyn-inbox", v1::ROLE_CLINIC, "lakeside-obgyn", 1},
      {"compliance-officer", v1::ROLE_COMPLIANCE, "", 0},
      {"gateway-admin", v1::ROLE_ADMIN, "", 0},
  };
  const std::vector<RpcCase> cases = Cases();
  ASSERT_EQ(cases.size(), 15u);
  int refusals = 0;
  // Identical refusals (principal, RPC, code, subject) are audited once per
  // window, with their count when the window closes (CallAdmission).
  std::set<std::string> audited_kinds;
  for (const Caller& caller : callers) {
    Client client(gateway_, caller.principal);
    for (const RpcCase& rpc : cases) {
      std::string permission_denied_message;
      for (Scope scope : {Scope::kOwn, Scope::kOther}) {
        const PracticeIds& ids =
            practices_[scope == Scope::kOwn ? caller.own : 1 - caller.own];
        SCOPED_TRACE(absl::StrCat(rpc.name, " as ", caller.principal, " on ",
                                  scope == Scope::kOwn ? "own" : "other",
                                  " organization's ids"));
        const size_t denials_before = Denials().size();
        const grpc::Status status = rpc.call(client, caller, ids, scope);
        const Code expected = ExpectedCode(rpc, caller, scope);
        EXPECT_EQ(status.error_code(), expected) << status.error_message();
        const std::vector<v1::AuditEvent> denials = Denials();
        const bool refused = expected == Code::PERMISSION_DENIED ||
                             (expected == Code::NOT_FOUND && rpc.hides_ids);
        const std::string kind = absl::StrCat(
            caller.principal, " ", rpc.name, " ", static_cast<int>(expected),
            " ",
            expected == Code::PERMISSION_DENIED ? "" : LookedUpId(rpc, ids));
        const bool first_of_kind = refused && audited_kinds.insert(kind).second;
        ASSERT_EQ(denials.size(), denials_before + (first_of_kind ? 1 : 0));
        if (expected == Code::FAILED_PRECONDITION) {
          // A denied send about another practice's patient reads exactly as
          // one about a patient nobody has seen.
          const grpc::Status unknown =
              rpc.call(client, caller, UnknownIds(ids), scope);
          EXPECT_EQ(unknown.error_code(), expected);
          EXPECT_EQ(status.error_message(), unknown.error_message());
        }
        if (!refused) continue;
        ++refusals;
        const v1::AuditEvent& denial = denials.back();
        if (first_of_kind) {
          EXPECT_EQ(denial.actor_principal_id(), caller.principal);
          EXPECT_EQ(denial.actor_role(), caller.role);
          EXPECT_THAT(denial.detail(), HasSubstr(rpc.name));
          EXPECT_THAT(denial.detail(),
                      HasSubstr(expected == Code::PERMISSION_DENIED
                                    ? "PERMISSION_DENIED"
                                    : "NOT_FOUND"));
        }
        if (expected == Code::PERMISSION_DENIED) {
          EXPECT_THAT(status.error_message(),
                      HasSubstr(v1::Role_Name(caller.role)));
          // Refused before any lookup: the same answer for any ids.
          if (scope == Scope::kOwn) {
            permission_denied_message = status.error_message();
          } else {
            EXPECT_EQ(status.error_message(), permission_denied_message);
          }
          continue;
        }
        // Another organization's id: exactly what an unknown id gets.
        const std::string id = LookedUpId(rpc, ids);
        if (first_of_kind) {
          EXPECT_EQ(denial.subject_id(), id);
        }
        const PracticeIds unknown = UnknownIds(ids);
        const grpc::Status unknown_status =
            rpc.call(client, caller, unknown, scope);
        EXPECT_EQ(unknown_status.error_code(), Code::NOT_FOUND);
        EXPECT_EQ(WithoutId(status.error_message(), id),
                  WithoutId(unknown_status.error_message(),
                            LookedUpId(rpc, unknown)));
        EXPECT_EQ(status.error_details(), unknown_status.error_details());
      }
    }
  }
  // 15 RPCs x 6 callers x 2 scopes: 124 refused by role, 10 other-org ids.
  EXPECT_EQ(refusals, 134);
  EXPECT_TRUE(compliance_.Verify().ok());
}

// A clinic's stream carries its own organization's messages only, live ones
// included: a note committed for the other clinic in between never shows up.
TEST_F(AccessControlTest, StreamCarriesOnlyOwnOrganizationsLiveMessages) {
  Client clinic(gateway_, "core-pelvic-pt-inbox");
  auto ctx = Ctx(20);
  auto stream =
      clinic.inbox->StreamMessages(ctx.get(), v1::StreamMessagesRequest());
  std::vector<std::string> backlog;
  v1::Message message;
  for (int i = 0; i < 2 && stream->Read(&message); ++i) {
    backlog.push_back(message.message_id());
  }
  EXPECT_THAT(backlog,
              ::testing::UnorderedElementsAre(practices_[0].message_id,
                                              practices_[0].ack_message_id));

  const PracticeIds& harbor = practices_[1];
  Client novak(gateway_, "dr-novak");
  novak.Send(NoteTo(harbor.patient_id, harbor.clinic_org_id, harbor.provider_id,
                    {harbor.category}),
             "live-other");
  ASSERT_TRUE(novak.last_status.ok());
  const PracticeIds& sunrise = practices_[0];
  Client rivera(gateway_, "dr-rivera");
  const std::string own_disclosure =
      rivera
          .Send(NoteTo(sunrise.patient_id, sunrise.clinic_org_id,
                       sunrise.provider_id, {sunrise.category}),
                "live-own")
          .receipt()
          .disclosure_id();
  ASSERT_TRUE(rivera.last_status.ok());

  ASSERT_TRUE(stream->Read(&message));
  EXPECT_EQ(message.disclosure_id(), own_disclosure);
  EXPECT_EQ(message.recipient_org_id(), "core-pelvic-pt");
  ctx->TryCancel();
  stream->Finish();
}

}  // namespace
}  // namespace caregate
