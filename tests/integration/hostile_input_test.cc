// Hostile input through gRPC: oversized bodies, too many sections, oversized
// requests, long or malformed ids, undefined enum values, out-of-range
// timestamps. Each is refused with the code of ../shared/API.md naming the
// field, and nothing is written: the database's rows, the audit head and the
// inbox are exactly as before.
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
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
using ::testing::HasSubstr;
using Code = grpc::StatusCode;

constexpr char kPatient[] = "p-1001";
constexpr int64_t kMiB = 1 << 20;

// Everything a refused call must leave as it was.
struct Snapshot {
  int64_t consents = 0;
  int64_t disclosures = 0;
  int64_t messages = 0;
  int64_t audit_events = 0;
  int64_t audit_head_seq = 0;
  size_t inbox = 0;

  auto Tie() const {
    return std::tie(consents, disclosures, messages, audit_events,
                    audit_head_seq, inbox);
  }
  bool operator==(const Snapshot& o) const { return Tie() == o.Tie(); }
};

std::ostream& operator<<(std::ostream& os, const Snapshot& s) {
  return os << "{consents " << s.consents << ", disclosures " << s.disclosures
            << ", messages " << s.messages << ", audit events "
            << s.audit_events << ", head seq " << s.audit_head_seq << ", inbox "
            << s.inbox << "}";
}

