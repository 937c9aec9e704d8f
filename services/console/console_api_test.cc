#include "services/console/console_api.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/audit/test_events.h"
#include "services/audit_service/audit_event_proto.h"
#include "services/common/proto_time.h"
#include "services/validation/request_fields.h"

namespace caregate::console {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

absl::Time FixedNow() { return absl::FromUnixSeconds(1780000000); }

// Answers from a chain of test events; records the requests it got.
class FakeGateway final : public ConsoleGateway {
 public:
  explicit FakeGateway(int events) {
    for (const AuditEvent& e : caregate::testing::BuildTestChain(events)) {
      log.push_back(AuditEventToProto(e));
    }
  }

  absl::StatusOr<v1::QueryAuditEventsResponse> QueryAuditEvents(
      const v1::QueryAuditEventsRequest& r) override {
    queries.push_back(r);
    if (!refusal.ok()) return refusal;
    const int64_t after = DecodePageToken(r.page_token()).value();
    const int size = r.page_size() == 0 ? 100 : r.page_size();
    v1::QueryAuditEventsResponse page;
    for (const v1::AuditEvent& e : log) {
      if (e.seq() <= after) continue;
      if (page.events_size() == size) {
        page.set_next_page_token(EncodePageToken(page.events(size - 1).seq()));
        break;
      }
      *page.add_events() = e;
    }
    return page;
  }
  absl::StatusOr<v1::VerifyAuditLogResponse> VerifyAuditLog(
      const v1::VerifyAuditLogRequest&) override {
    if (!refusal.ok()) return refusal;
    v1::VerifyAuditLogResponse r;
    r.set_ok(true);
    r.set_verified_through_seq(static_cast<int64_t>(log.size()));
    return r;
  }
  absl::StatusOr<v1::Checkpoint> GetCheckpoint() override {
    v1::Checkpoint c;
    c.set_seq(3);
    c.set_key_id("dev-key");
    return c;
  }
  absl::StatusOr<v1::GetAccountingOfDisclosuresResponse>
  GetAccountingOfDisclosures(
      const v1::GetAccountingOfDisclosuresRequest& r) override {
    accountings.push_back(r);
    v1::GetAccountingOfDisclosuresResponse response;
    response.set_practice_name("Sunrise Therapy Collective");
    response.add_entries()->set_disclosure_id("dsc-1");
    return response;
  }
  absl::StatusOr<v1::SummarizeAuditEventsResponse> SummarizeAuditEvents(
      const v1::SummarizeAuditEventsRequest& r) override {
    summaries.push_back(r);
    v1::SummarizeAuditEventsResponse response;
    v1::ActionCount* count = response.add_action_counts();
    count->set_action(v1::AUDIT_ACTION_DISCLOSURE_DENIED);
    count->set_count(1000000);
    return response;
  }
  absl::StatusOr<v1::ListConsentsResponse> ListConsents(
      const v1::ListConsentsRequest& r) override {
    consent_requests.push_back(r);
    v1::ListConsentsResponse response;
    auto add = [&](const char* id, v1::ConsentStatus status,
                   absl::Duration from, absl::Duration expires) {
      v1::Consent* c = response.add_consents();
      c->set_consent_id(id);
      c->set_status(status);
      *c->mutable_valid_from() = ToProtoTime(FixedNow() + from);
      *c->mutable_expires_at() = ToProtoTime(FixedNow() + expires);
    };
    add("c-valid", v1::CONSENT_STATUS_ACTIVE, -absl::Hours(24),
        absl::Hours(24));
    add("c-later", v1::CONSENT_STATUS_ACTIVE, absl::Hours(1), absl::Hours(24));
    add("c-revoked", v1::CONSENT_STATUS_REVOKED, -absl::Hours(24),
        absl::Hours(24));
    add("c-expired", v1::CONSENT_STATUS_EXPIRED, -absl::Hours(48),
        -absl::Hours(24));
    return response;
  }
  absl::StatusOr<v1::ListDeliveriesResponse> ListDeliveries(
      const v1::ListDeliveriesRequest& r) override {
    delivery_requests.push_back(r);
    if (!refusal.ok()) return refusal;
    v1::ListDeliveriesResponse response;
    v1::Delivery* d = response.add_deliveries();
    d->set_message_id("msg-1");
    d->set_state(v1::DELIVERY_STATE_FAILED);
    d->set_last_delivery_error("UNAVAILABLE: connection refused");
    return response;
  }
  absl::StatusOr<v1::RetryDeliveryResponse> RetryDelivery(
      const v1::RetryDeliveryRequest& r) override {
    retries.push_back(r.message_id());
    if (r.message_id() != "msg-1") {
      return absl::FailedPreconditionError(
          "message msg-2 is ACKNOWLEDGED, not FAILED");
    }
    v1::RetryDeliveryResponse response;
    response.mutable_delivery()->set_message_id(r.message_id());
    response.mutable_delivery()->set_state(v1::DELIVERY_STATE_QUEUED);
    response.set_audit_seq(42);
    return response;
  }
  absl::StatusOr<std::string> ExportAuditLogJson() override {
    return std::string("{\"events\": []}\n");
  }

