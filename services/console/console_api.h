// The console's JSON API: each endpoint turns query parameters into a
// gateway call (ConsoleGateway) and the answer into JSON (the protobuf JSON
// mapping for the gateway's messages, camelCase, zero values included). No
// HTTP library types: console_server.h routes requests here.
//
//   GET  /api/session                   who the console calls the gateway as
//   POST /api/verify                    starts VerifyAuditLog over the whole
//                                       log in the background (or joins the
//                                       run in progress) and answers its
//                                       state once it completes or after at
//                                       most `verify_wait`
//   GET  /api/verify                    that state now, without starting a
//                                       run (the overview polls it)
//   GET  /api/summary?since&until       SummarizeAuditEvents
//   GET  /api/events?FILTERS&page_token&page_size   QueryAuditEvents
//   GET  /api/event?seq=N               one event, its predecessor's hash,
//                                       and the recomputed chain link
//   GET  /api/consents?practice&patient ListConsents, with validity now
//   GET  /api/accounting?practice&patient&since&until
//   GET  /api/deliveries?state&recipient&page_token   ListDeliveries; state
//                                       a DeliveryState name, "pending"
//                                       (QUEUED) or empty for every state
//   POST /api/deliveries/retry?message_id   RetryDelivery
//   POST /api/export/audit.json         the verified export (= audit export)
//   POST /api/export/audit.csv?FILTERS  the matching events as CSV
//   POST /api/export/audit.ndjson       FHIR NDJSON: 501 until services/fhir
//
// The verification state is JSON {"running": bool, "runningSince": RFC 3339
// and "runningForMs" while a run is in progress, "last": null or the last
// completed run {"run": N, "startedAt", "finishedAt", "durationMs",
// "result": the VerifyAuditLogResponse, or "error": {"error", "code",
// "status"}}}. When no run is in progress and the last one failed, the answer
// is that failure's error response instead (403 for a refused profile, ...).
//
// FILTERS: practice, patient (a patient is always the pair: patient needs
// practice), actor, recipient, action (repeatable, full enum names), outcome,
// since, until (RFC 3339). Errors are JSON {"error": "...", "code": "..."}:
// 400 for a bad parameter, and for a gateway error the HTTP status of its
// code (403 for PERMISSION_DENIED or UNAUTHENTICATED, 404, 409 for
// FAILED_PRECONDITION (e.g. retrying a delivery that did not fail), 502 when
// the gateway cannot be reached, 504 on its deadline, 500 otherwise); the
// message is the gateway's refusal as the CLI words it.
//
// Thread-safe when the gateway is.
#ifndef CAREGATE_SERVICES_CONSOLE_CONSOLE_API_H_
#define CAREGATE_SERVICES_CONSOLE_CONSOLE_API_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/console/console_gateway.h"
#include "services/console/verification_runner.h"

namespace caregate::console {

// Query parameters; a name may repeat (httplib::Params has this type).
using Params = std::multimap<std::string, std::string>;

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // e.g. {"Content-Disposition", "attachment; filename=..."}.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Who the console is, for /api/session and the page header.
struct SessionInfo {
  std::string principal;  // the profile's principal, e.g. compliance-officer
  std::string gateway;    // host:port of the gateway
};

class ConsoleApi {
 public:
  // How long POST /api/verify waits for the run it started or joined: a
  // small log's answer comes at once, a large one's page is not held up.
  static constexpr absl::Duration kDefaultVerifyWait = absl::Milliseconds(200);

  // `gateway` must outlive the API. `now` is read for validity, export file
  // names and verification times (injected for tests). The destructor waits
  // for a verification in progress.
  ConsoleApi(ConsoleGateway* gateway, SessionInfo session,
             absl::Time (*now)() = &absl::Now,
             absl::Duration verify_wait = kDefaultVerifyWait);

  // Answers `method` `path` (e.g. "GET", "/api/events"); 404 JSON for an
  // unknown path, 405 for a known path with the wrong method.
  ApiResponse Handle(std::string_view method, std::string_view path,
                     const Params& params) const;

 private:
  ApiResponse Session() const;
  ApiResponse Verify(bool start) const;
  ApiResponse Summary(const Params& params) const;
  ApiResponse Events(const Params& params) const;
  ApiResponse Event(const Params& params) const;
  ApiResponse Consents(const Params& params) const;
  ApiResponse Accounting(const Params& params) const;
  ApiResponse Deliveries(const Params& params) const;
  ApiResponse RetryDelivery(const Params& params) const;
  ApiResponse ExportJson() const;
  ApiResponse ExportCsv(const Params& params) const;
  ApiResponse ExportFhirNdjson(const Params& params) const;

  ConsoleGateway* const gateway_;
  const SessionInfo session_;
  absl::Time (*const now_)();
  const absl::Duration verify_wait_;
  const std::unique_ptr<VerificationRunner> verification_;
};

// The JSON error response for `status` (see the file comment for codes).
ApiResponse ErrorResponse(const absl::Status& status);

// The HTTP status for a gateway error code.
int HttpStatusFor(absl::StatusCode code);

}  // namespace caregate::console

#endif  // CAREGATE_SERVICES_CONSOLE_CONSOLE_API_H_
