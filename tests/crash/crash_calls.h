// The calls the crash-safety driver makes, as the client saw them, and one
// attempt of each. A call is "answered" when the gateway decided it (OK or a
// refusal such as FAILED_PRECONDITION); a transport failure, a deadline or
// UNAVAILABLE is no answer, and the call is retried later with the same
// request.
//
// Records are plain values; a record is changed only by the thread that owns
// it. The attempt functions block for at most their deadline.
#ifndef CAREGATE_TESTS_CRASH_CRASH_CALLS_H_
#define CAREGATE_TESTS_CRASH_CRASH_CALLS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "caregate/v1/consent_service.grpc.pb.h"
#include "caregate/v1/disclosure_service.grpc.pb.h"
#include "caregate/v1/inbox_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace caregate::crash {

// What every call record has.
struct CallState {
  std::string principal;
  int cycle = 0;
  int attempts = 0;
  bool answered = false;
  // The answer, once answered.
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  // The message of the last failed attempt or of an unexpected answer.
  std::string error;
};

struct SendCall : CallState {
  std::string request_id;
  // Kept until answered, so a retry sends exactly the same request.
  v1::Disclosure disclosure;
  // When answered OK.
  std::optional<v1::Receipt> receipt;
};

struct AckCall : CallState {
  std::string message_id;
};

struct RevokeCall : CallState {
  std::string consent_id;
};

// Every call of one cycle (or of a whole run).
struct CallRecords {
  std::vector<SendCall> sends;
  std::vector<AckCall> acks;
  std::vector<RevokeCall> revokes;

  void Append(CallRecords other);
  int Unanswered() const;
};

// True when `code` is the gateway's decision rather than a lost call.
bool IsAnswer(grpc::StatusCode code);

// One attempt of each call; updates the record. No-ops once answered.
void AttemptSend(v1::DisclosureService::Stub& stub, SendCall& call,
                 absl::Duration deadline);
void AttemptAck(v1::InboxService::Stub& stub, AckCall& call,
                absl::Duration deadline);
void AttemptRevoke(v1::ConsentService::Stub& stub, RevokeCall& call,
                   absl::Duration deadline);

}  // namespace caregate::crash

#endif  // CAREGATE_TESTS_CRASH_CRASH_CALLS_H_