  std::vector<v1::AuditEvent> log;
  absl::Status refusal;
  std::vector<v1::QueryAuditEventsRequest> queries;
  std::vector<v1::GetAccountingOfDisclosuresRequest> accountings;
  std::vector<v1::SummarizeAuditEventsRequest> summaries;
  std::vector<v1::ListConsentsRequest> consent_requests;
  std::vector<v1::ListDeliveriesRequest> delivery_requests;
  std::vector<std::string> retries;
};

class ConsoleApiTest : public ::testing::Test {
 protected:
  ApiResponse Call(const char* method, const char* path, Params params = {}) {
    return api_.Handle(method, path, params);
  }
  static json Body(const ApiResponse& r) { return json::parse(r.body); }

  FakeGateway gateway_{7};
  // POST /api/verify waits for the fake's (instant) verification.
  ConsoleApi api_{&gateway_,
                  {"compliance-officer", "127.0.0.1:7443"},
                  &FixedNow,
                  absl::InfiniteDuration()};
};

TEST_F(ConsoleApiTest, SessionNamesThePrincipalAndGateway) {
  const ApiResponse r = Call("GET", "/api/session");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Body(r)["principal"], "compliance-officer");
  EXPECT_EQ(Body(r)["gateway"], "127.0.0.1:7443");
}

TEST_F(ConsoleApiTest, EventsPassTheFiltersToTheGateway) {
  const ApiResponse r = Call("GET", "/api/events",
                             {{"practice", "sunrise-therapy"},
                              {"patient", "p-1001"},
                              {"actor", "dr-rivera"},
                              {"recipient", "lakeside-obgyn"},
                              {"action", "AUDIT_ACTION_DISCLOSURE_DENIED"},
                              {"action", "AUDIT_ACTION_ACCESS_DENIED"},
                              {"outcome", "DECISION_OUTCOME_DENIED"},
                              {"since", "2026-01-01T00:00:00Z"},
                              {"until", "2026-02-01T00:00:00Z"},
                              {"page_size", "3"}});
  EXPECT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(gateway_.queries.size(), 1u);
  const v1::QueryAuditEventsRequest& q = gateway_.queries[0];
  EXPECT_EQ(q.practice_org_id(), "sunrise-therapy");
  EXPECT_EQ(q.patient_id(), "p-1001");
  EXPECT_EQ(q.actor_principal_id(), "dr-rivera");
  EXPECT_EQ(q.recipient_org_id(), "lakeside-obgyn");
  EXPECT_THAT(q.actions(), ElementsAre(v1::AUDIT_ACTION_DISCLOSURE_DENIED,
                                       v1::AUDIT_ACTION_ACCESS_DENIED));
  EXPECT_EQ(q.outcome(), v1::DECISION_OUTCOME_DENIED);
  EXPECT_EQ(q.since().seconds(), 1767225600);
  EXPECT_EQ(q.until().seconds(), 1769904000);
  EXPECT_EQ(q.page_size(), 3);
  const json body = Body(r);
  EXPECT_EQ(body["events"].size(), 3u);
  EXPECT_EQ(body["events"][0]["seq"], "1");  // int64 is a JSON string
  EXPECT_EQ(body["nextPageToken"], EncodePageToken(3));
}