// Row counts of the live database (read-only; WAL readers do not block the
// gateway).
Snapshot ReadCounts(const std::string& path) {
  Snapshot s;
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
          SQLITE_OK &&
      sqlite3_prepare_v2(db,
                         "SELECT (SELECT COUNT(*) FROM consents), "
                         "(SELECT COUNT(*) FROM disclosures), (SELECT COUNT(*) "
                         "FROM messages), "
                         "(SELECT COUNT(*) FROM audit_events), "
                         "(SELECT COALESCE(MAX(seq), 0) FROM audit_events)",
                         -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    s.consents = sqlite3_column_int64(stmt, 0);
    s.disclosures = sqlite3_column_int64(stmt, 1);
    s.messages = sqlite3_column_int64(stmt, 2);
    s.audit_events = sqlite3_column_int64(stmt, 3);
    s.audit_head_seq = sqlite3_column_int64(stmt, 4);
  } else {
    ADD_FAILURE() << "cannot read " << path << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return s;
}

// One hostile call and what it must get.
struct HostileCase {
  std::string name;
  std::function<grpc::Status()> call;
  Code code;
  std::string message;  // a substring: the field named
};

class HostileInputTest : public ::testing::Test {
 protected:
  HostileInputTest()
      : therapist_(gateway_, "dr-rivera"),
        clinic_(gateway_, "core-pelvic-pt-inbox"),
        compliance_(gateway_, "compliance-officer") {}

  void SetUp() override {
    consent_id_ = therapist_.Record(ValidConsent()).consent_id();
    ASSERT_TRUE(therapist_.last_status.ok());
    therapist_.Send(ValidNote(), "req-setup");
    ASSERT_TRUE(therapist_.last_status.ok());
    message_id_ = clinic_.Inbox().at(0).message_id();
    const Snapshot start = Take();
    EXPECT_EQ(start.consents, 1);
    EXPECT_EQ(start.messages, 1);
    EXPECT_EQ(start.audit_head_seq, 2);
    EXPECT_EQ(start.inbox, 1u);
  }

  Snapshot Take() {
    Snapshot s = ReadCounts(gateway_.db_path());
    s.inbox = clinic_.Inbox(/*include_acknowledged=*/true).size();
    return s;
  }

  v1::Consent ValidConsent() {
    return ConsentFor(kPatient, "core-pelvic-pt",
                      {v1::CATEGORY_HOMEWORK_ADHERENCE},
                      gateway_.clock().Now());
  }
  static v1::Disclosure ValidNote() {
    return NoteTo(kPatient, "core-pelvic-pt", "pt-lindqvist",
                  {v1::CATEGORY_HOMEWORK_ADHERENCE});
  }

  grpc::Status Send(const v1::Disclosure& note,
                    const std::string& request_id = "req-hostile") {
    therapist_.Send(note, request_id);
    return therapist_.last_status;
  }
  grpc::Status Check(const v1::Disclosure& note) {
    v1::CheckDisclosureRequest request;
    *request.mutable_disclosure() = note;
    v1::CheckDisclosureResponse response;
    return therapist_.disclosures->CheckDisclosure(Ctx().get(), request,
                                                   &response);
  }
  grpc::Status Record(const v1::Consent& consent,
                      const std::string& request_id = "") {
    v1::RecordConsentRequest request;
    *request.mutable_consent() = consent;
    request.set_request_id(request_id);
    v1::Consent response;
    return therapist_.consents->RecordConsent(Ctx().get(), request, &response);
  }
  grpc::Status Revoke(const std::string& consent_id,
                      const std::string& reason) {
    v1::RevokeConsentRequest request;
    request.set_consent_id(consent_id);
    request.set_reason(reason);
    v1::Consent response;
    return therapist_.consents->RevokeConsent(Ctx().get(), request, &response);
  }
  grpc::Status GetConsent(const std::string& consent_id) {
    v1::GetConsentRequest request;
    request.set_consent_id(consent_id);
    v1::Consent response;
    return therapist_.consents->GetConsent(Ctx().get(), request, &response);
  }
  grpc::Status Query(const v1::QueryAuditEventsRequest& request) {
    v1::QueryAuditEventsResponse response;
    return compliance_.audit->QueryAuditEvents(Ctx().get(), request, &response);
  }

  // Runs every case: the code, the field named, nothing written.
  void RunAll(const std::vector<HostileCase>& cases) {
    for (const HostileCase& c : cases) {
      SCOPED_TRACE(c.name);
      const Snapshot before = Take();
      const grpc::Status status = c.call();
      EXPECT_EQ(status.error_code(), c.code)
          << "\"" << status.error_message() << "\"";
      EXPECT_THAT(status.error_message(), HasSubstr(c.message));
      EXPECT_EQ(Take(), before);
    }
  }

  GatewayHarness gateway_;
  Client therapist_;
  Client clinic_;
  Client compliance_;
  std::string consent_id_;
  std::string message_id_;
};

v1::Disclosure WithBody(v1::Disclosure note, int64_t bytes) {
  note.mutable_sections(0)->set_body(std::string(bytes, 'x'));
  return note;
}

v1::Disclosure WithSections(v1::Disclosure note, int count) {
  const v1::Section first = note.sections(0);
  note.clear_sections();
  for (int i = 0; i < count; ++i) *note.add_sections() = first;
  return note;
}

TEST_F(HostileInputTest, OversizedInputIsResourceExhausted) {
  const std::string long_id(257, 'a');
  RunAll({
      {"section body of 1 MiB + 1",
       [&] { return Send(WithBody(ValidNote(), kMiB + 1)); },
       Code::RESOURCE_EXHAUSTED, "disclosure.sections[0].body"},
      {"dry run with a section body of 1 MiB + 1",
       [&] { return Check(WithBody(ValidNote(), kMiB + 1)); },
       Code::RESOURCE_EXHAUSTED, "disclosure.sections[0].body"},
      {"65 sections", [&] { return Send(WithSections(ValidNote(), 65)); },
       Code::RESOURCE_EXHAUSTED, "disclosure.sections"},
      {"request over 4 MiB",
       [&] {
         v1::Disclosure note = WithSections(ValidNote(), 5);
         for (v1::Section& s : *note.mutable_sections()) {
           s.set_body(std::string(900 * 1024, 'x'));
         }
         return Send(note);
       },
       Code::RESOURCE_EXHAUSTED, "larger than max"},
      {"patient id of 257 characters",
       [&] {
         v1::Disclosure note = ValidNote();
         note.set_patient_id(long_id);
         return Send(note);
       },
       Code::RESOURCE_EXHAUSTED, "disclosure.patient_id"},
      {"request id of 257 characters",
       [&] { return Send(ValidNote(), long_id); }, Code::RESOURCE_EXHAUSTED,
       "request_id"},
      {"consent patient id of 257 characters",
       [&] {
         v1::Consent consent = ValidConsent();
         consent.set_patient_id(long_id);
         return Record(consent);
       },
       Code::RESOURCE_EXHAUSTED, "consent.patient_id"},
      {"consent id of 257 characters", [&] { return GetConsent(long_id); },
       Code::RESOURCE_EXHAUSTED, "consent_id"},
      {"revoking a consent id of 257 characters",
       [&] { return Revoke(long_id, "patient revoked"); },
       Code::RESOURCE_EXHAUSTED, "consent_id"},
      {"message id of 257 characters",
       [&] { return clinic_.Acknowledge(long_id); }, Code::RESOURCE_EXHAUSTED,
       "message_id"},
      {"disclosure id of 257 characters",
       [&] {
         therapist_.GetDisclosure(long_id);
         return therapist_.last_status;
       },
       Code::RESOURCE_EXHAUSTED, "disclosure_id"},
      {"audit patient filter of 257 characters",
       [&] {
         v1::QueryAuditEventsRequest request;
         request.set_patient_id(long_id);
         return Query(request);
       },
       Code::RESOURCE_EXHAUSTED, "patient_id"},
      {"signer name of 4097 bytes",
       [&] {
         v1::Consent consent = ValidConsent();
         consent.mutable_evidence()->set_signer_name(std::string(4097, 'n'));
         return Record(consent);
       },
       Code::RESOURCE_EXHAUSTED, "consent.evidence.signer_name"},
      {"section title of 513 bytes",
       [&] {
         v1::Disclosure note = ValidNote();
         note.mutable_sections(0)->set_title(std::string(513, 't'));
         return Send(note);
       },
       Code::RESOURCE_EXHAUSTED, "disclosure.sections[0].title"},
      {"revocation reason of 4097 bytes",
       [&] { return Revoke(consent_id_, std::string(4097, 'r')); },
       Code::RESOURCE_EXHAUSTED, "reason"},
  });
}

TEST_F(HostileInputTest, LimitsAreInclusive) {
  // A section body of exactly 1 MiB and 64 sections pass validation.
  EXPECT_TRUE(Check(WithBody(ValidNote(), kMiB)).ok());
  EXPECT_TRUE(Check(WithSections(ValidNote(), 64)).ok());
  // An id of exactly 256 characters is well formed: unknown, not refused.
  EXPECT_EQ(GetConsent(std::string(256, 'a')).error_code(), Code::NOT_FOUND);
}

TEST_F(HostileInputTest, MalformedIdsAreInvalidArgumentNamingTheField) {
  std::vector<HostileCase> cases;
  const std::vector<std::string> bad_ids = {"p 1001",
                                            "../x",
                                            "p-1001\xc3\xbc",
                                            "-p-1001",
                                            "p/1001",
                                            "p-1001\n",
                                            std::string("p\0x", 3),
                                            "p-1001'; DROP TABLE consents; --"};
  for (const std::string& bad : bad_ids) {
    cases.push_back({absl::StrCat("disclosure.patient_id \"", bad, "\""),
                     [this, bad] {
                       v1::Disclosure note = ValidNote();
                       note.set_patient_id(bad);
                       return Send(note);
                     },
                     Code::INVALID_ARGUMENT, "disclosure.patient_id"});
    cases.push_back({absl::StrCat("consent.patient_id \"", bad, "\""),
                     [this, bad] {
                       v1::Consent consent = ValidConsent();
                       consent.set_patient_id(bad);
                       return Record(consent);
                     },
                     Code::INVALID_ARGUMENT, "consent.patient_id"});
    cases.push_back({absl::StrCat("request_id \"", bad, "\""),
                     [this, bad] { return Send(ValidNote(), bad); },
                     Code::INVALID_ARGUMENT, "request_id"});
    cases.push_back({absl::StrCat("consent_id \"", bad, "\""),
                     [this, bad] { return Revoke(bad, "patient revoked"); },
                     Code::INVALID_ARGUMENT, "consent_id"});
    cases.push_back({absl::StrCat("message_id \"", bad, "\""),
                     [this, bad] { return clinic_.Acknowledge(bad); },
                     Code::INVALID_ARGUMENT, "message_id"});
  }
  cases.push_back({"empty patient id",
                   [this] {
                     v1::Disclosure note = ValidNote();
                     note.clear_patient_id();
                     return Send(note);
                   },
                   Code::INVALID_ARGUMENT, "disclosure.patient_id"});
  cases.push_back({"recipient provider with a space",
                   [this] {
                     v1::Disclosure note = ValidNote();
                     note.set_recipient_provider_id("pt lindqvist");
                     return Send(note);
                   },
                   Code::INVALID_ARGUMENT, "disclosure.recipient_provider_id"});
  cases.push_back({"grantee organization with a path",
                   [this] {
                     v1::Consent consent = ValidConsent();
                     consent.mutable_grantee()->set_org_id("core-pelvic-pt/..");
                     return Record(consent);
                   },
                   Code::INVALID_ARGUMENT, "consent.grantee.org_id"});
  RunAll(cases);
}

TEST_F(HostileInputTest, UndefinedEnumValuesAreInvalidArgument) {
  std::vector<HostileCase> cases;
  for (int bad : {99, -1, std::numeric_limits<int32_t>::max()}) {
    const std::string n = absl::StrCat(" = ", bad);
    cases.push_back({"disclosure.purpose" + n,
                     [this, bad] {
                       v1::Disclosure note = ValidNote();
                       note.set_purpose(static_cast<v1::Purpose>(bad));
                       return Send(note);
                     },
                     Code::INVALID_ARGUMENT, "disclosure.purpose"});
    cases.push_back({"dry run disclosure.purpose" + n,
                     [this, bad] {
                       v1::Disclosure note = ValidNote();
                       note.set_purpose(static_cast<v1::Purpose>(bad));
                       return Check(note);
                     },
                     Code::INVALID_ARGUMENT, "disclosure.purpose"});
    // The third of three sections: nothing of the first two is written.
    cases.push_back({"disclosure.sections[2].category" + n,
                     [this, bad] {
                       v1::Disclosure note = WithSections(ValidNote(), 3);
                       note.mutable_sections(2)->set_category(
                           static_cast<v1::Category>(bad));
                       return Send(note);
                     },
                     Code::INVALID_ARGUMENT,
                     "disclosure.sections[2].category"});
    cases.push_back({"consent.purposes[0]" + n,
                     [this, bad] {
                       v1::Consent consent = ValidConsent();
                       consent.set_purposes(0, static_cast<v1::Purpose>(bad));
                       return Record(consent);
                     },
                     Code::INVALID_ARGUMENT, "consent.purposes[0]"});
    cases.push_back({"consent.categories[0]" + n,
                     [this, bad] {
                       v1::Consent consent = ValidConsent();
                       consent.set_categories(0,
                                              static_cast<v1::Category>(bad));
                       return Record(consent);
                     },
                     Code::INVALID_ARGUMENT, "consent.categories[0]"});
    cases.push_back({"consent.withheld_categories[0]" + n,
                     [this, bad] {
                       v1::Consent consent = ValidConsent();
                       consent.add_withheld_categories(
                           static_cast<v1::Category>(bad));
                       return Record(consent);
                     },
                     Code::INVALID_ARGUMENT, "consent.withheld_categories[0]"});
    cases.push_back({"consent.grantee.specialty" + n,
                     [this, bad] {
                       v1::Consent consent = ValidConsent();
                       consent.mutable_grantee()->set_specialty(
                           static_cast<v1::Specialty>(bad));
                       return Record(consent);
                     },
                     Code::INVALID_ARGUMENT, "consent.grantee.specialty"});
    cases.push_back({"consent.evidence.signer_relationship" + n,
                     [this, bad] {
                       v1::Consent consent = ValidConsent();
                       consent.mutable_evidence()->set_signer_relationship(
                           static_cast<v1::SignerRelationship>(bad));
                       return Record(consent);
                     },
                     Code::INVALID_ARGUMENT,
                     "consent.evidence.signer_relationship"});
    cases.push_back({"consent.evidence.capture_method" + n,
                     [this, bad] {
                       v1::Consent consent = ValidConsent();
                       consent.mutable_evidence()->set_capture_method(
                           static_cast<v1::CaptureMethod>(bad));
                       return Record(consent);
                     },
                     Code::INVALID_ARGUMENT,
                     "consent.evidence.capture_method"});
    cases.push_back({"audit query actions[0]" + n,
                     [this, bad] {
                       v1::QueryAuditEventsRequest request;
                       request.add_actions(static_cast<v1::AuditAction>(bad));
                       return Query(request);
                     },
                     Code::INVALID_ARGUMENT, "actions[0]"});
    cases.push_back({"audit query outcome" + n,
                     [this, bad] {
                       v1::QueryAuditEventsRequest request;
                       request.set_outcome(
                           static_cast<v1::DecisionOutcome>(bad));
                       return Query(request);
                     },
                     Code::INVALID_ARGUMENT, "outcome"});
  }
  RunAll(cases);
}

TEST_F(HostileInputTest, TimestampsOutOfRangeAreInvalidArgument) {
  const auto far = [](int64_t seconds, int32_t nanos) {
    google::protobuf::Timestamp ts;
    ts.set_seconds(seconds);
    ts.set_nanos(nanos);
    return ts;
  };
  const google::protobuf::Timestamp future = far(1'000'000'000'000'000, 0);
  const google::protobuf::Timestamp past = far(-1'000'000'000'000'000, 0);
  const google::protobuf::Timestamp max =
      far(std::numeric_limits<int64_t>::max(), 0);
  const google::protobuf::Timestamp bad_nanos =
      far(1'800'000'000, 2'000'000'000);
  const google::protobuf::Timestamp negative_nanos = far(1'800'000'000, -1);
  std::vector<HostileCase> cases;
  for (const auto& [label, ts] :
       std::vector<std::pair<std::string, google::protobuf::Timestamp>>{
           {"seconds 1e15", future},
           {"seconds -1e15", past},
           {"seconds INT64_MAX", max},
           {"nanos 2e9", bad_nanos},
           {"nanos -1", negative_nanos}}) {
    cases.push_back({"consent.expires_at " + label,
                     [this, ts = ts] {
                       v1::Consent consent = ValidConsent();
                       *consent.mutable_expires_at() = ts;
                       return Record(consent);
                     },
                     Code::INVALID_ARGUMENT, "consent.expires_at"});
    cases.push_back({"consent.valid_from " + label,
                     [this, ts = ts] {
                       v1::Consent consent = ValidConsent();
                       *consent.mutable_valid_from() = ts;
                       return Record(consent);
                     },
                     Code::INVALID_ARGUMENT, "consent.valid_from"});
    cases.push_back({"consent.evidence.signed_at " + label,
                     [this, ts = ts] {
                       v1::Consent consent = ValidConsent();
                       *consent.mutable_evidence()->mutable_signed_at() = ts;
                       return Record(consent);
                     },
                     Code::INVALID_ARGUMENT, "consent.evidence.signed_at"});
    cases.push_back({"audit query since " + label,
                     [this, ts = ts] {
                       v1::QueryAuditEventsRequest request;
                       *request.mutable_since() = ts;
                       return Query(request);
                     },
                     Code::INVALID_ARGUMENT, "since"});
    cases.push_back({"accounting until " + label,
                     [this, ts = ts] {
                       v1::GetAccountingOfDisclosuresRequest request;
                       request.set_practice_org_id("sunrise-therapy");
                       request.set_patient_id(kPatient);
                       *request.mutable_until() = ts;
                       v1::GetAccountingOfDisclosuresResponse response;
                       return compliance_.audit->GetAccountingOfDisclosures(
                           Ctx().get(), request, &response);
                     },
                     Code::INVALID_ARGUMENT, "until"});
  }
  RunAll(cases);
}

TEST_F(HostileInputTest, MalformedPagingAndRangesAreInvalidArgument) {
  RunAll({
      {"negative page size",
       [&] {
         v1::ListMessagesRequest request;
         request.set_page_size(-1);
         v1::ListMessagesResponse response;
         return clinic_.inbox->ListMessages(Ctx().get(), request, &response);
       },
       Code::INVALID_ARGUMENT, "page_size"},
      {"forged page token",
       [&] {
         v1::ListMessagesRequest request;
         request.set_page_token("v1:////////////");
         v1::ListMessagesResponse response;
         return clinic_.inbox->ListMessages(Ctx().get(), request, &response);
       },
       Code::INVALID_ARGUMENT, "page_token"},
      {"negative verify range",
       [&] {
         v1::VerifyAuditLogRequest request;
         request.set_from_seq(-1);
         v1::VerifyAuditLogResponse response;
         return compliance_.audit->VerifyAuditLog(Ctx().get(), request,
                                                  &response);
       },
       Code::INVALID_ARGUMENT, "from_seq"},
  });
}

// Strings of a proto3 `string` field must be UTF-8; protobuf refuses to parse
// a request holding anything else, before the gateway's handler runs.
v1::Disclosure WithInvalidUtf8(v1::Disclosure note) {
  note.mutable_sections(0)->set_body("caf\xc3 \xff\xfe");
  return note;
}

TEST_F(HostileInputTest, InvalidUtf8IsRefusedAndWritesNothing) {
  const Snapshot before = Take();
  const grpc::Status status = Send(WithInvalidUtf8(ValidNote()));
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(Take(), before);
}

TEST_F(HostileInputTest, InvalidUtf8IsInvalidArgument) {
  const grpc::Status status = Send(WithInvalidUtf8(ValidNote()));
  EXPECT_EQ(status.error_code(), Code::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "disclosure.sections[0].body: not valid UTF-8");
}

// Limits come from the configuration, not from constants.
TEST(HostileInputConfigTest, ConfiguredLimitsApply) {
  GatewayHarness gateway([](std::string& config) {
    config +=
        "\nlimits {\n  max_section_body_bytes: 16\n  max_sections: 2\n"
        "  max_request_bytes: 65536\n  max_id_length: 24\n}\n";
  });
  Client therapist(gateway, "dr-rivera");
  const auto send = [&](const v1::Disclosure& note) {
    therapist.Send(note, "req-limits");
    return therapist.last_status;
  };
  const v1::Disclosure note = NoteTo(kPatient, "core-pelvic-pt", "pt-lindqvist",
                                     {v1::CATEGORY_HOMEWORK_ADHERENCE});
  grpc::Status s = send(WithBody(note, 17));
  EXPECT_EQ(s.error_code(), Code::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("larger than 16 bytes"));
  s = send(WithSections(WithBody(note, 16), 3));
  EXPECT_EQ(s.error_code(), Code::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("more than 2 sections"));
  v1::Disclosure long_patient = WithBody(note, 16);
  long_patient.set_patient_id(std::string(25, 'p'));
  s = send(long_patient);
  EXPECT_EQ(s.error_code(), Code::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("longer than 24 characters"));
  s = send(WithBody(note, 70 * 1024));
  EXPECT_EQ(s.error_code(), Code::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("larger than max"));
  // Within every limit: denied for want of consent, so validation passed.
  s = send(WithBody(note, 16));
  EXPECT_EQ(s.error_code(), Code::FAILED_PRECONDITION) << s.error_message();
}

}  // namespace
}  // namespace caregate