TEST_F(ConsoleApiTest, EventsRefuseBadParameters) {
  ApiResponse r = Call("GET", "/api/events", {{"patient", "p-1001"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(Body(r)["error"].get<std::string>(),
              HasSubstr("practice: required with patient"));
  r = Call("GET", "/api/events", {{"action", "AUDIT_ACTION_UNSPECIFIED"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(Body(r)["error"].get<std::string>(),
              HasSubstr("action: unknown value"));
  r = Call("GET", "/api/events", {{"since", "yesterday"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(Body(r)["error"].get<std::string>(),
              HasSubstr("since: expected an RFC 3339 time"));
  r = Call("GET", "/api/events", {{"page_size", "5000"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(gateway_.queries.empty());
}

TEST_F(ConsoleApiTest, VerifyRunsAndReportsTheLastCompletedRun) {
  EXPECT_EQ(Body(Call("GET", "/api/verify")),
            json::parse(R"({"running": false, "last": null})"));
  ApiResponse r = Call("POST", "/api/verify");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = Body(r);
  EXPECT_EQ(body["running"], false);
  EXPECT_EQ(body["last"]["run"], 1);
  EXPECT_EQ(body["last"]["startedAt"], "2026-05-28T20:26:40Z");
  EXPECT_EQ(body["last"]["durationMs"], 0);
  EXPECT_EQ(body["last"]["result"]["ok"], true);
  EXPECT_EQ(body["last"]["result"]["verifiedThroughSeq"], "7");
  // GET shows that run without starting another; POST verifies again.
  EXPECT_EQ(Body(Call("GET", "/api/verify"))["last"]["run"], 1);
  EXPECT_EQ(Body(Call("POST", "/api/verify"))["last"]["run"], 2);
}

TEST_F(ConsoleApiTest, GatewayRefusalIs403WithItsMessage) {
  gateway_.refusal = absl::PermissionDeniedError(
      "permission denied: role ROLE_THERAPIST may not call "
      "/caregate.v1.AuditService/QueryAuditEvents");
  ApiResponse r = Call("GET", "/api/events");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Body(r)["code"], "PERMISSION_DENIED");
  EXPECT_THAT(Body(r)["error"].get<std::string>(),
              HasSubstr("ROLE_THERAPIST may not call"));
  EXPECT_EQ(Call("POST", "/api/verify").status, 403);
  gateway_.refusal = absl::UnavailableError("cannot reach the gateway");
  EXPECT_EQ(Call("GET", "/api/events").status, 502);
}

TEST_F(ConsoleApiTest, EventComesWithItsCheckedLink) {
  const ApiResponse r = Call("GET", "/api/event", {{"seq", "5"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(gateway_.queries.size(), 1u);
  EXPECT_EQ(gateway_.queries[0].page_token(), EncodePageToken(3));
  const json body = Body(r);
  EXPECT_EQ(body["event"]["seq"], "5");
  EXPECT_EQ(body["link"]["hashOk"], true);
  EXPECT_EQ(body["link"]["linkOk"], true);
  EXPECT_EQ(body["link"]["predecessorSeq"], 4);
  EXPECT_EQ(body["coveredByCheckpoint"], false);  // the checkpoint is at 3
  EXPECT_EQ(body["checkpoint"]["keyId"], "dev-key");
}

TEST_F(ConsoleApiTest, EventShowsATamperedLink) {
  gateway_.log[3].set_patient_id("p-9999");  // seq 4 changed in place
  json body = Body(Call("GET", "/api/event", {{"seq", "4"}}));
  EXPECT_EQ(body["link"]["hashOk"], false);
  EXPECT_EQ(body["link"]["problem"],
            "seq 4: hash mismatch (event content changed)");
  body = Body(Call("GET", "/api/event", {{"seq", "1"}}));
  EXPECT_EQ(body["link"]["linkOk"], true);
  EXPECT_EQ(body["coveredByCheckpoint"], true);
}

TEST_F(ConsoleApiTest, EventNotFoundOrBadSeq) {
  EXPECT_EQ(Call("GET", "/api/event", {{"seq", "99"}}).status, 404);
  EXPECT_EQ(Call("GET", "/api/event", {{"seq", "0"}}).status, 400);
  EXPECT_EQ(Call("GET", "/api/event", {{"seq", "x"}}).status, 400);
}

TEST_F(ConsoleApiTest, ConsentsCarryTheirValidityNow) {
  const ApiResponse r =
      Call("GET", "/api/consents",
           {{"practice", "sunrise-therapy"}, {"patient", "p-1001"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(gateway_.consent_requests.size(), 1u);
  EXPECT_EQ(gateway_.consent_requests[0].practice_org_id(), "sunrise-therapy");
  EXPECT_TRUE(gateway_.consent_requests[0].include_inactive());
  const json body = Body(r);
  std::vector<std::string> validity;
  for (const json& c : body["consents"]) validity.push_back(c["validity"]);
  EXPECT_THAT(validity,
              ElementsAre("valid", "not yet valid", "revoked", "expired"));
  EXPECT_EQ(Call("GET", "/api/consents", {{"patient", "p-1001"}}).status, 400);
}

TEST_F(ConsoleApiTest, AccountingAndSummaryPassThePeriod) {
  ApiResponse r = Call("GET", "/api/accounting",
                       {{"practice", "sunrise-therapy"},
                        {"patient", "p-1001"},
                        {"since", "2020-01-01T00:00:00Z"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["practiceName"], "Sunrise Therapy Collective");
  ASSERT_EQ(gateway_.accountings.size(), 1u);
  EXPECT_EQ(gateway_.accountings[0].since().seconds(), 1577836800);
  EXPECT_FALSE(gateway_.accountings[0].has_until());

  r = Call("GET", "/api/summary", {{"until", "2026-12-01T00:00:00Z"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["actionCounts"][0]["count"], "1000000");
  ASSERT_EQ(gateway_.summaries.size(), 1u);
  EXPECT_FALSE(gateway_.summaries[0].has_since());
  EXPECT_TRUE(gateway_.summaries[0].has_until());
}

TEST_F(ConsoleApiTest, ExportsAreAttachments) {
  ApiResponse r = Call("POST", "/api/export/audit.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"events\": []}\n");
  EXPECT_THAT(r.headers,
              ElementsAre(Pair("Content-Disposition",
                               "attachment; filename=\"caregate-audit-export-"
                               "2026-05-28.json\"")));

  r = Call("POST", "/api/export/audit.csv", {{"page_size", "2"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  // Header plus every one of the 7 events, fetched 1000 per page.
  EXPECT_EQ(std::count(r.body.begin(), r.body.end(), '\n'), 8);
  EXPECT_EQ(gateway_.queries.back().page_size(), 1000);
}

TEST_F(ConsoleApiTest, FhirExportIsOneAuditEventPerLine) {
  const ApiResponse r =
      Call("POST", "/api/export/audit.ndjson", {{"page_size", "2"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/fhir+ndjson");
  // Every one of the 7 events, fetched 1000 per page, one line each.
  EXPECT_EQ(std::count(r.body.begin(), r.body.end(), '\n'), 7);
  EXPECT_EQ(gateway_.queries.back().page_size(), 1000);
  const nlohmann::json first = nlohmann::json::parse(
      r.body.substr(0, r.body.find('\n')), nullptr, false);
  ASSERT_TRUE(first.is_object());
  EXPECT_EQ(first["resourceType"], "AuditEvent");
  EXPECT_EQ(first["id"], "audit-1");
}

TEST_F(ConsoleApiTest, UnknownPathsAndWrongMethods) {
  EXPECT_EQ(Call("GET", "/api/nothing").status, 404);
  EXPECT_EQ(Call("PUT", "/api/verify").status, 405);
  EXPECT_EQ(Call("GET", "/api/export/audit.json").status, 405);
  EXPECT_EQ(Call("POST", "/api/events").status, 405);
}

TEST_F(ConsoleApiTest, DeliveriesPassTheStateAndRecipient) {
  ApiResponse r = Call(
      "GET", "/api/deliveries",
      {{"state", "DELIVERY_STATE_FAILED"}, {"recipient", "lakeside-obgyn"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["deliveries"][0]["messageId"], "msg-1");
  EXPECT_EQ(Body(r)["deliveries"][0]["state"], "DELIVERY_STATE_FAILED");
  ASSERT_EQ(gateway_.delivery_requests.size(), 1u);
  EXPECT_EQ(gateway_.delivery_requests[0].state(), v1::DELIVERY_STATE_FAILED);
  EXPECT_EQ(gateway_.delivery_requests[0].recipient_org_id(), "lakeside-obgyn");

  r = Call("GET", "/api/deliveries", {{"state", "pending"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(gateway_.delivery_requests.back().state(),
            v1::DELIVERY_STATE_QUEUED);
  r = Call("GET", "/api/deliveries");
  EXPECT_EQ(gateway_.delivery_requests.back().state(),
            v1::DELIVERY_STATE_UNSPECIFIED);

  r = Call("GET", "/api/deliveries", {{"state", "LOST"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(Body(r)["error"].get<std::string>(), HasSubstr("state"));
  gateway_.refusal = absl::PermissionDeniedError("role THERAPIST");
  r = Call("GET", "/api/deliveries");
  EXPECT_EQ(r.status, 403);
}

TEST_F(ConsoleApiTest, RetryIsAPostNamingTheMessage) {
  EXPECT_EQ(
      Call("GET", "/api/deliveries/retry", {{"message_id", "msg-1"}}).status,
      405);
  ApiResponse r = Call("POST", "/api/deliveries/retry");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(Body(r)["error"].get<std::string>(), HasSubstr("message_id"));
  EXPECT_TRUE(gateway_.retries.empty());

  r = Call("POST", "/api/deliveries/retry", {{"message_id", "msg-1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["delivery"]["state"], "DELIVERY_STATE_QUEUED");
  EXPECT_EQ(Body(r)["auditSeq"], "42");
  r = Call("POST", "/api/deliveries/retry", {{"message_id", "msg-2"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_THAT(Body(r)["error"].get<std::string>(), HasSubstr("ACKNOWLEDGED"));
  EXPECT_THAT(gateway_.retries, ElementsAre("msg-1", "msg-2"));
}

}  // namespace
}  // namespace caregate::console
